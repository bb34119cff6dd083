//! Excerpt masking against the per-byte search it replaced.
use super::*;
use crate::detect::collapse_tests::spans;
use crate::finding::EXCERPT_CHARS;
use proptest::prelude::*;

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

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
}
