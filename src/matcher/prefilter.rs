//! Stage one: find rule keywords anywhere in the buffer with Aho-Corasick.

use crate::rules::RuleSet;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use std::ops::Range;

/// Teddy, aho-corasick's SIMD prefilter, handles at most 64 patterns; past that the search
/// falls back to a slower path, so keywords are split into automata of this size.
const KEYWORDS_PER_AUTOMATON: usize = 64;
/// Most candidate windows held per rule while one buffer is searched. Past this the
/// windows are merged, and if still too many, neighbours are joined into one window
/// spanning the gap: the rule's regex then reads a little more text, but nothing is lost
/// and memory stays fixed however many keywords a buffer holds.
pub const MAX_WINDOWS_PER_RULE: usize = 1 << 16;
/// Most base64 run starts kept per buffer; past this the decoder finds runs itself with
/// its own pattern (one more pass, bounded output) instead of taking them from here.
pub const MAX_BASE64_STARTS: usize = 1 << 20;

/// A rule to wake when a keyword is seen, and how much wider than usual its window must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Wake {
    rule: usize,
    /// A keyword that contains the searched one (`JWT.encode` ⊃ `JWT`) is not searched
    /// itself; its rules are woken by the shorter keyword with the window widened by the
    /// longer keyword's length, so no occurrence can fall outside it.
    pad: usize,
}

struct Automaton {
    ac: AhoCorasick,
    /// Pattern id → rules to wake.
    wakes: Vec<Vec<Wake>>,
    /// Pattern id → whether it also starts a base64 run worth decoding.
    decode: Vec<bool>,
}

/// The keyword stage: maps keyword hits to per-rule candidate windows.
pub struct Prefilter {
    automata: Vec<Automaton>,
}

impl Prefilter {
    /// Builds automata over the distinct keywords of `rules`, dropping every keyword that
    /// contains a shorter one (its rules are woken by the shorter keyword instead), plus the
    /// `ride_along` strings, whose hits are collected for the caller and wake no rule.
    pub fn new(rules: &RuleSet, ride_along: &[&str]) -> Self {
        let mut keywords: Vec<(String, Vec<usize>)> = Vec::new();
        for (ri, rule) in rules.rules.iter().enumerate() {
            for kw in &rule.spec.keywords {
                match keywords.iter_mut().find(|(k, _)| k == kw) {
                    Some((_, rs)) => rs.push(ri),
                    None => keywords.push((kw.clone(), vec![ri])),
                }
            }
        }
        keywords.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then(a.0.cmp(&b.0)));
        let mut kept: Vec<(String, Vec<Wake>)> = Vec::new();
        for (kw, rs) in keywords {
            let wakes = rs.iter().map(|&rule| Wake { rule, pad: 0 });
            match kept.iter_mut().find(|(k, _)| kw.contains(k.as_str())) {
                Some((_, w)) => w.extend(rs.iter().map(|&rule| Wake {
                    rule,
                    pad: kw.len(),
                })),
                None => kept.push((kw, wakes.collect())),
            }
        }
        // The decoder's base64 starts ride along, so it needs no pass of its own.
        for start in ride_along {
            if !kept.iter().any(|(k, _)| k == start) {
                kept.push((start.to_string(), Vec::new()));
            }
        }
        let is_start = |k: &str| ride_along.contains(&k);
        let automata = kept
            .chunks(KEYWORDS_PER_AUTOMATON)
            .map(|chunk| Automaton {
                // A DFA costs a little memory for these few short keywords and searches
                // about 2.5x faster than the default NFA (measured on 300 MB of JS and Rust).
                ac: AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(chunk.iter().map(|(k, _)| k.as_bytes()))
                    .expect("keyword automaton within size limits"),
                wakes: chunk.iter().map(|(_, w)| w.clone()).collect(),
                decode: chunk.iter().map(|(k, _)| is_start(k)).collect(),
            })
            .collect();
        Prefilter { automata }
    }

    /// Number of automata (exposed for tests of the size limit).
    pub fn automata(&self) -> usize {
        self.automata.len()
    }

    /// Adds a candidate window to `windows[rule]` for every keyword hit (joined with the
    /// previous one when they touch), records in `touched` which rules got any, and where
    /// base64 runs worth decoding may start. Returns true when there were more starts than
    /// [`MAX_BASE64_STARTS`] (`base64_starts` is then incomplete).
    pub fn windows(
        &self,
        rules: &RuleSet,
        buf: &[u8],
        windows: &mut [Vec<Range<usize>>],
        touched: &mut Vec<usize>,
        base64_starts: &mut Vec<usize>,
    ) -> bool {
        let mut overflowed = false;
        for a in &self.automata {
            for m in a.ac.find_overlapping_iter(buf) {
                // A start inside a longer base64 run is not where a run begins; the decoder
                // would skip it, so it is not kept.
                if a.decode[m.pattern().as_usize()]
                    && !overflowed
                    && (m.start() == 0 || !crate::source::decode::is_b64(buf[m.start() - 1]))
                {
                    if base64_starts.len() < MAX_BASE64_STARTS {
                        base64_starts.push(m.start());
                    } else {
                        overflowed = true;
                    }
                }
                for w in &a.wakes[m.pattern().as_usize()] {
                    let rule = &rules.rules[w.rule];
                    let start = m.start().saturating_sub(rule.window_before + w.pad);
                    let end = (m.end() + rule.window_after + w.pad).min(buf.len());
                    add(&mut windows[w.rule], start..end, w.rule, touched);
                }
            }
        }
        overflowed
    }
}

/// Adds `w` to a rule's windows, joining it to the last one when they touch (keyword hits
/// come in order, so dense hits make one window), and keeps the count under
/// [`MAX_WINDOWS_PER_RULE`].
fn add(v: &mut Vec<Range<usize>>, w: Range<usize>, rule: usize, touched: &mut Vec<usize>) {
    match v.last_mut() {
        Some(last) if w.start >= last.start && w.start <= last.end => {
            last.end = last.end.max(w.end);
            return;
        }
        None => touched.push(rule),
        Some(_) => {}
    }
    v.push(w);
    if v.len() > MAX_WINDOWS_PER_RULE {
        super::merge(v);
        if v.len() > MAX_WINDOWS_PER_RULE / 2 {
            // Join neighbours pairwise: windows only narrow the regex search, so a wider
            // window finds the same matches.
            let joined: Vec<Range<usize>> = v
                .chunks(2)
                .map(|c| c[0].start..c[c.len() - 1].end)
                .collect();
            *v = joined;
        }
    }
}
