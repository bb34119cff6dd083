//! CAF evidence across files: a client id (the `iss` of CAF mobile tokens) makes a JWT with
//! that issuer a CAF mobile token wherever it is found, and makes a client secret in the same
//! file or bundle a CAF client secret.

use super::{reclassify, Specs};
use crate::finding::Finding;
use crate::rules::Report;
use std::collections::{HashMap, HashSet};

const CLIENT_ID: &str = "caf.client-id";
const GENERIC_ID: &str = "key.client-id";
const CLIENT_SECRET: &str = "jwt.hmac-key.client-secret";
const MOBILE_TOKEN: &str = "caf.mobile-token";

/// CAF client ids seen in the scan, each with the finding it was first seen in: values of
/// CAF-named client-id settings and the `iss` of tokens found by CAF rules.
pub fn client_ids(findings: &[Finding]) -> HashMap<String, usize> {
    let mut ids = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        let id = if f.rule_id == CLIENT_ID {
            Some(f.secret.clone())
        } else if f.rule_id.starts_with("caf.") {
            f.jwt.as_ref().and_then(|j| j.iss.clone())
        } else {
            None
        };
        if let Some(id) = id.filter(|id| id.len() >= 8) {
            ids.entry(id).or_insert(i);
        }
    }
    ids
}

/// A JWT whose issuer is a CAF client id seen elsewhere in the scan is a CAF mobile token,
/// even where nothing around it mentions CAF.
pub fn classify_tokens(findings: &mut [Finding], specs: &Specs, ids: &HashMap<String, usize>) {
    for t in 0..findings.len() {
        let f = &findings[t];
        if f.rule_id.starts_with("caf.") || specs.report(f) != Report::Always {
            continue;
        }
        let Some(iss) = f.jwt.as_ref().and_then(|j| j.iss.as_deref()) else {
            continue;
        };
        let Some(&seen) = ids.get(iss).filter(|&&i| i != t) else {
            continue;
        };
        let why = format!(
            "its iss is the CAF client id seen at {}:{}",
            findings[seen].location(),
            findings[seen].start.line
        );
        reclassify(&mut findings[t], specs, MOBILE_TOKEN, &why);
    }
}

/// A client secret in the same file or bundle as a CAF client id is the CAF client secret.
/// Bundle members share the outer path, so "same path" covers both.
pub fn pair_client_secrets(findings: &mut [Finding], specs: &Specs, ids: &HashMap<String, usize>) {
    let mut id_at: HashMap<String, usize> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        let caf_id =
            f.rule_id == CLIENT_ID || (f.rule_id == GENERIC_ID && ids.contains_key(&f.secret));
        if caf_id {
            id_at.entry(f.path.clone()).or_insert(i);
        }
    }
    let reported: HashSet<(String, Option<String>, usize)> = findings
        .iter()
        .filter(|f| specs.report(f) == Report::Always)
        .map(|f| (f.path.clone(), f.member.clone(), f.offset))
        .collect();
    for s in 0..findings.len() {
        let f = &findings[s];
        if f.rule_id != CLIENT_SECRET
            || reported.contains(&(f.path.clone(), f.member.clone(), f.offset))
        {
            continue;
        }
        let Some(&id) = id_at.get(&f.path) else {
            continue;
        };
        let why = format!(
            "paired with the CAF client id at {}:{}",
            findings[id].location(),
            findings[id].start.line
        );
        reclassify(&mut findings[s], specs, super::ids::CAF_SECRET, &why);
    }
}
