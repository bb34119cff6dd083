//! The order keywords are given to a packed searcher in.
//!
//! Teddy sorts its keywords into 8 or 16 buckets and, for every position of the text,
//! tests each bucket against the nibbles of its keywords' first bytes (up to 4). A bucket
//! is a union: one holding `oken` and `AKIA` also admits `oKIA`, `AkeA` and every other mix
//! of their nibbles, and each admitted position costs a comparison with every keyword in the
//! bucket. With keywords assigned in length order, this confirmation was half the searching
//! time on JavaScript. aho-corasick 1.1 assigns buckets round-robin in the order keywords
//! are given (a keyword whose prefix has the same low nibbles as an earlier one's joins that
//! one's bucket), so the order decides the buckets: here keywords are placed in buckets
//! that keep the expected rate of false candidates in source text low, then ordered so the
//! round-robin builds those buckets. Were Teddy to assign buckets another way, only speed
//! would change: which occurrences are found does not depend on the order.

/// Each byte's share of source text in parts per 65,536 (at least 1), from the first 64 KiB
/// of every file of 32 MiB of npm JavaScript and 32 MiB of crate sources (Rust, C, docs):
/// `python3 bench/byte_freq.py <dirs>` prints it.
const BYTE_FREQUENCY: [u16; 256] = [
    1, 1, 1, 1, 1, 1, 1, 1, 1, 677, 1560, 1, 1, 4, 1, 1, //
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, //
    12996, 65, 770, 164, 181, 382, 122, 120, 757, 754, 189, 134, 1788, 390, 879, 497, //
    685, 870, 543, 287, 306, 285, 293, 172, 258, 197, 466, 409, 51, 430, 76, 107, //
    31, 252, 122, 236, 160, 308, 138, 66, 79, 212, 14, 63, 244, 166, 206, 174, //
    167, 21, 247, 348, 264, 91, 60, 59, 63, 47, 21, 242, 335, 242, 25, 885, //
    26, 1925, 560, 1239, 1313, 3581, 689, 649, 678, 1946, 54, 300, 1338, 1141, 2066, 1956, //
    937, 210, 2258, 1836, 2728, 1009, 537, 279, 1111, 406, 109, 313, 516, 312, 4, 1, //
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, //
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, //
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, //
    1, 1, 1, 1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1, //
    1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, //
    4, 2, 1, 1, 1, 1, 1, 1, 3, 2, 1, 1, 1, 1, 1, 1, //
    3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, //
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, //
];

/// The sum of [`BYTE_FREQUENCY`].
const TOTAL: u32 = {
    let mut total = 0;
    let mut b = 0;
    while b < 256 {
        total += BYTE_FREQUENCY[b] as u32;
        b += 1;
    }
    total
};

/// Most improving passes over all pairs of keyword groups: each is quadratic in the number
/// of groups (at most a searcher's keywords, 48). On the built-in keywords the modelled
/// cost falls 3x in the first pass, 15% in the second and 1% in the third; the three take
/// 0.2 ms of start-up.
const PASSES: usize = 3;

/// Keywords whose first `width` bytes have the same low nibbles: Teddy always puts them in
/// one bucket, so they are placed together.
#[derive(Clone)]
struct Group {
    members: Vec<usize>,
    low: [u8; 4],
    /// Bit `h` of `high[i]`: some member's byte `i` has high nibble `h`.
    high: [u16; 4],
}

/// One planned bucket: the groups whose keywords it holds.
#[derive(Clone, Default)]
struct Bucket {
    groups: Vec<usize>,
}

/// Searching text for distinct `keywords` with `buckets` buckets, leftmost-first (with
/// leftmost-longest, Teddy orders keywords by length itself), the order to give them in: a
/// permutation of `0..keywords.len()`. With an empty keyword, the order given.
pub fn order(keywords: &[&[u8]], buckets: usize) -> Vec<usize> {
    let given = || (0..keywords.len()).collect();
    let width = keywords.iter().map(|k| k.len()).min().unwrap_or(0).min(4);
    if width == 0 || buckets == 0 {
        return given();
    }
    let groups = group(keywords, width);
    let plan = plan(&groups, buckets, width);
    let order = realise(&groups, &plan, buckets);
    // A keyword left out would never be searched for: rather the given order than that.
    let mut seen = vec![false; keywords.len()];
    for &i in &order {
        seen[i] = true;
    }
    if order.len() == keywords.len() && seen.iter().all(|&s| s) {
        order
    } else {
        given()
    }
}

/// The keywords gathered by the low nibbles of their first `width` bytes, in order of
/// first appearance.
fn group(keywords: &[&[u8]], width: usize) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for (i, k) in keywords.iter().enumerate() {
        let mut low = [0u8; 4];
        for (l, b) in low.iter_mut().zip(&k[..width]) {
            *l = b & 15;
        }
        let g = match groups.iter().position(|g| g.low == low) {
            Some(g) => g,
            None => {
                groups.push(Group {
                    members: Vec::new(),
                    low,
                    high: [0; 4],
                });
                groups.len() - 1
            }
        };
        groups[g].members.push(i);
        for (h, b) in groups[g].high.iter_mut().zip(&k[..width]) {
            *h |= 1 << (b >> 4);
        }
    }
    groups
}

/// How many groups Teddy's round-robin gives each bucket when the groups' first keywords
/// come first: bucket `t` takes positions `i` with `i % buckets == buckets - 1 - t`.
fn capacities(groups: usize, buckets: usize) -> Vec<usize> {
    (0..buckets)
        .map(|t| {
            (0..groups)
                .filter(|i| i % buckets == buckets - 1 - t)
                .count()
        })
        .collect()
}

/// Groups placed in buckets, greedily by the cost each adds, then improved by swapping
/// pairs of groups between buckets while that lowers the total cost.
fn plan(groups: &[Group], buckets: usize, width: usize) -> Vec<Bucket> {
    let mut free = capacities(groups.len(), buckets);
    let mut plan = vec![Bucket::default(); buckets];
    let mut costs = vec![0.0; buckets];
    for g in 0..groups.len() {
        let mut best: Option<(usize, f64)> = None;
        for t in (0..buckets).filter(|&t| free[t] > 0) {
            plan[t].groups.push(g);
            let added = cost(groups, &plan[t], width) - costs[t];
            plan[t].groups.pop();
            if best.is_none_or(|(_, c)| added < c) {
                best = Some((t, added));
            }
        }
        let Some((t, added)) = best else { break };
        plan[t].groups.push(g);
        costs[t] += added;
        free[t] -= 1;
    }
    for _ in 0..PASSES {
        if !improve(groups, &mut plan, &mut costs, width) {
            break;
        }
    }
    plan
}

/// One pass of swaps over every pair of groups in different buckets; true if any helped.
fn improve(groups: &[Group], plan: &mut [Bucket], costs: &mut [f64], width: usize) -> bool {
    let mut improved = false;
    for s in 0..plan.len() {
        for t in s + 1..plan.len() {
            for i in 0..plan[s].groups.len() {
                for j in 0..plan[t].groups.len() {
                    let (a, b) = (plan[s].groups[i], plan[t].groups[j]);
                    plan[s].groups[i] = b;
                    plan[t].groups[j] = a;
                    let (cs, ct) = (cost(groups, &plan[s], width), cost(groups, &plan[t], width));
                    if cs + ct < costs[s] + costs[t] - 1e-12 {
                        (costs[s], costs[t]) = (cs, ct);
                        improved = true;
                    } else {
                        plan[s].groups[i] = a;
                        plan[t].groups[j] = b;
                    }
                }
            }
        }
    }
    improved
}

/// Expected confirmation work per position of text: the chance the bucket's nibbles admit
/// the bytes there (bytes taken as independent), times the keywords then compared.
fn cost(groups: &[Group], bucket: &Bucket, width: usize) -> f64 {
    if bucket.groups.is_empty() {
        return 0.0;
    }
    let mut low = [0u16; 4];
    let mut high = [0u16; 4];
    let mut keywords = 0;
    for &g in &bucket.groups {
        let g = &groups[g];
        keywords += g.members.len();
        for i in 0..width {
            low[i] |= 1 << g.low[i];
            high[i] |= g.high[i];
        }
    }
    let mut chance = 1.0;
    for i in 0..width {
        let mut admitted = 0u32;
        for h in bits(high[i]) {
            for l in bits(low[i]) {
                admitted += u32::from(BYTE_FREQUENCY[h << 4 | l]);
            }
        }
        chance *= f64::from(admitted) / f64::from(TOTAL);
    }
    chance * (1.0 + 0.5 * keywords as f64)
}

/// The nibbles set in a mask.
fn bits(mut mask: u16) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let n = mask.trailing_zeros() as usize;
        mask &= mask.wrapping_sub(1);
        (n < 16).then_some(n)
    })
}

/// The order that makes the round-robin build `plan`: each group's first keyword at a
/// position its bucket takes, then every other keyword (each joins its group's bucket).
fn realise(groups: &[Group], plan: &[Bucket], buckets: usize) -> Vec<usize> {
    let mut next = vec![0usize; buckets];
    let mut order = Vec::new();
    for i in 0..groups.len() {
        let t = buckets - 1 - i % buckets;
        if let Some(&g) = plan[t].groups.get(next[t]) {
            order.push(groups[g].members[0]);
            next[t] += 1;
        }
    }
    for g in groups {
        order.extend(&g.members[1..]);
    }
    order
}

#[cfg(test)]
#[path = "bucket_tests.rs"]
mod tests;
