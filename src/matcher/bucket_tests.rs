//! The order must be a permutation, and Teddy's round-robin over it must build the planned
//! buckets: ones that keep apart keywords whose nibbles would admit each other's text.
use super::*;
use proptest::prelude::*;

/// aho-corasick 1.1's bucket assignment (`packed/teddy/generic.rs`, `Teddy::new`), over
/// keywords in the given order: the indices, into `keywords`, in each bucket.
fn teddy(keywords: &[&[u8]], order: &[usize], buckets: usize) -> Vec<Vec<usize>> {
    let width = keywords.iter().map(|k| k.len()).min().unwrap_or(0).min(4);
    let mut out = vec![Vec::new(); buckets];
    let mut seen: Vec<(Vec<u8>, usize)> = Vec::new();
    for (id, &k) in order.iter().enumerate() {
        let low: Vec<u8> = keywords[k][..width].iter().map(|b| b & 15).collect();
        let bucket = match seen.iter().find(|(l, _)| *l == low) {
            Some(&(_, b)) => b,
            None => {
                let b = buckets - 1 - id % buckets;
                seen.push((low, b));
                b
            }
        };
        out[bucket].push(k);
    }
    out
}

fn total_cost(keywords: &[&[u8]], buckets: &[Vec<usize>]) -> f64 {
    let width = keywords.iter().map(|k| k.len()).min().unwrap_or(0).min(4);
    buckets
        .iter()
        .map(|b| {
            let picked: Vec<&[u8]> = b.iter().map(|&i| keywords[i]).collect();
            let groups = group(&picked, width);
            let all = Bucket {
                groups: (0..groups.len()).collect(),
            };
            cost(&groups, &all, width)
        })
        .sum()
}

/// Sixteen keywords whose prefixes all differ in their low nibbles, so Teddy groups none
/// of them by itself: given lowercase first, its round-robin pairs each lowercase keyword
/// with an uppercase one, and each bucket then admits both cases at every byte.
#[test]
fn buckets_that_admit_less_text_are_planned() {
    let lower = ["abc", "def", "ghi", "jkl", "mno", "pqr", "stu", "vwx"];
    let upper = ["BCD", "EFG", "HIJ", "KLM", "NOP", "ACE", "BDF", "CEG"];
    let keywords: Vec<&[u8]> = lower.iter().chain(&upper).map(|k| k.as_bytes()).collect();
    let mixed = |buckets: &[Vec<usize>]| {
        buckets
            .iter()
            .filter(|b| b.iter().any(|&i| i < 8) && b.iter().any(|&i| i >= 8))
            .count()
    };
    let given = teddy(&keywords, &(0..keywords.len()).collect::<Vec<_>>(), 8);
    assert_eq!(mixed(&given), 8);
    let ordered = teddy(&keywords, &order(&keywords, 8), 8);
    assert!(ordered.iter().all(|b| b.len() == 2), "{ordered:?}");
    // The plan may still pair cases where nibbles overlap enough (`stu` with `CEG`), but
    // not most buckets.
    assert!(mixed(&ordered) <= 2, "{ordered:?}");
    let (before, after) = (
        total_cost(&keywords, &given),
        total_cost(&keywords, &ordered),
    );
    assert!(after < before / 3.0, "{after} vs {before}");
}

#[test]
fn an_empty_keyword_keeps_the_given_order() {
    let keywords: Vec<&[u8]> = vec![b"ab", b"", b"c"];
    assert_eq!(order(&keywords, 8), vec![0, 1, 2]);
}

/// On the built-in rules' keywords and the decoder's base64 starts, kept and split as the
/// prefilter keeps and splits them (a keyword containing a shorter one is dropped; by
/// length into groups of at most 48), the planned buckets admit far less text than length
/// order's.
#[test]
fn the_builtin_keywords_get_cheaper_buckets() {
    let rules = crate::rules::RuleSet::builtin().expect("built-in rules");
    let mut words: Vec<&str> = rules
        .rules
        .iter()
        .flat_map(|r| r.spec.keywords.iter().map(String::as_str))
        .collect();
    words.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
    let mut kept: Vec<&str> = Vec::new();
    for w in words {
        if !kept.iter().any(|k| w.contains(k)) {
            kept.push(w);
        }
    }
    for start in crate::source::decode::BASE64_STARTS {
        if !kept.contains(start) {
            kept.push(start);
        }
    }
    kept.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
    let groups = kept.len().div_ceil(48);
    assert_eq!(groups, 2, "{} keywords", kept.len());
    for half in kept.chunks(kept.len().div_ceil(groups)) {
        let keywords: Vec<&[u8]> = half.iter().map(|w| w.as_bytes()).collect();
        let given = teddy(&keywords, &(0..keywords.len()).collect::<Vec<_>>(), 16);
        let ordered = teddy(&keywords, &order(&keywords, 16), 16);
        let (before, after) = (
            total_cost(&keywords, &given),
            total_cost(&keywords, &ordered),
        );
        assert!(after < before / 2.0, "{after} vs {before}: {half:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn the_order_is_a_permutation(
        words in prop::collection::btree_set("[a-dA-D_.(]{1,7}", 1..64),
        fat in any::<bool>(),
    ) {
        let keywords: Vec<&[u8]> = words.iter().map(String::as_bytes).collect();
        let mut got = order(&keywords, if fat { 16 } else { 8 });
        got.sort_unstable();
        prop_assert_eq!(got, (0..keywords.len()).collect::<Vec<_>>());
    }

    #[test]
    fn teddy_builds_the_planned_buckets(
        words in prop::collection::btree_set("[a-dA-D_.(]{1,7}", 1..64),
        fat in any::<bool>(),
    ) {
        let keywords: Vec<&[u8]> = words.iter().map(String::as_bytes).collect();
        let buckets = if fat { 16 } else { 8 };
        let width = keywords.iter().map(|k| k.len()).min().unwrap_or(0).min(4);
        let groups = group(&keywords, width);
        let planned: Vec<Vec<usize>> = plan(&groups, buckets, width)
            .iter()
            .map(|b| {
                let mut m: Vec<usize> =
                    b.groups.iter().flat_map(|&g| groups[g].members.clone()).collect();
                m.sort_unstable();
                m
            })
            .collect();
        let mut built = teddy(&keywords, &order(&keywords, buckets), buckets);
        built.iter_mut().for_each(|b| b.sort_unstable());
        prop_assert_eq!(built, planned);
    }
}
