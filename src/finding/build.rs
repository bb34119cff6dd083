//! Detections of one blob → located findings: line and column, fingerprint, an excerpt of
//! the line with every other secret masked.

use super::lines;
use super::{fingerprint, Finding, Note, EXCERPT_CHARS};
use crate::detect::Detection;
use crate::rules::RuleSet;
use crate::source::blob::Blob;
use std::ops::Range;

/// The findings for `hits` (rule index, detection) in `blob`; `allowed[i]` says whether an
/// allow marker sits on hit `i`'s lines.
pub fn build(
    rules: &RuleSet,
    blob: &Blob,
    hits: Vec<(usize, Detection)>,
    allowed: &[bool],
) -> Vec<Finding> {
    let offsets: Vec<usize> = hits
        .iter()
        .flat_map(|(_, d)| [d.secret.start, d.secret.end])
        .collect();
    let pos = lines::positions(blob.bytes, &offsets);
    let spans: Vec<Range<usize>> = hits.iter().map(|(_, d)| d.secret.clone()).collect();
    let masks = union(spans);
    hits.into_iter()
        .enumerate()
        .map(|(i, (ri, d))| {
            let rule = &rules.rules[ri];
            let secret = String::from_utf8_lossy(&blob.bytes[d.secret.clone()]).into_owned();
            Finding {
                rule_id: rule.spec.id.clone(),
                rule_name: rule.spec.name.clone(),
                severity: d.severity,
                confidence: d.confidence.unwrap_or(rule.spec.confidence),
                path: blob.origin.path.clone(),
                member: blob.origin.member.clone(),
                detail: None,
                start: pos[2 * i],
                end: pos[2 * i + 1],
                offset: d.secret.start,
                // The blob's own position until extraction says the blob is a piece of
                // something else.
                region: Some(super::Region {
                    start: pos[2 * i],
                    end: pos[2 * i + 1],
                }),
                original_source: None,
                original_file: None,
                fingerprint: fingerprint(&rule.spec.id, &secret),
                notes: d.notes.into_iter().map(Note::Detected).collect(),
                context: context(blob.bytes, &d.secret, &masks),
                secret,
                jwt: d.jwt,
                evidence: d.evidence,
                commit: None,
                later_occurrences: 0,
                verified_by: None,
                signs: Vec::new(),
                allowed_inline: allowed[i],
                label: None,
                also_in: Vec::new(),
                redacted: false,
            }
        })
        .collect()
}

/// The union of `spans` as sorted, disjoint ranges, for masking by binary search.
fn union(mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    spans.retain(|r| r.start < r.end);
    spans.sort_unstable_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for r in spans {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// The line around `secret`, at most [`EXCERPT_CHARS`] characters a side, every byte of
/// another reported secret replaced by `*`. `masks` is the union of the reported secrets
/// (see [`union`]): only the few ranges near the excerpt are looked at.
fn context(buf: &[u8], secret: &Range<usize>, masks: &[Range<usize>]) -> (String, String) {
    let reach = EXCERPT_CHARS * 4;
    let lo = secret.start.saturating_sub(reach);
    let start = memchr::memrchr(b'\n', &buf[lo..secret.start]).map_or(lo, |i| lo + i + 1);
    let hi = (secret.end + reach).min(buf.len());
    let end = memchr::memchr(b'\n', &buf[secret.end..hi]).map_or(hi, |i| secret.end + i);
    let masked = |r: Range<usize>| -> String {
        let mut bytes = buf[r.clone()].to_vec();
        let first = masks.partition_point(|m| m.end <= r.start);
        for m in masks[first..].iter().take_while(|m| m.start < r.end) {
            let (lo, hi) = (m.start.max(r.start), m.end.min(r.end));
            bytes[lo - r.start..hi - r.start].fill(b'*');
        }
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let before: String = masked(start..secret.start);
    let after: String = masked(secret.end.max(start)..end.max(secret.end));
    let before: String = before
        .chars()
        .rev()
        .take(EXCERPT_CHARS)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let after: String = after.chars().take(EXCERPT_CHARS).collect();
    (
        before.trim_start().to_string(),
        after.trim_end().to_string(),
    )
}

#[cfg(test)]
#[path = "build_tests.rs"]
mod tests;
