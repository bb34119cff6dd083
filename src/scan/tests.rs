//! Unit and property tests of the parent module.
use super::*;
use crate::finding::Severity;
use proptest::prelude::*;
use std::ops::Range;

fn hit(rule: usize, span: Range<usize>) -> (usize, Detection) {
    let d = Detection {
        secret: span,
        severity: Severity::High,
        jwt: None,
        notes: Vec::new(),
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

/// The excerpt masking as it was: each byte checked against every span.
fn quadratic_masked(buf: &[u8], r: Range<usize>, spans: &[Range<usize>]) -> Vec<u8> {
    r.map(|i| {
        if spans.iter().any(|s| s.contains(&i)) {
            b'*'
        } else {
            buf[i]
        }
    })
    .collect()
}

/// Allow markers as they were found: the secret's lines searched per secret.
fn per_secret_allowed(buf: &[u8], secret: &Range<usize>) -> bool {
    let start = memchr::memrchr(b'\n', &buf[..secret.start]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &buf[secret.end..]).map_or(buf.len(), |i| secret.end + i);
    ALLOW_MARKERS
        .iter()
        .any(|m| memchr::memmem::find(&buf[start..end], m).is_some())
}

fn spans(len: usize) -> impl Strategy<Value = Vec<(usize, Range<usize>)>> {
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

    #[test]
    fn masking_matches_the_quadratic_oracle(
        buf in prop::collection::vec(prop::sample::select(b"ab \n".to_vec()), 1..120),
        hits in spans(120),
    ) {
        let spans: Vec<Range<usize>> = hits
            .into_iter()
            .map(|(_, s)| s.start.min(buf.len())..s.end.min(buf.len()))
            .collect();
        let masks = union(spans.clone());
        for s in &spans {
            let (before, after) = context(&buf, s, &masks);
            let lo = s.start.saturating_sub(EXCERPT_CHARS * 4);
            let start = memchr::memrchr(b'\n', &buf[lo..s.start]).map_or(lo, |i| lo + i + 1);
            let hi = (s.end + EXCERPT_CHARS * 4).min(buf.len());
            let end = memchr::memchr(b'\n', &buf[s.end..hi]).map_or(hi, |i| s.end + i);
            let want_before = quadratic_masked(&buf, start..s.start, &spans);
            let want_after = quadratic_masked(&buf, s.end..end.max(s.end), &spans);
            let want_before = String::from_utf8_lossy(&want_before);
            let want_after = String::from_utf8_lossy(&want_after);
            let tail: String = want_before.chars().rev().take(EXCERPT_CHARS).collect::<Vec<_>>().into_iter().rev().collect();
            let head: String = want_after.chars().take(EXCERPT_CHARS).collect();
            prop_assert_eq!(before, tail.trim_start());
            prop_assert_eq!(after, head.trim_end());
        }
    }

    #[test]
    fn allow_markers_match_the_per_secret_search(
        parts in prop::collection::vec(
            prop::sample::select(vec!["a", "\n", " ", "leakhound:allow", "gitleaks:allow", "x"]),
            1..40,
        ),
        hits in spans(200),
    ) {
        let buf = parts.concat().into_bytes();
        let secrets: Vec<Range<usize>> = hits
            .into_iter()
            .map(|(_, s)| s.start.min(buf.len())..s.end.min(buf.len()))
            .collect();
        let got = allowed_inline(&buf, &secrets);
        let want: Vec<bool> = secrets.iter().map(|s| per_secret_allowed(&buf, s)).collect();
        prop_assert_eq!(got, want);
    }
}
