//! Accepted findings leave the report here, each counted under the mechanism that accepted
//! it, so the summary can say what was silenced and how: inline markers, the configuration's
//! allowlist and severity overrides, and the baseline.

pub mod allowlist;
pub mod baseline;
pub mod inline;

use crate::config::Config;
use crate::finding::Finding;
use baseline::{Baseline, Entry};
use std::collections::BTreeMap;

/// Suppressed findings by mechanism (`inline`, `config-path`, …, `baseline`).
pub type Counts = BTreeMap<String, usize>;

fn bump(counts: &mut Counts, mechanism: &str, n: usize) {
    if n > 0 {
        *counts.entry(mechanism.to_string()).or_insert(0) += n;
    }
}

/// Drops findings accepted by an inline marker or by the configuration's allowlist, and
/// applies its severity overrides to the rest.
pub fn accepted(findings: &mut Vec<Finding>, cfg: &Config, counts: &mut Counts) {
    findings.retain(|f| {
        let why = if f.allowed_inline {
            Some("inline")
        } else {
            allowlist::allows(cfg, f).map(allowlist::Allowed::as_str)
        };
        why.inspect(|w| bump(counts, w, 1)).is_none()
    });
    for f in findings.iter_mut() {
        if let Some(sev) = cfg.severity(&f.rule_id) {
            f.severity = sev;
        }
    }
}

/// Drops findings the baseline accepts; returns its entries nothing matched (stale).
pub fn baselined(
    findings: &mut Vec<Finding>,
    baseline: &Baseline,
    counts: &mut Counts,
) -> Vec<Entry> {
    let stale = baseline.stale(findings);
    let before = findings.len();
    findings.retain(|f| !baseline.contains(f));
    bump(counts, "baseline", before - findings.len());
    stale
}

/// Records every finding in a new baseline and drops them all: they are accepted now.
pub fn into_baseline(findings: &mut Vec<Finding>, counts: &mut Counts) -> Baseline {
    let baseline = Baseline::of(findings);
    bump(counts, "baseline", findings.len());
    findings.clear();
    baseline
}
