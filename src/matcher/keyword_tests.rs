//! The keyword search must report every occurrence of every keyword, overlapping ones
//! included, although each group is scanned leftmost and non-overlapping: the same hits as
//! trying every keyword at every position.
use super::*;
use proptest::prelude::*;

/// Keywords over a four-letter alphabet, so they overlap themselves and each other often.
fn word(bits: u32, len: usize) -> String {
    (0..len)
        .map(|i| char::from(b"abcd"[((bits >> (2 * i)) & 3) as usize]))
        .collect()
}

/// A rule set with one rule per keyword; none contains another, as after absorption.
fn rules(keywords: &[String]) -> RuleSet {
    let mut toml = String::new();
    for (i, k) in keywords.iter().enumerate() {
        toml += &format!(
            "[[rules]]\nid = \"t.k{i}\"\nname = \"k\"\ndescription = \"d\"\nseverity = \"high\"\n\
             confidence = \"high\"\nkeywords = ['{k}']\npattern = '''(?P<secret>Z{{9}})'''\n\
             remediation = \"r\"\nexamples = [\"a\", \"b\"]\nnegative_examples = [\"c\", \"d\"]\n"
        );
    }
    RuleSet::from_sources(&[("t.toml", &toml)]).expect("test rules compile")
}

fn every_occurrence(words: &[&str], hay: &[u8]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = (0..hay.len())
        .flat_map(|at| {
            words
                .iter()
                .filter(move |w| hay[at..].starts_with(w.as_bytes()))
                .map(move |w| (at, at + w.len()))
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn every_overlapping_occurrence_is_found(
        picks in prop::collection::vec((any::<u32>(), 2usize..7), 1..120),
        along in prop::collection::vec((any::<u32>(), 1usize..9), 0..6),
        hay in prop::collection::vec(0u8..4, 0..400),
    ) {
        let mut keywords: Vec<String> = Vec::new();
        for (bits, len) in picks {
            let w = word(bits, len);
            if !keywords.iter().any(|k| k.contains(&w) || w.contains(k.as_str())) {
                keywords.push(w);
            }
        }
        // Ride-along strings may contain keywords or lie inside them.
        let along: Vec<String> = along.iter().map(|&(b, l)| word(b, l)).collect();
        let along_refs: Vec<&str> = along.iter().map(String::as_str).collect();
        let prefilter = Prefilter::new(&rules(&keywords), &along_refs);
        let hay: Vec<u8> = hay.iter().map(|&b| b"abcd"[usize::from(b)]).collect();
        let mut hits = Vec::new();
        prefilter.hits(&hay, 0..hay.len(), &mut hits);
        let mut got: Vec<(usize, usize)> = hits.iter().map(|h| (h.start, h.end())).collect();
        got.sort_unstable();
        let before = got.len();
        got.dedup();
        prop_assert_eq!(before, got.len(), "an occurrence reported twice");
        let words: Vec<&str> = keywords.iter().map(String::as_str).chain(along_refs).collect();
        prop_assert_eq!(got, every_occurrence(&words, &hay));
    }
}
