//! One blob in, findings out: the matcher's candidates go through the detectors, overlapping
//! reports of one secret are collapsed, and survivors are located and fingerprinted.

use crate::blob::Blob;
use crate::detect::{self, Detection};
use crate::finding::{fingerprint, Finding, JwtInfo, EXCERPT_CHARS};
use crate::lines;
use crate::matcher::{Matcher, Scratch};
use crate::rules::{Report, Rule, RuleSet};
use crate::source::decode;
use crate::source::extract::{self, Limits, Piece, Visitor};

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

    /// Scans a file's bytes and everything inside them (archive members, decoded binary
    /// formats): the entry point for every source.
    pub fn scan_expanded(
        &self,
        path: &str,
        bytes: &[u8],
        limits: &Limits,
        scratch: &mut Scratch,
    ) -> Expanded {
        if bytes.len() < extract::PARALLEL_ZIP_BYTES {
            let mut v = ExpandVisitor {
                scanner: self,
                scratch: ScratchRef::Borrowed(scratch),
                path,
                out: Expanded::default(),
                budget: decode::Budget::default(),
            };
            extract::expand(path, bytes, limits, &mut v);
            return v.out;
        }
        let make = || ExpandVisitor {
            scanner: self,
            scratch: ScratchRef::Owned(Scratch::default()),
            path,
            out: Expanded::default(),
            budget: decode::Budget::default(),
        };
        let mut merged = Expanded::default();
        for v in extract::expand_parallel(path, bytes, limits, make) {
            merged.findings.extend(v.out.findings);
            merged.warnings.extend(v.out.warnings);
            merged.bytes += v.out.bytes;
        }
        merged
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

/// What scanning a file and its contents gave.
#[derive(Debug, Default)]
pub struct Expanded {
    /// Findings, with `member` and `detail` set for extracted content.
    pub findings: Vec<Finding>,
    /// Limits hit and malformed members, one line each.
    pub warnings: Vec<String>,
    /// Bytes of text scanned (after extraction).
    pub bytes: u64,
}

/// The caller's scratch space, or (for parallel archive workers) one of our own.
enum ScratchRef<'s> {
    Borrowed(&'s mut Scratch),
    Owned(Scratch),
}

impl ExpandVisitor<'_, '_> {
    /// Scans text, then the encoded runs inside it (base64, percent, JS escapes) down to
    /// [`decode::MAX_DEPTH`]; what a decoded run holds is reported at the run.
    fn scan_text(&mut self, member: Option<&str>, bytes: &[u8], depth: usize) -> Vec<Finding> {
        let blob = Blob {
            bytes,
            origin: crate::blob::Origin {
                path: self.path.to_string(),
                member: member.map(str::to_string),
            },
        };
        let scratch = match &mut self.scratch {
            ScratchRef::Borrowed(s) => &mut **s,
            ScratchRef::Owned(s) => s,
        };
        let mut found = self.scanner.scan(&blob, scratch);
        for &rule in scratch.capped() {
            self.out.warnings.push(format!(
                "{}: more than {} matches of {}; the rest were not checked",
                match &blob.origin.member {
                    Some(m) => format!("{}!{m}", blob.origin.path),
                    None => blob.origin.path.clone(),
                },
                crate::matcher::MAX_MATCHES_PER_RULE,
                self.scanner.rules.rules[rule].spec.id
            ));
        }
        if depth >= decode::MAX_DEPTH {
            return found;
        }
        let runs = match scratch.base64_starts() {
            Some(starts) => decode::runs_at(bytes, starts, &mut self.budget),
            None => decode::runs(bytes, &mut self.budget),
        };
        if runs.is_empty() {
            return found;
        }
        let mut decoded: Vec<(usize, Finding)> = Vec::new();
        for (i, run) in runs.iter().enumerate() {
            if memchr::memmem::find(&run.text, b"\"sourcesContent\"").is_some() {
                found.extend(self.inline_source_map(member, &run.text));
                continue;
            }
            // Decoded text is data, not source code, whatever file it sat in.
            let data_member = match member {
                Some(m) => format!("{m}!(decoded)"),
                None => "(decoded)".to_string(),
            };
            let inner = self.scan_text(Some(&data_member), &run.text, depth + 1);
            decoded.extend(inner.into_iter().map(|f| (i, f)));
        }
        if decoded.is_empty() {
            return found;
        }
        // Positions are computed only for runs that held something. Percent and JS escapes
        // map each decoded byte back to its source, so those findings point at the secret
        // itself; base64 findings point at the run.
        let spans: Vec<(usize, usize)> = decoded
            .iter()
            .map(|(i, f)| {
                let run = &runs[*i];
                let start = run.source_offset(f.offset);
                let end = run.source_offset(f.offset + f.secret.len()).max(start);
                (start, end)
            })
            .collect();
        let offsets: Vec<usize> = spans.iter().flat_map(|&(s, e)| [s, e]).collect();
        let pos = lines::positions(bytes, &offsets);
        for (k, (i, mut f)) in decoded.into_iter().enumerate() {
            let run = &runs[i];
            f.member = member.map(str::to_string);
            f.offset = spans[k].0;
            f.start = pos[2 * k];
            f.end = pos[2 * k + 1];
            f.detail = Some(match f.detail.take() {
                Some(d) => format!("{}, {d}", run.encoding.label()),
                None => run.encoding.label().to_string(),
            });
            found.push(f);
        }
        found
    }

    /// An inline `sourceMappingURL=data:…;base64,` map: its sources, as separate members.
    fn inline_source_map(&mut self, member: Option<&str>, json: &[u8]) -> Vec<Finding> {
        let name = match member {
            Some(m) => format!("{m}!(inline source map)"),
            None => "(inline source map)".to_string(),
        };
        let before = std::mem::take(&mut self.out.findings);
        let mut nested = NestedVisitor {
            parent: self,
            base: name.clone(),
        };
        extract::expand(
            &format!("{name}.map"),
            json,
            &Limits::default(),
            &mut nested,
        );
        std::mem::replace(&mut self.out.findings, before)
    }
}

/// Collects what an inline source map's sources hold, under the map's member name.
struct NestedVisitor<'p, 'a, 's> {
    parent: &'p mut ExpandVisitor<'a, 's>,
    base: String,
}

impl Visitor for NestedVisitor<'_, '_, '_> {
    fn piece(&mut self, piece: Piece<'_>) {
        let member = match piece.member {
            Some(m) => format!("{}!{m}", self.base),
            None => self.base.clone(),
        };
        let found = self
            .parent
            .scan_text(Some(&member), piece.bytes, decode::MAX_DEPTH);
        self.parent.out.findings.extend(found);
    }

    fn warn(&mut self, message: String) {
        self.parent.out.warnings.push(message);
    }
}

struct ExpandVisitor<'a, 's> {
    scanner: &'a Scanner,
    scratch: ScratchRef<'s>,
    path: &'a str,
    out: Expanded,
    /// What the current piece may still decode, at every depth.
    budget: decode::Budget,
}

impl Visitor for ExpandVisitor<'_, '_> {
    fn piece(&mut self, piece: Piece<'_>) {
        self.budget = decode::Budget::default();
        let mut found = self.scan_text(piece.member, piece.bytes, 0);
        if self.budget.exhausted() {
            let at = match piece.member {
                Some(m) => format!("{}!{m}", self.path),
                None => self.path.to_string(),
            };
            self.out.warnings.push(format!(
                "{at}: decoding budget spent ({} MiB or {} encoded runs); {} more runs were not decoded",
                decode::MAX_DECODED_BYTES >> 20,
                decode::MAX_DECODED_RUNS,
                self.budget.skipped
            ));
        }
        if let Some(describe) = piece.detail {
            for f in &mut found {
                let inner = describe(f.offset);
                f.detail = Some(match f.detail.take() {
                    Some(d) => format!("{inner}, {d}"),
                    None => inner,
                });
            }
        }
        self.out.bytes += piece.bytes.len() as u64;
        self.out.findings.extend(found);
    }

    fn warn(&mut self, message: String) {
        self.out.warnings.push(message);
    }
}

#[cfg(test)]
mod tests;
