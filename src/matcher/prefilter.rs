//! Stage one: find rule keywords anywhere in the buffer.
//!
//! Keywords are split by length into groups of at most [`KEYWORDS_PER_SEARCHER`], each
//! searched by a packed Teddy searcher (SIMD), leftmost and non-overlapping. Such a scan
//! skips only occurrences that start inside a reported one, so for every keyword the
//! keywords of its group that can start inside it are listed when the group is built, and
//! checked in place after each report: every occurrence is found, overlapping ones
//! included, as an overlapping automaton would find them. On 317 MB of npm JavaScript this
//! is 2.5x faster than one overlapping DFA over 64 keywords plus a packed searcher for the
//! rest (same 309,814 hits).

use crate::rules::RuleSet;
use aho_corasick::packed;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use std::ops::Range;

/// Most keywords per packed searcher. Teddy takes 64, but a fuller searcher confirms more
/// false candidates per bucket: two searchers of 48 beat one of 64 plus one of 32.
const KEYWORDS_PER_SEARCHER: usize = 48;
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

/// How one group of keywords is searched.
enum Search {
    /// Leftmost non-overlapping; the occurrences it skips are found through `inside`.
    Packed(packed::Searcher),
    /// Every occurrence, overlapping ones included: where Teddy has no SIMD to run on.
    Overlapping(AhoCorasick),
}

struct Automaton {
    search: Search,
    keywords: Vec<Box<[u8]>>,
    /// Pattern id → (offset, pattern) of every keyword of the group that can occur starting
    /// `offset` bytes into an occurrence of this one (offset 0 for a different keyword
    /// that is its prefix or extends it).
    inside: Vec<Vec<(usize, usize)>>,
    /// Pattern id → rules to wake.
    wakes: Vec<Vec<Wake>>,
    /// Pattern id → whether it also starts a base64 run worth decoding.
    decode: Vec<bool>,
}

/// The keyword stage: maps keyword hits to per-rule candidate windows.
pub struct Prefilter {
    automata: Vec<Automaton>,
    longest: usize,
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
        let longest = kept.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        kept.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then(a.0.cmp(&b.0)));
        // Short keywords together and long ones together; groups of even size.
        let groups = kept.len().div_ceil(KEYWORDS_PER_SEARCHER).max(1);
        let per_group = kept.len().div_ceil(groups).max(1);
        let automata = kept
            .chunks(per_group)
            .map(in_bucket_order)
            .map(|chunk| Automaton {
                search: search(&chunk),
                keywords: chunk.iter().map(|(k, _)| k.as_bytes().into()).collect(),
                inside: inside(&chunk),
                wakes: chunk.iter().map(|(_, w)| w.clone()).collect(),
                decode: chunk.iter().map(|(k, _)| is_start(k)).collect(),
            })
            .collect();
        Prefilter { automata, longest }
    }

    /// Number of automata (exposed for tests of the size limit).
    pub fn automata(&self) -> usize {
        self.automata.len()
    }

    /// The longest keyword searched: a hit that overlaps bytes within this distance of a
    /// change may be new.
    pub fn longest(&self) -> usize {
        self.longest
    }

    /// Appends every keyword occurrence lying wholly inside `buf[range]`, unordered.
    pub fn hits(&self, buf: &[u8], range: Range<usize>, out: &mut Vec<Hit>) {
        let at = range.start;
        let hay = &buf[range];
        for (ai, a) in self.automata.iter().enumerate() {
            let hit = |start: usize, pattern: usize| Hit {
                start: at + start,
                len: a.keywords[pattern].len() as u32,
                automaton: ai as u16,
                pattern: pattern as u16,
            };
            match &a.search {
                Search::Overlapping(ac) => out.extend(
                    ac.find_overlapping_iter(hay)
                        .map(|m| hit(m.start(), m.pattern().as_usize())),
                ),
                Search::Packed(p) => {
                    for m in p.find_iter(hay) {
                        let pattern = m.pattern().as_usize();
                        out.push(hit(m.start(), pattern));
                        for &(offset, q) in &a.inside[pattern] {
                            let start = m.start() + offset;
                            if hay[start..].starts_with(&a.keywords[q]) {
                                out.push(hit(start, q));
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds a candidate window to `windows[rule]` for every hit (joined with the previous
    /// one when they touch), records in `touched` which rules got any, and where base64 runs
    /// worth decoding may start. Returns true when there were more starts than
    /// [`MAX_BASE64_STARTS`] (`base64_starts` is then incomplete). The windows depend only on
    /// the set of hits: callers pass them in [`Hit`] order.
    pub fn windows(
        &self,
        rules: &RuleSet,
        buf: &[u8],
        hits: &[Hit],
        windows: &mut [Vec<Range<usize>>],
        touched: &mut Vec<usize>,
        base64_starts: &mut Vec<usize>,
    ) -> bool {
        let mut overflowed = false;
        for h in hits {
            let a = &self.automata[usize::from(h.automaton)];
            let pattern = usize::from(h.pattern);
            // A start inside a longer base64 run is not where a run begins; the decoder
            // would skip it, so it is not kept.
            if a.decode[pattern]
                && !overflowed
                && (h.start == 0 || !crate::source::decode::is_b64(buf[h.start - 1]))
            {
                if base64_starts.len() < MAX_BASE64_STARTS {
                    base64_starts.push(h.start);
                } else {
                    overflowed = true;
                }
            }
            for w in &a.wakes[pattern] {
                let rule = &rules.rules[w.rule];
                let start = h.start.saturating_sub(rule.window_before + w.pad);
                let end = (h.end() + rule.window_after + w.pad).min(buf.len());
                add(&mut windows[w.rule], start..end, w.rule, touched);
            }
        }
        overflowed
    }
}

/// One keyword occurrence. Hits are ordered by position, then keyword, so the same set of
/// hits always makes the same windows however it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// Where the keyword starts.
    pub start: usize,
    len: u32,
    automaton: u16,
    pattern: u16,
}

impl Hit {
    /// Where the keyword ends.
    pub fn end(&self) -> usize {
        self.start + self.len as usize
    }

    /// The same keyword found where the bytes at `from` were copied to `to`.
    pub fn moved(self, from: usize, to: usize) -> Hit {
        Hit {
            start: self.start - from + to,
            ..self
        }
    }
}

/// A group's keywords in the order that gives Teddy cheap buckets ([`super::bucket`]).
fn in_bucket_order(chunk: &[(String, Vec<Wake>)]) -> Vec<(String, Vec<Wake>)> {
    let keywords: Vec<&[u8]> = chunk.iter().map(|(k, _)| k.as_bytes()).collect();
    super::bucket::order(&keywords, teddy_buckets(keywords.len()))
        .into_iter()
        .map(|i| chunk[i].clone())
        .collect()
}

/// How many buckets aho-corasick's Teddy uses for `keywords` patterns: 16 (Fat Teddy)
/// past 32 where AVX2 runs, else 8.
fn teddy_buckets(keywords: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    if keywords > 32 && std::arch::is_x86_feature_detected!("avx2") {
        return 16;
    }
    let _ = keywords;
    8
}

/// A packed searcher over `keywords`, or an overlapping DFA where Teddy cannot run.
fn search(keywords: &[(String, Vec<Wake>)]) -> Search {
    let packed = packed::Config::new()
        .match_kind(packed::MatchKind::LeftmostFirst)
        .builder()
        .extend(keywords.iter().map(|(k, _)| k.as_bytes()))
        .build();
    packed.map_or_else(
        || {
            // A DFA costs a little memory for these few short keywords and searches about
            // 2.5x faster than the default NFA.
            Search::Overlapping(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(keywords.iter().map(|(k, _)| k.as_bytes()))
                    .expect("keyword automaton within size limits"),
            )
        },
        Search::Packed,
    )
}

/// For each keyword, the keywords of its group that can start inside one of its
/// occurrences, where a leftmost scan, having reported it, does not look.
fn inside(keywords: &[(String, Vec<Wake>)]) -> Vec<Vec<(usize, usize)>> {
    keywords
        .iter()
        .map(|(k, _)| {
            let k = k.as_bytes();
            let mut found = Vec::new();
            for offset in 0..k.len() {
                let tail = &k[offset..];
                for (q, (other, _)) in keywords.iter().enumerate() {
                    let other = other.as_bytes();
                    let same = offset == 0 && other == k;
                    if !same && (other.starts_with(tail) || tail.starts_with(other)) {
                        found.push((offset, q));
                    }
                }
            }
            found
        })
        .collect()
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
