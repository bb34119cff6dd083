//! Stage one: find rule keywords anywhere in the buffer with Aho-Corasick.

use crate::rules::RuleSet;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::collections::HashMap;
use std::ops::Range;

/// Teddy, aho-corasick's SIMD prefilter, handles at most 64 patterns; past that the search
/// falls back to a slower path, so keywords are split into automata of this size.
const KEYWORDS_PER_AUTOMATON: usize = 64;

struct Automaton {
    ac: AhoCorasick,
    /// Pattern id → rules that list this keyword.
    rules: Vec<Vec<usize>>,
}

/// The keyword stage: maps keyword hits to per-rule candidate windows.
pub struct Prefilter {
    automata: Vec<Automaton>,
}

impl Prefilter {
    /// Builds automata over the distinct keywords of `rules`.
    pub fn new(rules: &RuleSet) -> Self {
        let mut by_keyword: Vec<(String, Vec<usize>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (ri, rule) in rules.rules.iter().enumerate() {
            for kw in &rule.spec.keywords {
                let slot = *index.entry(kw.clone()).or_insert_with(|| {
                    by_keyword.push((kw.clone(), Vec::new()));
                    by_keyword.len() - 1
                });
                if !by_keyword[slot].1.contains(&ri) {
                    by_keyword[slot].1.push(ri);
                }
            }
        }
        let automata = by_keyword
            .chunks(KEYWORDS_PER_AUTOMATON)
            .map(|chunk| Automaton {
                ac: AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(chunk.iter().map(|(k, _)| k.as_bytes()))
                    .expect("keyword automaton within size limits"),
                rules: chunk.iter().map(|(_, r)| r.clone()).collect(),
            })
            .collect();
        Prefilter { automata }
    }

    /// Number of automata (exposed for benchmarks and tests of the size limit).
    pub fn automata(&self) -> usize {
        self.automata.len()
    }

    /// Pushes a candidate window into `windows[rule]` for every keyword hit, and records which
    /// rules got any in `touched`.
    pub fn windows(
        &self,
        rules: &RuleSet,
        buf: &[u8],
        windows: &mut [Vec<Range<usize>>],
        touched: &mut Vec<usize>,
    ) {
        for a in &self.automata {
            for m in a.ac.find_overlapping_iter(buf) {
                for &ri in &a.rules[m.pattern().as_usize()] {
                    let rule = &rules.rules[ri];
                    let start = m.start().saturating_sub(rule.window_before);
                    let end = (m.end() + rule.window_after).min(buf.len());
                    windows[ri].push(start..end);
                    touched.push(ri);
                }
            }
        }
    }
}
