//! One report per secret: where detections of several rules overlap, the more specific rule
//! wins.

use super::Detection;
use crate::rules::{Report, RuleSet};

/// Keeps one report per secret: where spans overlap, the higher-priority (more specific)
/// rule wins, so a CAF token is not also reported as a bare JWT and a bearer token. Key
/// material competes only with key material: a public key or a candidate literal never
/// hides a reported secret, nor is hidden by one. `hits` pairs a rule index with its
/// detection; the result is ordered by offset, then rule.
pub fn collapse(rules: &RuleSet, hits: Vec<(usize, Detection)>) -> Vec<(usize, Detection)> {
    let (material, reported): (Vec<_>, Vec<_>) = hits
        .into_iter()
        .partition(|(r, _)| rules.rules[*r].spec.report != Report::Always);
    let prio = |i: usize| rules.rules[i].spec.priority;
    let mut kept = collapse_spans(reported, prio);
    kept.extend(collapse_spans(material, prio));
    kept.sort_by_key(|(rule, d)| (d.secret.start, *rule));
    kept
}

/// Keeps one hit per secret: hits are taken by priority (highest first), then offset, then
/// rule, and one is kept when its span overlaps none kept before it. Kept spans never
/// overlap, so ordered by (start, end) their ends never decrease: the only kept span that
/// can overlap `[s, e)` is the last one starting before `e`. One ordered-set lookup per hit
/// instead of a scan of everything kept (which was quadratic in the hit count).
pub(crate) fn collapse_spans(
    mut hits: Vec<(usize, Detection)>,
    prio: impl Fn(usize) -> i32,
) -> Vec<(usize, Detection)> {
    hits.sort_by(|a, b| {
        prio(b.0)
            .cmp(&prio(a.0))
            .then(a.1.secret.start.cmp(&b.1.secret.start))
            .then(a.0.cmp(&b.0))
    });
    let mut taken: std::collections::BTreeSet<(usize, usize)> = Default::default();
    let mut kept: Vec<(usize, Detection)> = Vec::with_capacity(hits.len());
    for (rule, d) in hits {
        let (s, e) = (d.secret.start, d.secret.end);
        let overlaps = taken
            .range(..(e, 0))
            .next_back()
            .is_some_and(|&(_, end)| s < end);
        if !overlaps {
            taken.insert((s, e));
            kept.push((rule, d));
        }
    }
    kept
}
