//! The sweep-based collapse against the quadratic search it replaced.
use super::collapse::*;
use super::Detection;
use crate::rules::Severity;
use proptest::prelude::*;
use std::ops::Range;

fn hit(rule: usize, span: Range<usize>) -> (usize, Detection) {
    let d = Detection {
        secret: span,
        severity: Severity::High,
        jwt: None,
        notes: Vec::new(),
        confidence: None,
        evidence: None,
    };
    (rule, d)
}

/// Priorities with ties, so the offset and rule tie-breaks are exercised.
fn prio(rule: usize) -> i32 {
    (rule % 3) as i32
}

/// The collapse as it was: every hit checked against everything kept before it.
fn quadratic_collapse(mut hits: Vec<(usize, Detection)>) -> Vec<(usize, Range<usize>)> {
    hits.sort_by(|a, b| {
        prio(b.0)
            .cmp(&prio(a.0))
            .then(a.1.secret.start.cmp(&b.1.secret.start))
            .then(a.0.cmp(&b.0))
    });
    let mut kept: Vec<(usize, Detection)> = Vec::new();
    for (rule, d) in hits {
        let overlaps = kept
            .iter()
            .any(|(_, k)| k.secret.start < d.secret.end && d.secret.start < k.secret.end);
        if !overlaps {
            kept.push((rule, d));
        }
    }
    kept.into_iter().map(|(r, d)| (r, d.secret)).collect()
}

pub(crate) fn spans(len: usize) -> impl Strategy<Value = Vec<(usize, Range<usize>)>> {
    prop::collection::vec((0usize..6, 0..len, 0usize..12), 0..60).prop_map(move |v| {
        v.into_iter()
            .map(|(rule, start, n)| (rule, start..(start + n).min(len)))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn collapse_matches_the_quadratic_oracle(hits in spans(80)) {
        let made: Vec<_> = hits.iter().map(|(r, s)| hit(*r, s.clone())).collect();
        let got: Vec<_> = collapse_spans(made.clone(), prio)
            .into_iter()
            .map(|(r, d)| (r, d.secret))
            .collect();
        prop_assert_eq!(got, quadratic_collapse(made));
    }
}
