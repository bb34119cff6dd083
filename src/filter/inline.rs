//! Inline allow markers: a comment on a secret's line that says a person reviewed it.

/// Comments that mark a reviewed secret, ours and those of the tools teams migrate from.
const ALLOW_MARKERS: &[&[u8]] = &[
    b"leakhound:allow",
    b"gitleaks:allow",
    b"pragma: allowlist secret",
];

/// For each secret, whether a line it spans carries an allow marker, in any comment syntax.
/// Markers are found once per blob and line bounds by sweeping the secrets in order, so a
/// long line with many secrets is read a bounded number of times, not once per secret.
pub fn marked(buf: &[u8], secrets: &[std::ops::Range<usize>]) -> Vec<bool> {
    if secrets.is_empty() {
        return Vec::new();
    }
    let mut markers: Vec<usize> = ALLOW_MARKERS
        .iter()
        .flat_map(|m| memchr::memmem::find_iter(buf, m))
        .collect();
    if markers.is_empty() {
        return vec![false; secrets.len()];
    }
    markers.sort_unstable();
    // A marker holds no newline, so it is on a secret's lines exactly when it starts at or
    // after the first line's start and before the last line's end.
    let starts = line_starts(buf, secrets);
    let ends = line_ends(buf, secrets);
    starts
        .iter()
        .zip(&ends)
        .map(|(&lo, &hi)| {
            let i = markers.partition_point(|&m| m < lo);
            markers.get(i).is_some_and(|&m| m < hi)
        })
        .collect()
}

/// The start of the line holding each secret's first byte. Offsets are visited in
/// increasing order and each searches back only to the previous one, so every byte is
/// searched once.
fn line_starts(buf: &[u8], secrets: &[std::ops::Range<usize>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..secrets.len()).collect();
    order.sort_unstable_by_key(|&i| secrets[i].start);
    let mut out = vec![0; secrets.len()];
    let (mut prev, mut line) = (0usize, 0usize);
    for i in order {
        let at = secrets[i].start.min(buf.len());
        if let Some(nl) = memchr::memrchr(b'\n', &buf[prev..at]) {
            line = prev + nl + 1;
        }
        prev = at;
        out[i] = line;
    }
    out
}

/// The end of the line holding each secret's last byte (the newline, or the buffer's end),
/// visiting ends in decreasing order, each searching forward only to the next one.
fn line_ends(buf: &[u8], secrets: &[std::ops::Range<usize>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..secrets.len()).collect();
    order.sort_unstable_by_key(|&i| std::cmp::Reverse(secrets[i].end));
    let mut out = vec![buf.len(); secrets.len()];
    let (mut next, mut line_end) = (buf.len(), buf.len());
    for i in order {
        let at = secrets[i].end.min(next);
        if let Some(nl) = memchr::memchr(b'\n', &buf[at..next]) {
            line_end = at + nl;
        }
        next = at;
        out[i] = line_end;
    }
    out
}

#[cfg(test)]
#[path = "inline_tests.rs"]
mod tests;
