//! Allow markers against the per-secret search they replaced.
use super::*;
use crate::detect::collapse_tests::spans;
use proptest::prelude::*;
use std::ops::Range;

/// Allow markers as they were found: the secret's lines searched per secret.
fn per_secret_allowed(buf: &[u8], secret: &Range<usize>) -> bool {
    let start = memchr::memrchr(b'\n', &buf[..secret.start]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &buf[secret.end..]).map_or(buf.len(), |i| secret.end + i);
    ALLOW_MARKERS
        .iter()
        .any(|m| memchr::memmem::find(&buf[start..end], m).is_some())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

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
        let got = marked(&buf, &secrets);
        let want: Vec<bool> = secrets.iter().map(|s| per_secret_allowed(&buf, s)).collect();
        prop_assert_eq!(got, want);
    }
}
