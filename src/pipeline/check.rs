//! `rules check`: every example of every rule through the same pipeline a scan uses
//! (extraction, decoding, matcher, detection, proof and filters), so an example that only
//! works through proof is checked too.

use super::{finish, FinishOptions, Scanner};
use crate::config::Config;
use crate::finding::{Finding, ScanResult};
use crate::matcher::Scratch;
use crate::rules::Report;
use crate::source::extract::Limits;

/// One failed example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFailure {
    /// The rule whose example failed.
    pub rule: String,
    /// `example` or `negative_example`, with its index.
    pub which: String,
    /// What went wrong.
    pub problem: String,
}

/// Runs every example of every rule through the pipeline, with the prefilter both on and off
/// (the two must agree). Returns the failures and the number of examples run.
pub fn check(scanner: &Scanner) -> (Vec<CheckFailure>, usize) {
    let mut failures = Vec::new();
    let mut count = 0;
    let mut scratch = Scratch::default();
    for rule in &scanner.rules.rules {
        let id = &rule.spec.id;
        let cases = rule
            .spec
            .examples
            .iter()
            .map(|e| (true, e))
            .chain(rule.spec.negative_examples.iter().map(|e| (false, e)));
        for (i, (positive, text)) in cases.enumerate() {
            count += 1;
            let path = format!("example-{i}");
            let mut run = |prefilter| settled(scanner, &path, text, &mut scratch, prefilter);
            let (on, off) = (run(true), run(false));
            // Key material is evidence for proof, which drops what it did not use: such a
            // rule's examples are judged before proof, every other rule's after it.
            let judged = if rule.spec.report == Report::Always {
                &on.1
            } else {
                &on.0
            };
            let hit = judged.iter().any(|f| &f.rule_id == id);
            if key(&on.1) != key(&off.1) || key(&on.0) != key(&off.0) {
                failures.push(CheckFailure {
                    rule: id.clone(),
                    which: format!("case {i}"),
                    problem: "prefilter on and off disagree".into(),
                });
            }
            if hit != positive {
                failures.push(failure(id, positive, i, text));
            }
        }
    }
    (failures, count)
}

fn key(findings: &[Finding]) -> Vec<(String, usize)> {
    findings
        .iter()
        .map(|f| (f.rule_id.clone(), f.offset))
        .collect()
}

/// The findings of a scan of `text` alone, before proof and as reported.
fn settled(
    scanner: &Scanner,
    path: &str,
    text: &str,
    scratch: &mut Scratch,
    prefilter: bool,
) -> (Vec<Finding>, Vec<Finding>) {
    let out = scanner.scan_expanded_with(
        path,
        text.as_bytes(),
        &Limits::default(),
        scratch,
        prefilter,
    );
    let detected = out.findings.clone();
    let mut result = ScanResult {
        findings: out.findings,
        ..ScanResult::default()
    };
    let opts = FinishOptions {
        verify: true,
        ..FinishOptions::default()
    };
    finish(&mut result, &scanner.rules, &Config::default(), opts);
    (detected, result.findings)
}

fn failure(id: &str, positive: bool, i: usize, text: &str) -> CheckFailure {
    let (which, problem) = if positive {
        ("example", format!("no {id} finding in {text:?}"))
    } else {
        (
            "negative_example",
            format!("unexpected {id} finding in {text:?}"),
        )
    };
    CheckFailure {
        rule: id.to_string(),
        which: format!("{which} {i}"),
        problem,
    }
}
