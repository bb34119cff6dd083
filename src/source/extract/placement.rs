//! Where text handed out by extraction sits in the top-level input: a viewer (GitHub code
//! scanning, an editor) opens the input, not a source map's original source or a plist's
//! flattened values, so a finding there also needs a place in the input's own bytes.

use aho_corasick::{AhoCorasick, MatchKind};
use std::ops::Range;

/// How offsets of a piece relate to the top-level input a viewer opens.
#[derive(Clone, Copy)]
pub enum Placement<'a> {
    /// The piece is the input: its offsets are the input's.
    Input,
    /// The piece is a JSON string literal of a text input: `input[at..at + len]` is the
    /// literal's escaped contents, between the quotes.
    JsonString {
        /// The top-level input.
        input: &'a [u8],
        /// Offset of the literal's contents.
        at: usize,
        /// Length of the escaped contents.
        len: usize,
    },
    /// Text rebuilt from a text input (an XML plist's values): a secret is shown where its
    /// bytes first occur in `input`, if they occur there as written.
    Rebuilt {
        /// The top-level input.
        input: &'a [u8],
    },
    /// Inside a binary container or decoded from a binary format: no line of the input
    /// holds it.
    Opaque,
}

/// A secret in a piece: its byte range there, and its bytes.
pub struct Spot<'s> {
    /// Range in the piece.
    pub range: Range<usize>,
    /// The secret's bytes.
    pub bytes: &'s [u8],
}

/// The top-level input, and for each spot the range of it that holds the spot, if any.
pub type Located<'a> = (&'a [u8], Vec<Option<Range<usize>>>);

impl<'a> Placement<'a> {
    /// The input and, for each spot, the range of the input that holds it. `None` for the
    /// input itself (its offsets already are the input's) and for opaque pieces; a spot a
    /// rebuilt text does not hold verbatim gets `None`. Linear in
    /// the input and the spots: one sorted walk over an escaped literal, one automaton pass
    /// over a rebuilt input.
    pub fn locate(&self, spots: &[Spot<'_>]) -> Option<Located<'a>> {
        match *self {
            Placement::JsonString { input, at, len } => {
                let raw = input.get(at..at + len)?;
                let ends: Vec<usize> = spots
                    .iter()
                    .flat_map(|s| [s.range.start, s.range.end])
                    .collect();
                let mapped = raw_offsets(raw, &ends);
                let out = mapped
                    .chunks_exact(2)
                    .map(|p| Some(at + p[0]..at + p[1].max(p[0])))
                    .collect();
                Some((input, out))
            }
            Placement::Rebuilt { input } => Some((input, first_occurrences(input, spots))),
            Placement::Input | Placement::Opaque => None,
        }
    }
}

/// For each offset into the unescaped text of a JSON string, the offset of the escaped
/// bytes it came from in `raw` (an offset inside an escape maps to the escape's start).
/// Offsets are visited in order, so the literal is walked once for all of them.
pub fn raw_offsets(raw: &[u8], offsets: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_unstable_by_key(|&i| offsets[i]);
    let mut out = vec![raw.len(); offsets.len()];
    // `r` walks the escaped bytes, `u` the unescaped text they make.
    let (mut r, mut u) = (0usize, 0usize);
    let mut next = order.into_iter().peekable();
    while let Some(&i) = next.peek() {
        let want = offsets[i];
        if want <= u || r >= raw.len() {
            out[i] = if want <= u { r } else { raw.len() };
            next.next();
            continue;
        }
        // Plain bytes up to the next backslash copy one to one.
        let plain = memchr::memchr(b'\\', &raw[r..]).unwrap_or(raw.len() - r);
        if plain > 0 {
            let step = plain.min(want - u);
            r += step;
            u += step;
            continue;
        }
        let (raw_len, text_len) = escape_len(&raw[r..]);
        if want < u + text_len {
            // Inside the escape's output: the escape is where it came from.
            out[i] = r;
            next.next();
            continue;
        }
        r += raw_len;
        u += text_len;
    }
    out
}

/// Escaped and unescaped length of the escape at the start of `raw`, as serde_json decodes
/// it: `\uXXXX` as UTF-8, a surrogate pair as one four-byte character.
fn escape_len(raw: &[u8]) -> (usize, usize) {
    let hex = |s: Option<&[u8]>| {
        s.and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    match raw.get(1) {
        Some(b'u') => match hex(raw.get(2..6)) {
            Some(hi @ 0xD800..=0xDBFF) => {
                let low = (raw.get(6..8) == Some(b"\\u"))
                    .then(|| hex(raw.get(8..12)))
                    .flatten();
                match low {
                    Some(0xDC00..=0xDFFF) => (12, 4),
                    _ => (6, char_len(hi)),
                }
            }
            Some(cp) => (6, char_len(cp)),
            None => (raw.len().min(2), 1),
        },
        Some(_) => (2, 1),
        None => (1, 1),
    }
}

fn char_len(cp: u32) -> usize {
    match cp {
        0..=0x7F => 1,
        0x80..=0x7FF => 2,
        _ => 3,
    }
}

/// The first range of `input` holding each spot's bytes, found in one pass for all spots.
fn first_occurrences(input: &[u8], spots: &[Spot<'_>]) -> Vec<Option<Range<usize>>> {
    let mut out = vec![None; spots.len()];
    // Equal secrets share one pattern and so the first occurrence.
    let mut patterns: Vec<&[u8]> = Vec::new();
    let mut holders: Vec<Vec<usize>> = Vec::new();
    let mut index: rustc_hash::FxHashMap<&[u8], usize> = rustc_hash::FxHashMap::default();
    for (i, s) in spots.iter().enumerate() {
        if s.bytes.is_empty() {
            continue;
        }
        let p = *index.entry(s.bytes).or_insert_with(|| {
            patterns.push(s.bytes);
            holders.push(Vec::new());
            patterns.len() - 1
        });
        holders[p].push(i);
    }
    let Ok(ac) = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(&patterns)
    else {
        return out;
    };
    let mut left = patterns.len();
    let mut done = vec![false; patterns.len()];
    // Overlapping search reports every pattern at its first end, so a secret that contains
    // another is still found at its own first occurrence.
    let mut state = aho_corasick::automaton::OverlappingState::start();
    while left > 0 {
        ac.find_overlapping(input, &mut state);
        let Some(m) = state.get_match() else { break };
        let p = m.pattern().as_usize();
        if std::mem::replace(&mut done[p], true) {
            continue;
        }
        left -= 1;
        for &i in &holders[p] {
            out[i] = Some(m.range());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unescape(raw: &str) -> String {
        serde_json::from_str(&format!("\"{raw}\"")).unwrap()
    }

    #[test]
    fn offsets_follow_every_escape_kind() {
        let raw = r#"a\nb\"c\u00e9d\ud83d\ude00e\\f"#;
        let text = unescape(raw);
        // Every byte offset of the unescaped text that starts a character maps to the
        // escaped bytes of that same character.
        let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        let mapped = raw_offsets(raw.as_bytes(), &starts);
        let chars: Vec<char> = text.chars().collect();
        for (k, &r) in mapped.iter().enumerate() {
            let unit = match raw.as_bytes()[r] {
                b'\\' => escape_len(&raw.as_bytes()[r..]).0,
                _ => 1,
            };
            let here = unescape(&raw[r..r + unit]);
            assert_eq!(here.chars().next(), Some(chars[k]), "char {k} at raw {r}");
        }
        assert_eq!(raw_offsets(raw.as_bytes(), &[text.len()]), vec![raw.len()]);
    }

    #[test]
    fn unsorted_and_repeated_offsets() {
        let raw = br"ab\ncd";
        assert_eq!(raw_offsets(raw, &[4, 0, 3, 3, 99]), vec![5, 0, 4, 4, 6]);
    }

    #[test]
    fn truncated_escapes_stay_in_bounds() {
        for raw in [&b"ab\\"[..], b"\\u12", b"\\ud83d", b"\\ud83d\\u"] {
            for &o in &raw_offsets(raw, &[0, 1, 2, 3, 4, 5, 6, 7, 50]) {
                assert!(o <= raw.len());
            }
        }
    }

    #[test]
    fn rebuilt_text_is_found_where_its_bytes_are() {
        let input = b"<string>xx SECRETONE yy</string><string>SECRETTWO</string>";
        let spots = [
            Spot {
                range: 0..9,
                bytes: b"SECRETTWO",
            },
            Spot {
                range: 20..29,
                bytes: b"SECRETONE",
            },
            Spot {
                range: 40..49,
                bytes: b"NOT-THERE",
            },
            Spot {
                range: 50..59,
                bytes: b"SECRETONE",
            },
        ];
        let (_, got) = Placement::Rebuilt { input }.locate(&spots).unwrap();
        assert_eq!(got, vec![Some(40..49), Some(11..20), None, Some(11..20)]);
    }
}
