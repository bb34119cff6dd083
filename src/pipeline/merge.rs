//! `leakhound merge`: reports of many runs become one result. Their findings are read back
//! (labelled by repository), one finding is kept per secret with every place it was seen, and
//! tokens are checked against the keys of every report whose secrets are known.

use crate::finding::{ScanResult, Summary};
use crate::rules::RuleSet;
use crate::{merge, proof};
use std::time::Instant;

/// Merges the reports at `paths` (`-`: standard input); `verify` runs proof across them.
pub fn merge(paths: &[String], rules: &RuleSet, verify: bool) -> ScanResult {
    let started = Instant::now();
    let read = merge::read(paths);
    let mut findings = merge::dedupe(read.findings);
    let mut warnings = Vec::new();
    if verify && read.redacted_inputs > 0 {
        warnings.push(format!(
            "{} of {} report(s) are redacted: their tokens and keys were not checked against other reports' (reports hold no raw secrets; for proof across repositories, merge reports written with --show-secrets and keep them private)",
            read.redacted_inputs,
            paths.len()
        ));
    }
    if verify {
        let done = proof::across(&mut findings, rules);
        if done.unchecked > 0 {
            warnings.push(format!(
                "{} token(s) not checked against other reports' keys: proof across reports stops at {} signature checks (tokens times keys); the most severe tokens were checked",
                done.unchecked,
                proof::MAX_ACROSS_CHECKS
            ));
        }
    }
    let summary = Summary {
        files: read.files,
        bytes: read.bytes,
        errors: read.errors,
        warnings,
        suppressed: read.suppressed,
        elapsed: started.elapsed(),
        ..Summary::default()
    };
    ScanResult {
        findings,
        summary,
        labels: read.labels,
    }
}
