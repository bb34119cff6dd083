//! Proof across reports read back (`merge`): a key leaked in one repository proves a token
//! found in another.

use super::{apply, asym_keys, hmac_candidates, promote, prove, unproven, By, Specs};
use crate::finding::Finding;
use crate::rules::RuleSet;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// Signature checks (tokens times keys) proof across reports may spend: about 0.45 µs each
/// (HS256 over a short token), so about 2 s of CPU. Past it, the most severe tokens are
/// checked and the rest counted.
pub const MAX_ACROSS_CHECKS: usize = 4_000_000;

/// What proof across reports did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Across {
    /// Tokens it newly verified.
    pub proven: usize,
    /// Distinct tokens [`MAX_ACROSS_CHECKS`] left unchecked.
    pub unchecked: usize,
}

/// Checks every token nothing verified yet against every key of every report whose secrets
/// are known (reports written with `--show-secrets`; a redacted finding is neither key nor
/// token here), in parallel, within [`MAX_ACROSS_CHECKS`]. Relations, the common-secret list
/// and the dropping of unused key material ran when each report was made, so they are not
/// repeated.
pub fn across(findings: &mut [Finding], rules: &RuleSet) -> Across {
    let specs = Specs::new(rules);
    let tokens: Vec<usize> = (0..findings.len())
        .filter(|&i| findings[i].jwt.is_some() && unproven(&findings[i]))
        .collect();
    if tokens.is_empty() {
        return Across::default();
    }
    let candidates = hmac_candidates(findings, &specs);
    let keys = asym_keys(findings, &specs);
    let budget = MAX_ACROSS_CHECKS / (candidates.len() + keys.len()).max(1);
    let mut ranked = tokens.clone();
    ranked.sort_by_key(|&i| std::cmp::Reverse(findings[i].severity));
    let mut seen: HashSet<&str> = HashSet::new();
    ranked.retain(|&i| seen.insert(findings[i].secret.as_str()));
    let unchecked = ranked.len().saturating_sub(budget);
    ranked.truncate(budget.max(1));
    let proved: HashMap<&str, By> = ranked
        .par_iter()
        .filter_map(|&i| {
            let f = &findings[i];
            let alg = f.jwt.as_ref().map_or("", |j| j.alg.as_str());
            Some((
                f.secret.as_str(),
                prove(&f.secret, alg, &candidates, &keys)?,
            ))
        })
        .collect();
    let proofs: Vec<(usize, By)> = tokens
        .iter()
        .filter_map(|&t| Some((t, *proved.get(findings[t].secret.as_str())?)))
        .collect();
    drop(proved);
    promote(findings, &specs, &rules.rules, &proofs);
    apply(findings, &proofs);
    Across {
        proven: proofs.len(),
        unchecked,
    }
}
