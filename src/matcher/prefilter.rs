//! Stage one: find rule keywords anywhere in the buffer with Aho-Corasick.
//!
//! Keywords go to at most two searchers. Teddy, aho-corasick's SIMD prefilter, takes at most
//! 64 patterns, and a second overlapping automaton over the rest costs a whole extra pass at
//! DFA speed. So when the keywords do not fit one automaton, those whose occurrences can never
//! overlap each other (no keyword's end is another's start, none inside another) are taken out
//! into a packed Teddy searcher: a leftmost, non-overlapping scan then still reports every
//! occurrence of each, at SIMD speed. The rest stay in the overlapping automaton.

use crate::rules::RuleSet;
use aho_corasick::packed;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use std::ops::Range;

/// Most patterns Teddy takes; past that aho-corasick falls back to a much slower path.
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

/// Keywords with the rules each wakes.
type Keywords = Vec<(String, Vec<Wake>)>;

/// How one group of keywords is searched.
enum Search {
    /// Every occurrence, overlapping ones included.
    Overlapping(AhoCorasick),
    /// Leftmost non-overlapping: complete for keywords that cannot overlap.
    Packed(packed::Searcher),
}

struct Automaton {
    search: Search,
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
        let (main, apart) = split(kept, ride_along);
        let group = |chunk: &[(String, Vec<Wake>)], search: Search| Automaton {
            search,
            wakes: chunk.iter().map(|(_, w)| w.clone()).collect(),
            decode: chunk.iter().map(|(k, _)| is_start(k)).collect(),
        };
        let mut automata: Vec<Automaton> = main
            .chunks(KEYWORDS_PER_AUTOMATON)
            .map(|chunk| group(chunk, Search::Overlapping(overlapping(chunk))))
            .collect();
        for chunk in apart.chunks(KEYWORDS_PER_AUTOMATON) {
            // Teddy needs SSSE3/AVX2 or NEON; elsewhere the same keywords are searched the
            // slower, overlapping way, which finds the same occurrences.
            let search = packed::Config::new()
                .builder()
                .extend(chunk.iter().map(|(k, _)| k.as_bytes()))
                .build()
                .map_or_else(|| Search::Overlapping(overlapping(chunk)), Search::Packed);
            automata.push(group(chunk, search));
        }
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
            let found: Box<dyn Iterator<Item = aho_corasick::Match>> = match &a.search {
                Search::Overlapping(ac) => Box::new(ac.find_overlapping_iter(hay)),
                Search::Packed(p) => Box::new(p.find_iter(hay)),
            };
            out.extend(found.map(|m| Hit {
                start: at + m.start(),
                len: m.len() as u32,
                automaton: ai as u16,
                pattern: m.pattern().as_usize() as u16,
            }));
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

/// An overlapping DFA over `keywords`.
fn overlapping(keywords: &[(String, Vec<Wake>)]) -> AhoCorasick {
    // A DFA costs a little memory for these few short keywords and searches about 2.5x
    // faster than the default NFA (measured on 300 MB of JS and Rust).
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::DFA))
        .build(keywords.iter().map(|(k, _)| k.as_bytes()))
        .expect("keyword automaton within size limits")
}

/// Splits the keywords into those searched overlapping and those set apart for the packed
/// searcher. Nothing moves while all fit one automaton. Otherwise the longest keywords (the
/// rarest, so the cheapest for Teddy to confirm) move first, each only if no occurrence of
/// it can overlap one of itself or of a keyword already moved, until the rest fit. The
/// decoder's ride-along starts stay: they overlap the keywords they begin with (`eyJ`).
/// (Moving more, to bring the overlapping automaton to 32 keywords, measured no faster.)
fn split(mut kept: Keywords, ride_along: &[&str]) -> (Keywords, Keywords) {
    let mut apart: Keywords = Vec::new();
    if kept.len() <= KEYWORDS_PER_AUTOMATON {
        return (kept, apart);
    }
    let mut order: Vec<usize> = (0..kept.len()).collect();
    order.sort_by(|&a, &b| kept[b].0.len().cmp(&kept[a].0.len()).then(a.cmp(&b)));
    let mut moved = vec![false; kept.len()];
    let mut left = kept.len();
    for i in order {
        if left <= KEYWORDS_PER_AUTOMATON || apart.len() == KEYWORDS_PER_AUTOMATON {
            break;
        }
        let k = &kept[i].0;
        let clear = !ride_along.contains(&k.as_str())
            && !overlaps(k, k)
            && apart
                .iter()
                .all(|(o, _)| !overlaps(k, o) && !overlaps(o, k));
        if clear {
            apart.push(kept[i].clone());
            moved[i] = true;
            left -= 1;
        }
    }
    let mut i = 0;
    kept.retain(|_| {
        i += 1;
        !moved[i - 1]
    });
    (kept, apart)
}

/// Whether an occurrence of `a` can overlap a later occurrence of `b`: a proper suffix of
/// `a` is a prefix of `b`, or `b` lies inside `a` (`a == b` asks whether a keyword overlaps
/// itself, as `abab` does in `ababab`).
pub(super) fn overlaps(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    (1..a.len()).any(|i| b.starts_with(&a[i..]) || a[i..].starts_with(b))
        || (a != b && a.windows(b.len().max(1)).any(|w| w == b))
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
