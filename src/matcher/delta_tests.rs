//! Keyword hits carried through a delta: [`Matcher::hits_through`] must give exactly what a
//! full search of the delta's result gives, however the delta cuts and splices keywords.
use super::*;
use proptest::prelude::*;
use std::sync::OnceLock;

fn builtin() -> &'static (RuleSet, Matcher, Vec<String>) {
    static CELL: OnceLock<(RuleSet, Matcher, Vec<String>)> = OnceLock::new();
    CELL.get_or_init(|| {
        let rules = RuleSet::builtin().expect("builtin rules");
        let matcher = Matcher::with_ride_along(&rules, crate::source::decode::BASE64_STARTS);
        let mut words: Vec<String> = rules
            .rules
            .iter()
            .flat_map(|r| r.spec.keywords.iter().cloned())
            .collect();
        words.sort();
        words.dedup();
        (rules, matcher, words)
    })
}

/// Text made of keywords, pieces of keywords and filler, so deltas cut through keywords.
fn text(picks: &[(usize, usize, u8)]) -> Vec<u8> {
    let words = &builtin().2;
    let mut out = Vec::new();
    for &(w, cut, filler) in picks {
        let word = words[w % words.len()].as_bytes();
        match cut % 3 {
            0 => out.extend_from_slice(word),
            1 => out.extend_from_slice(&word[..cut % word.len()]),
            _ => out.extend_from_slice(&word[cut % word.len()..]),
        }
        out.push(b" =\n\"x"[usize::from(filler) % 5]);
    }
    out
}

/// A delta against `base` from (kind, a, b) triples: copies of any stretch of the base, and
/// inserts of keyword text.
fn delta(base: &[u8], steps: &[(bool, usize, usize)]) -> (Vec<u8>, Vec<Op>) {
    let mut out = Vec::new();
    let mut ops = Vec::new();
    for &(copy, a, b) in steps {
        if copy && !base.is_empty() {
            let from = a % base.len();
            let len = 1 + b % (base.len() - from);
            ops.push(Op {
                to: out.len(),
                len,
                from: Some(from),
            });
            out.extend_from_slice(&base[from..from + len]);
        } else {
            let ins = text(&[(a, b, (a ^ b) as u8)]);
            ops.push(Op {
                to: out.len(),
                len: ins.len(),
                from: None,
            });
            out.extend_from_slice(&ins);
        }
    }
    (out, ops)
}

proptest! {
    #[test]
    fn hits_through_a_chain_of_deltas_equal_a_full_search(
        picks in prop::collection::vec((0usize..1000, 0usize..40, 0u8..5), 0..80),
        first in prop::collection::vec((any::<bool>(), 0usize..4000, 0usize..4000), 0..24),
        second in prop::collection::vec((any::<bool>(), 0usize..4000, 0usize..4000), 0..24),
    ) {
        let m = &builtin().1;
        let base = text(&picks);
        let base_hits = m.hits(&base);
        let (child, ops) = delta(&base, &first);
        let child_hits = m.hits_through(&base_hits, &child, &ops);
        prop_assert_eq!(&child_hits, &m.hits(&child));
        let (grandchild, ops) = delta(&child, &second);
        prop_assert_eq!(m.hits_through(&child_hits, &grandchild, &ops), m.hits(&grandchild));
    }
}

#[test]
fn a_keyword_completed_by_an_insert_and_one_glued_by_two_copies_are_both_found() {
    let m = &builtin().1;
    // The glued keyword is further from the insert than any keyword is long.
    let filler = " x".repeat(60);
    let base = format!("const JWT_SE____ = 1;{filler} pass____word: 2");
    let base = base.as_bytes();
    let at = |s: &[u8]| base.windows(s.len()).position(|w| w == s).unwrap();
    let (head, mid, tail) = (at(b"const"), at(b" = 1;"), at(b"word"));
    let mid_len = at(b"____word") - mid;
    let mut child = Vec::new();
    let mut ops = Vec::new();
    for (from, len) in [
        (Some(head), 12),
        (None, 4),
        (Some(mid), mid_len),
        (Some(tail), 7),
    ] {
        ops.push(Op {
            to: child.len(),
            len,
            from,
        });
        match from {
            Some(f) => child.extend_from_slice(&base[f..f + len]),
            None => child.extend_from_slice(b"CRET"),
        }
    }
    assert_eq!(
        child,
        format!("const JWT_SECRET = 1;{filler} password: 2").as_bytes()
    );
    let base_hits = m.hits(base);
    let hits = m.hits_through(&base_hits, &child, &ops);
    assert_eq!(hits, m.hits(&child));
    // Both keywords are new in the child: the base held neither whole.
    assert!(hits.len() > base_hits.len(), "{hits:?} {base_hits:?}");
}
