//! Bytes → candidate matches: a keyword prefilter over the whole buffer, then each rule's
//! regex run only in the windows around its keyword hits.

mod bucket;
mod carry;
mod prefilter;

pub use carry::Found;
use carry::Searched;
pub use prefilter::{Hit, Prefilter};

use crate::rules::RuleSet;
use crate::source::git::pack::Op;
use std::ops::Range;

/// Most regex matches kept per rule in one blob. Every match may become a finding, and a
/// finding costs kilobytes by the time it is reported, so a file of a million header lines
/// would otherwise take gigabytes; past this the rule's remaining matches in the blob are
/// dropped and [`Scratch::capped`] names the rule so the caller can say so.
pub const MAX_MATCHES_PER_RULE: usize = 50_000;

/// A rule's regex matched here; detectors decide whether it is a finding.
#[derive(Debug, Clone)]
pub struct RawMatch {
    /// Index of the rule in the [`RuleSet`].
    pub rule: usize,
    /// The whole regex match.
    pub whole: Range<usize>,
    /// The `secret` or `bare` capture.
    pub secret: Range<usize>,
    /// True when the capture was `bare` (an unquoted value).
    pub bare: bool,
}

/// Per-thread scratch space, made once per worker and reused for every blob.
#[derive(Default)]
pub struct Scratch {
    hits: Vec<Hit>,
    windows: Vec<Vec<Range<usize>>>,
    touched: Vec<usize>,
    base64_starts: Vec<usize>,
    /// More base64 starts than [`prefilter::MAX_BASE64_STARTS`] were seen.
    starts_overflowed: bool,
    prefiltered: bool,
    capped: Vec<usize>,
}

impl Scratch {
    /// Leaves this scratch as the search that gave `found` left its own.
    pub fn load(&mut self, found: &Found) {
        self.base64_starts.clone_from(&found.base64_starts);
        self.starts_overflowed = found.starts_overflowed;
        self.capped.clone_from(&found.capped);
        self.prefiltered = true;
    }

    /// Where the last prefiltered search saw a base64 run worth decoding may start, in
    /// order; `None` when the last search ran without the prefilter, or saw too many to keep
    /// (the decoder then finds the runs itself).
    pub fn base64_starts(&self) -> Option<&[usize]> {
        (self.prefiltered && !self.starts_overflowed).then_some(self.base64_starts.as_slice())
    }

    /// Rules whose matches in the last searched buffer were cut at [`MAX_MATCHES_PER_RULE`].
    pub fn capped(&self) -> &[usize] {
        &self.capped
    }
}

/// Runs the two matching stages over a buffer.
pub struct Matcher {
    prefilter: Prefilter,
}

impl Matcher {
    /// Number of keyword searchers the prefilter runs (one per 48 keywords).
    pub fn automata(&self) -> usize {
        self.prefilter.automata()
    }

    /// Builds the prefilter for `rules`.
    pub fn new(rules: &RuleSet) -> Self {
        Self::with_ride_along(rules, &[])
    }

    /// Builds the prefilter for `rules`, also collecting where each `starts` string occurs
    /// ([`Scratch::base64_starts`]), so a decoder that needs them has no pass of its own.
    pub fn with_ride_along(rules: &RuleSet, starts: &[&str]) -> Self {
        Matcher {
            prefilter: Prefilter::new(rules, starts),
        }
    }

    /// Every regex match of every rule near one of its keywords, in rule then offset order.
    /// With `prefilter` off, each rule's regex runs over the whole buffer (used to check that
    /// the prefilter never loses a match).
    pub fn find(
        &self,
        rules: &RuleSet,
        buf: &[u8],
        scratch: &mut Scratch,
        prefilter: bool,
    ) -> Vec<RawMatch> {
        if !prefilter {
            return self.find_everywhere(rules, buf, scratch);
        }
        let mut hits = std::mem::take(&mut scratch.hits);
        hits.clear();
        self.prefilter.hits(buf, 0..buf.len(), &mut hits);
        hits.sort_unstable();
        let out = self.find_with_hits(rules, buf, &hits, scratch);
        scratch.hits = hits;
        out
    }

    /// Every keyword hit in `buf`, in [`Hit`] order.
    pub fn hits(&self, buf: &[u8]) -> Vec<Hit> {
        let mut hits = Vec::new();
        self.prefilter.hits(buf, 0..buf.len(), &mut hits);
        hits.sort_unstable();
        hits
    }

    /// Every keyword hit in `buf`, which a delta built from a base whose hits are `base`
    /// (complete, in order): a hit lying wholly in copied bytes is the base's, moved; only
    /// inserted bytes and the seams between instructions, widened by the longest keyword,
    /// are searched. Gives exactly what [`Matcher::hits`] gives on `buf`.
    pub fn hits_through(&self, base: &[Hit], buf: &[u8], ops: &[Op]) -> Vec<Hit> {
        let reach = self.prefilter.longest().saturating_sub(1);
        let mut out = Vec::new();
        let mut fresh: Vec<Range<usize>> = Vec::new();
        let near =
            |at: usize, len: usize| at.saturating_sub(reach)..(at + len + reach).min(buf.len());
        for op in ops {
            let Some(from) = op.from else {
                push_range(&mut fresh, near(op.to, op.len));
                continue;
            };
            let first = base.partition_point(|h| h.start < from);
            for h in base[first..].iter().take_while(|h| h.start < from + op.len) {
                if h.end() <= from + op.len {
                    out.push(h.moved(from, op.to));
                }
            }
            push_range(&mut fresh, near(op.to, 0));
            push_range(&mut fresh, near(op.to + op.len, 0));
        }
        for r in fresh {
            self.prefilter.hits(buf, r, &mut out);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// [`Matcher::find`] with the keyword hits already known (from [`Matcher::hits`] or
    /// [`Matcher::hits_through`] on these bytes).
    pub fn find_with_hits(
        &self,
        rules: &RuleSet,
        buf: &[u8],
        hits: &[Hit],
        scratch: &mut Scratch,
    ) -> Vec<RawMatch> {
        self.find_through(rules, buf, hits, None, scratch).matches
    }

    /// [`Matcher::find_with_hits`] for a buffer that a delta built from a buffer whose
    /// search gave `parent`: windows the delta copied whole give the parent's matches,
    /// moved. Gives exactly what [`Matcher::find_with_hits`] gives on `buf`, and leaves
    /// `scratch` as it does.
    pub fn find_through(
        &self,
        rules: &RuleSet,
        buf: &[u8],
        hits: &[Hit],
        parent: Option<(&Found, &[Op])>,
        scratch: &mut Scratch,
    ) -> Found {
        let mut found = Found::default();
        scratch.base64_starts.clear();
        scratch.capped.clear();
        scratch.prefiltered = true;
        scratch.windows.resize_with(rules.rules.len(), Vec::new);
        scratch.starts_overflowed = self.prefilter.windows(
            rules,
            buf,
            hits,
            &mut scratch.windows,
            &mut scratch.touched,
            &mut scratch.base64_starts,
        );
        scratch.base64_starts.sort_unstable();
        scratch.touched.sort_unstable();
        for &idx in &scratch.touched {
            let windows = &mut scratch.windows[idx];
            merge(windows);
            if !search_rule(rules, idx, buf, windows, parent, &mut found) {
                scratch.capped.push(idx);
            }
            windows.clear();
        }
        scratch.touched.clear();
        found.base64_starts.clone_from(&scratch.base64_starts);
        found.starts_overflowed = scratch.starts_overflowed;
        found.capped.clone_from(&scratch.capped);
        found
    }

    /// Each rule's regex over the whole buffer.
    fn find_everywhere(&self, rules: &RuleSet, buf: &[u8], scratch: &mut Scratch) -> Vec<RawMatch> {
        let mut out = Vec::new();
        scratch.base64_starts.clear();
        scratch.starts_overflowed = false;
        scratch.capped.clear();
        scratch.prefiltered = false;
        for idx in 0..rules.rules.len() {
            let mut left = MAX_MATCHES_PER_RULE;
            if !confirm(rules, idx, buf, 0..buf.len(), &mut left, &mut out).complete {
                scratch.capped.push(idx);
            }
        }
        out
    }
}

/// Appends `r` to ranges that arrive in order of start, joining it to the last one when
/// they touch.
fn push_range(ranges: &mut Vec<Range<usize>>, r: Range<usize>) {
    match ranges.last_mut() {
        Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
        _ => ranges.push(r),
    }
}

/// Merges overlapping or touching ranges in place; input is sorted by start first.
pub(crate) fn merge(ranges: &mut Vec<Range<usize>>) {
    ranges.sort_unstable_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges.drain(..) {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    *ranges = merged;
}

/// Searches rule `idx`'s merged `windows` (or takes their matches from `parent`), adding
/// matches and windows to `found`; false when the rule's match budget ran out.
fn search_rule(
    rules: &RuleSet,
    idx: usize,
    buf: &[u8],
    windows: &[Range<usize>],
    parent: Option<(&Found, &[Op])>,
    found: &mut Found,
) -> bool {
    let mut left = MAX_MATCHES_PER_RULE;
    for w in windows {
        let from = found.matches.len();
        let carried = parent.and_then(|(p, ops)| p.carried(idx, w, ops));
        let searched = match carried {
            Some(matches) => take(matches, &mut left, &mut found.matches),
            None => confirm(rules, idx, buf, w.clone(), &mut left, &mut found.matches),
        };
        let matches = from..found.matches.len();
        let reusable = searched.complete
            && !searched.past_end
            && found.matches[matches.clone()]
                .iter()
                .all(|m| m.whole.end < w.end);
        found.windows.push(Searched {
            rule: idx,
            window: w.clone(),
            matches,
            reusable,
        });
        if !searched.complete {
            return false;
        }
    }
    true
}

/// How one window's search went.
struct Outcome {
    /// False when a match had to be dropped (the rule's match budget ran out).
    complete: bool,
    /// A match reached the window's end and was followed into the bytes after it.
    past_end: bool,
}

/// Keeps carried matches as [`confirm`] keeps found ones: at most `left` more.
fn take(
    matches: impl Iterator<Item = RawMatch>,
    left: &mut usize,
    out: &mut Vec<RawMatch>,
) -> Outcome {
    for m in matches {
        if *left == 0 {
            return Outcome {
                complete: false,
                past_end: false,
            };
        }
        out.push(m);
        *left -= 1;
    }
    Outcome {
        complete: true,
        past_end: false,
    }
}

/// How far past a window's end a match that reaches the end is followed: more than the
/// longest secret a rule takes (a 4096-character token, an 8192-bit RSA key in PEM).
const CUT_SLACK: usize = 16 * 1024;

/// Runs rule `idx`'s regex inside `window`, keeping at most `left` more matches. The
/// haystack is cut at the window's end but not at its start, so `\b` and `^` see the real
/// preceding byte; a match that starts in the window and runs past its end is taken whole.
fn confirm(
    rules: &RuleSet,
    idx: usize,
    buf: &[u8],
    window: Range<usize>,
    left: &mut usize,
    out: &mut Vec<RawMatch>,
) -> Outcome {
    let mut past_end = false;
    let re = rules.rules[idx].regex.get();
    let hay = &buf[..window.end];
    let mut pos = window.start;
    while pos < window.end {
        let Some(mut caps) = re.captures_at(hay, pos) else {
            break;
        };
        if caps.get(0).is_some_and(|m| m.end() == hay.len()) && hay.len() < buf.len() {
            // The cut may have shortened this match (`\b`, `$` and greedy runs see the cut
            // as the end of the text): find its real extent. Only a match touching the cut
            // pays for this, so the cost stays one window plus a bounded slack.
            past_end = true;
            let longer = &buf[..buf.len().min(window.end + CUT_SLACK)];
            match re.captures_at(longer, pos) {
                Some(c) if c.get(0).is_some_and(|m| m.start() < window.end) => caps = c,
                _ => break,
            }
        }
        if *left == 0 {
            return Outcome {
                complete: false,
                past_end,
            };
        }
        let whole = caps.get(0).expect("group 0 always matches");
        let (secret, bare) = match (caps.name("secret"), caps.name("bare")) {
            (Some(m), _) => (m.range(), false),
            (None, Some(m)) => (m.range(), true),
            (None, None) => (whole.range(), false),
        };
        out.push(RawMatch {
            rule: idx,
            whole: whole.range(),
            secret,
            bare,
        });
        *left -= 1;
        pos = if whole.end() > whole.start() {
            whole.end()
        } else {
            whole.end() + 1
        };
    }
    Outcome {
        complete: true,
        past_end,
    }
}

#[cfg(test)]
mod delta_tests;
#[cfg(test)]
mod keyword_tests;
#[cfg(test)]
mod tests;
