//! One blob in, findings out: the matcher's candidates go through the detectors, overlapping
//! reports of one secret are collapsed, and survivors are located and fingerprinted.

use crate::blob::Blob;
use crate::detect::{self, Detection};
use crate::finding::{fingerprint, Finding, JwtInfo, EXCERPT_CHARS};
use crate::lines;
use crate::matcher::{Matcher, Scratch};
use crate::rules::{Report, Rule, RuleSet};

mod expand;

pub use expand::Expanded;

/// Settings that change what a scan reports.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// "Now" in unix seconds, for token expiry (fixed in tests for reproducible output).
    pub now: i64,
    /// Run the keyword prefilter (off only to check it loses nothing).
    pub prefilter: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            now: unix_now(),
            prefilter: true,
        }
    }
}

/// Current time in unix seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Rules plus the matcher built from them; shared read-only by every worker.
pub struct Scanner {
    /// The rules in force.
    pub rules: RuleSet,
    matcher: Matcher,
    options: ScanOptions,
}

impl Scanner {
    /// Builds the matcher for `rules`.
    pub fn new(rules: RuleSet, options: ScanOptions) -> Self {
        let matcher = Matcher::new(&rules);
        Scanner {
            rules,
            matcher,
            options,
        }
    }

    /// Scans one blob. `scratch` is the calling worker's reusable state.
    pub fn scan(&self, blob: &Blob, scratch: &mut Scratch) -> Vec<Finding> {
        self.scan_with(blob, scratch, self.options.prefilter)
    }

    /// Scans one blob with the keyword prefilter on or off; both must give the same findings.
    pub fn scan_with(&self, blob: &Blob, scratch: &mut Scratch, prefilter: bool) -> Vec<Finding> {
        let raw = self
            .matcher
            .find(&self.rules, blob.bytes, scratch, prefilter);
        let site = detect::Site {
            now: self.options.now,
            code: blob.origin.is_code(),
            client: blob.origin.is_client_side(),
        };
        let facts = detect::BlobFacts::default();
        let mut hits: Vec<(usize, Detection)> = raw
            .iter()
            .filter_map(|m| {
                let rule = &self.rules.rules[m.rule];
                detect::detect(rule, blob.bytes, m, site, &facts).map(|d| (m.rule, d))
            })
            .collect();
        self.collapse(&mut hits);
        self.to_findings(blob, hits)
    }

    /// Keeps one report per secret: where spans overlap, the higher-priority (more specific)
    /// rule wins, so a CAF token is not also reported as a bare JWT and a bearer token. Key
    /// material competes only with key material: a public key or a candidate literal never
    /// hides a reported secret, nor is hidden by one.
    fn collapse(&self, hits: &mut Vec<(usize, Detection)>) {
        let (material, reported): (Vec<_>, Vec<_>) = hits
            .drain(..)
            .partition(|(r, _)| self.rules.rules[*r].spec.report != Report::Always);
        let mut kept = self.collapse_group(reported);
        kept.extend(self.collapse_group(material));
        kept.sort_by_key(|(rule, d)| (d.secret.start, *rule));
        *hits = kept;
    }

    fn collapse_group(&self, hits: Vec<(usize, Detection)>) -> Vec<(usize, Detection)> {
        collapse_spans(hits, |i| self.rules.rules[i].spec.priority)
    }

    fn to_findings(&self, blob: &Blob, hits: Vec<(usize, Detection)>) -> Vec<Finding> {
        let offsets: Vec<usize> = hits
            .iter()
            .flat_map(|(_, d)| [d.secret.start, d.secret.end])
            .collect();
        let pos = lines::positions(blob.bytes, &offsets);
        let spans: Vec<std::ops::Range<usize>> =
            hits.iter().map(|(_, d)| d.secret.clone()).collect();
        let allowed = allowed_inline(blob.bytes, &spans);
        let masks = union(spans);
        hits.into_iter()
            .enumerate()
            .map(|(i, (ri, d))| {
                let rule = &self.rules.rules[ri];
                let secret = String::from_utf8_lossy(&blob.bytes[d.secret.clone()]).into_owned();
                Finding {
                    rule_id: rule.spec.id.clone(),
                    rule_name: rule.spec.name.clone(),
                    severity: d.severity,
                    confidence: rule.spec.confidence,
                    path: blob.origin.path.clone(),
                    member: blob.origin.member.clone(),
                    detail: None,
                    start: pos[2 * i],
                    end: pos[2 * i + 1],
                    offset: d.secret.start,
                    fingerprint: fingerprint(&rule.spec.id, &secret),
                    message: message(rule, &d),
                    context: context(blob.bytes, &d.secret, &masks),
                    secret,
                    jwt: d.jwt,
                    commit: None,
                    later_occurrences: 0,
                    verified_by: None,
                    signs: Vec::new(),
                    allowed_inline: allowed[i],
                }
            })
            .collect()
    }
}

/// Keeps one hit per secret: hits are taken by priority (highest first), then offset, then
/// rule, and one is kept when its span overlaps none kept before it. Kept spans never
/// overlap, so ordered by (start, end) their ends never decrease: the only kept span that
/// can overlap `[s, e)` is the last one starting before `e`. One ordered-set lookup per hit
/// instead of a scan of everything kept (which was quadratic in the hit count).
fn collapse_spans(
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

/// The union of `spans` as sorted, disjoint ranges, for masking by binary search.
fn union(mut spans: Vec<std::ops::Range<usize>>) -> Vec<std::ops::Range<usize>> {
    spans.retain(|r| r.start < r.end);
    spans.sort_unstable_by_key(|r| r.start);
    let mut out: Vec<std::ops::Range<usize>> = Vec::with_capacity(spans.len());
    for r in spans {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Comments that mark a reviewed secret, ours and those of the tools teams migrate from.
const ALLOW_MARKERS: &[&[u8]] = &[
    b"leakhound:allow",
    b"gitleaks:allow",
    b"pragma: allowlist secret",
];

/// For each secret, whether a line it spans carries an allow marker, in any comment syntax.
/// Markers are found once per blob and line bounds by sweeping the secrets in order, so a
/// long line with many secrets is read a bounded number of times, not once per secret.
fn allowed_inline(buf: &[u8], secrets: &[std::ops::Range<usize>]) -> Vec<bool> {
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

/// The line around `secret`, at most [`EXCERPT_CHARS`] characters a side, every byte of
/// another reported secret replaced by `*`. `masks` is the union of the reported secrets
/// (see [`union`]): only the few ranges near the excerpt are looked at.
fn context(
    buf: &[u8],
    secret: &std::ops::Range<usize>,
    masks: &[std::ops::Range<usize>],
) -> (String, String) {
    let reach = EXCERPT_CHARS * 4;
    let lo = secret.start.saturating_sub(reach);
    let start = memchr::memrchr(b'\n', &buf[lo..secret.start]).map_or(lo, |i| lo + i + 1);
    let hi = (secret.end + reach).min(buf.len());
    let end = memchr::memchr(b'\n', &buf[secret.end..hi]).map_or(hi, |i| secret.end + i);
    let masked = |r: std::ops::Range<usize>| -> String {
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

fn message(rule: &Rule, d: &Detection) -> String {
    let mut parts = vec![rule.spec.name.clone()];
    if let Some(j) = &d.jwt {
        parts.push(jwt_summary(j));
    }
    parts.extend(d.notes.iter().cloned());
    parts.join("; ")
}

fn jwt_summary(j: &JwtInfo) -> String {
    let mut s = format!("alg {}", j.alg);
    if let Some(iss) = &j.iss {
        s.push_str(&format!(", iss {iss}"));
    }
    if !j.personal.is_empty() {
        let claims: Vec<String> = j.personal.iter().map(|(k, v)| format!("{k}={v}")).collect();
        s.push_str(&format!(", personal claims {}", claims.join(" ")));
    }
    for f in &j.flags {
        s.push_str(", ");
        s.push_str(match f.as_str() {
            "unsigned" => "unsigned (alg none)",
            "expired" => "expired",
            "no-expiry" => "never expires (no exp claim)",
            "long-lived" => "valid for more than a year",
            "public-sample" => "public sample token",
            other => other,
        });
    }
    s
}

#[cfg(test)]
mod tests;
