//! Keyword hits and rule matches carried through a delta: [`Matcher::hits_through`] and
//! [`Matcher::find_through`] must give exactly what a full search of the delta's result
//! gives, however the delta cuts and splices keywords and windows.
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

/// Deterministic token text of `len` characters from `seed`.
fn token(seed: usize, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut x = (seed as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            ALPHABET[(x >> 58) as usize] as char
        })
        .collect()
}

/// A line some rule matches (or almost matches). Long bearer tokens run past their
/// keyword's window, so the search follows them into the bytes after it.
fn line(kind: u8, seed: usize, len: usize) -> String {
    match kind % 5 {
        0 => format!(
            "const t = jwt.sign({{ id }}, \"{}\");\n",
            token(seed, 8 + len % 40)
        ),
        1 => format!("password = \"{}\"\n", token(seed, 6 + len % 30)),
        2 => format!(
            "curl -H \"Authorization: Bearer {}\" https://api.example.com/\n",
            token(seed, 10 + len % 6000)
        ),
        3 => format!("let filler_{seed} = compute({len});\n"),
        _ => format!("export JWT_SECRET={}\n", token(seed, 12 + len % 50)),
    }
}

/// A delta against `base`: copies of any stretch of it, and inserted lines.
fn edit(base: &[u8], steps: &[(bool, usize, usize)]) -> (Vec<u8>, Vec<Op>) {
    let mut out = Vec::new();
    let mut ops = Vec::new();
    for &(copy, a, b) in steps {
        let (from, bytes) = if copy && !base.is_empty() {
            let from = a % base.len();
            let len = 1 + b % (base.len() - from);
            (Some(from), base[from..from + len].to_vec())
        } else {
            (None, line((a % 5) as u8, a, b).into_bytes())
        };
        ops.push(Op {
            to: out.len(),
            len: bytes.len(),
            from,
        });
        out.extend_from_slice(&bytes);
    }
    (out, ops)
}

/// The matches and the scratch state a fresh search of `buf` gives.
fn fresh(buf: &[u8]) -> String {
    let (rules, m, _) = builtin();
    let mut scratch = Scratch::default();
    let found = m.find_with_hits(rules, buf, &m.hits(buf), &mut scratch);
    format!(
        "{found:?} {:?} {:?}",
        scratch.base64_starts(),
        scratch.capped()
    )
}

fn through(buf: &[u8], parent: Option<(&Found, &[Op])>) -> (Found, String) {
    let (rules, m, _) = builtin();
    let mut scratch = Scratch::default();
    let found = m.find_through(rules, buf, &m.hits(buf), parent, &mut scratch);
    let mut loaded = Scratch::default();
    loaded.load(&found);
    let text = format!(
        "{:?} {:?} {:?}",
        found.matches,
        loaded.base64_starts(),
        loaded.capped()
    );
    (found, text)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn matches_through_a_chain_of_deltas_equal_a_full_search(
        lines in prop::collection::vec((any::<u8>(), 0usize..1000, 0usize..8000), 1..30),
        first in prop::collection::vec((any::<bool>(), 0usize..20000, 0usize..20000), 1..16),
        second in prop::collection::vec((any::<bool>(), 0usize..20000, 0usize..20000), 1..16),
    ) {
        let base: Vec<u8> =
            lines.iter().flat_map(|&(k, s, l)| line(k, s, l).into_bytes()).collect();
        let (base_found, text) = through(&base, None);
        prop_assert_eq!(text, fresh(&base));
        let (child, ops) = edit(&base, &first);
        let (child_found, text) = through(&child, Some((&base_found, &ops)));
        prop_assert_eq!(text, fresh(&child));
        let (grandchild, ops) = edit(&child, &second);
        prop_assert_eq!(through(&grandchild, Some((&child_found, &ops))).1, fresh(&grandchild));
    }
}

/// A version that copies its base whole reuses every window whose outcome depends on
/// nothing past it, and searches again the one whose bearer token runs past its window.
#[test]
fn a_copied_window_is_reused_unless_its_match_ran_past_it() {
    let base = format!(
        "{}{}{}",
        line(1, 3, 20),
        "x = 1;\n".repeat(200),
        line(2, 5, 5000)
    );
    let (found, _) = through(base.as_bytes(), None);
    let ops = [Op {
        to: 0,
        len: base.len(),
        from: Some(0),
    }];
    let reused = |s: &carry::Searched| found.carried(s.rule, &s.window, &ops).is_some();
    let (kept, searched): (Vec<_>, Vec<_>) = found.windows.iter().partition(|s| reused(s));
    assert!(
        !kept.is_empty() && !searched.is_empty(),
        "{:?}",
        found.windows
    );
    assert!(searched.iter().all(|s| !s.reusable));
    // One byte shifted: no window keeps the byte before it, so none is reused.
    let shifted = [
        Op {
            to: 0,
            len: 1,
            from: None,
        },
        Op {
            to: 1,
            len: base.len(),
            from: Some(0),
        },
    ];
    let moved = |s: &carry::Searched| s.window.start + 1..s.window.end + 1;
    assert!(found
        .windows
        .iter()
        .filter(|s| s.window.start == 0)
        .all(|s| found.carried(s.rule, &moved(s), &shifted).is_none()));
}

/// `bearer.token`'s window starts at its keyword and its pattern at `\b`: a copy that
/// starts at the keyword, after an inserted word character, must search again.
#[test]
fn a_window_whose_preceding_byte_changed_is_searched_again() {
    let base = format!("h = \"Bearer {}1\"\n", token(9, 40));
    let (found, text) = through(base.as_bytes(), None);
    assert!(text.contains("rule"), "{text}");
    let at = base.find("Bearer").unwrap();
    let mut child = base[..at].to_string();
    child.push('x');
    child.push_str(&base[at..]);
    let ops = [
        Op {
            to: 0,
            len: at,
            from: Some(0),
        },
        Op {
            to: at,
            len: 1,
            from: None,
        },
        Op {
            to: at + 1,
            len: base.len() - at,
            from: Some(at),
        },
    ];
    assert_eq!(
        through(child.as_bytes(), Some((&found, &ops))).1,
        fresh(child.as_bytes())
    );
}
