//! Rule matches carried through a delta, as keyword hits are ([`Matcher::hits_through`]).
//!
//! A rule's regex runs in windows around its keyword hits. What one window gives depends
//! only on the byte before it (`\b`, `^`) and its own bytes, as long as no match reaches its
//! end (such a match is followed into the bytes after the window). So a window of a delta's
//! result that a copy instruction took whole, byte before included, from a window of the
//! base that was searched with that outcome, gives the base window's matches, moved: no
//! search. Most windows of a new version of a file are such copies; running the regexes in
//! them again was the largest cost of a history scan once the keyword search read only
//! what deltas insert.

use super::RawMatch;
use crate::source::git::pack::Op;
use std::ops::Range;

/// One window's search, in [`Found::windows`].
#[derive(Debug, Clone)]
pub(super) struct Searched {
    pub(super) rule: usize,
    pub(super) window: Range<usize>,
    /// Its matches in [`Found::matches`].
    pub(super) matches: Range<usize>,
    /// All of its matches were kept and none reached the window's end: the result depends
    /// on nothing but the byte before the window and the window's bytes.
    pub(super) reusable: bool,
}

/// What the rule search of one buffer found, kept so that a delta built on the buffer can
/// reuse it ([`super::Matcher::find_through`]).
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// Every match, in rule then offset order.
    pub matches: Vec<RawMatch>,
    /// Every window searched, in rule then offset order.
    pub(super) windows: Vec<Searched>,
    pub(super) base64_starts: Vec<usize>,
    pub(super) starts_overflowed: bool,
    pub(super) capped: Vec<usize>,
}

impl Found {
    /// The matches of `window` (of rule `rule`, in a delta's result built by `ops` from the
    /// buffer this was found in), moved to the delta's offsets, when a copy took the window
    /// and the byte before it whole from a window searched with a reusable outcome.
    pub(super) fn carried(
        &self,
        rule: usize,
        window: &Range<usize>,
        ops: &[Op],
    ) -> Option<impl Iterator<Item = RawMatch> + '_> {
        let (start, end) = self.source(window, ops)?;
        let at = self
            .windows
            .binary_search_by(|s| (s.rule, s.window.start).cmp(&(rule, start)))
            .ok()?;
        let searched = &self.windows[at];
        if searched.window.end != end || !searched.reusable {
            return None;
        }
        let (to, from) = (window.start, start);
        let moved = move |r: &Range<usize>| r.start - from + to..r.end - from + to;
        Some(
            self.matches[searched.matches.clone()]
                .iter()
                .map(move |m| RawMatch {
                    rule: m.rule,
                    whole: moved(&m.whole),
                    secret: moved(&m.secret),
                    bare: m.bare,
                }),
        )
    }

    /// Where `window` and the byte before it were copied from: the window's range in the
    /// base, when one run of copies (consecutive in the base too) wrote all of it.
    fn source(&self, window: &Range<usize>, ops: &[Op]) -> Option<(usize, usize)> {
        let lo = window.start.saturating_sub(1);
        let i = ops.partition_point(|op| op.to + op.len <= lo);
        let first = ops.get(i)?;
        let from = first.from?;
        let mut reach = first.to + first.len;
        let mut next = from + first.len;
        for op in &ops[i + 1..] {
            if reach >= window.end || op.from != Some(next) {
                break;
            }
            reach += op.len;
            next += op.len;
        }
        if reach < window.end {
            return None;
        }
        let start = window.start - first.to + from;
        // A window at the start of the text has no byte before it; its source must not
        // have one either.
        if window.start == 0 && start != 0 {
            return None;
        }
        Some((start, window.end - first.to + from))
    }
}
