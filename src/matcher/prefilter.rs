//! Stage one: find rule keywords anywhere in the buffer with Aho-Corasick.

use crate::rules::RuleSet;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use std::ops::Range;

/// Teddy, aho-corasick's SIMD prefilter, handles at most 64 patterns; past that the search
/// falls back to a slower path, so keywords are split into automata of this size.
const KEYWORDS_PER_AUTOMATON: usize = 64;

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
    /// contains a shorter one (its rules are woken by the shorter keyword instead).
    pub fn new(rules: &RuleSet) -> Self {
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
        for start in crate::source::decode::BASE64_STARTS {
            if !kept.iter().any(|(k, _)| k == start) {
                kept.push((start.to_string(), Vec::new()));
            }
        }
        let is_start = |k: &str| crate::source::decode::BASE64_STARTS.contains(&k);
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

    /// Pushes a candidate window into `windows[rule]` for every keyword hit, records which
    /// rules got any in `touched`, and where base64 runs worth decoding may start.
    pub fn windows(
        &self,
        rules: &RuleSet,
        buf: &[u8],
        windows: &mut [Vec<Range<usize>>],
        touched: &mut Vec<usize>,
        base64_starts: &mut Vec<usize>,
    ) {
        for a in &self.automata {
            for m in a.ac.find_overlapping_iter(buf) {
                if a.decode[m.pattern().as_usize()] {
                    base64_starts.push(m.start());
                }
                for w in &a.wakes[m.pattern().as_usize()] {
                    let rule = &rules.rules[w.rule];
                    let start = m.start().saturating_sub(rule.window_before + w.pad);
                    let end = (m.end() + rule.window_after + w.pad).min(buf.len());
                    windows[w.rule].push(start..end);
                    touched.push(w.rule);
                }
            }
        }
    }
}
