//! Evidence across files, driven by the rules' `relations`: a client id (the `iss` of a
//! platform's tokens) makes a JWT with that issuer a token of the platform wherever it is
//! found, and makes a client-secret candidate in the same file or bundle the platform's
//! client secret.

use super::{reclassify, Specs};
use crate::finding::{Finding, Link, Note};
use crate::rules::{Report, Role, Rule};
use std::collections::{HashMap, HashSet};

/// Client ids of one relation, each with the finding it was first seen in: values found by
/// the `issuer` rule and the `iss` of tokens of its family.
fn client_ids(
    findings: &[Finding],
    specs: &Specs,
    issuer: &str,
    family: Option<&str>,
) -> HashMap<String, usize> {
    let mut ids = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        let id = if f.rule_id == issuer {
            Some(f.secret.clone())
        } else if family.is_some_and(|t| specs.tagged(f, t)) {
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

/// Applies every rule's `issuer` and `pairs_with` relation. Ids are gathered before any
/// finding moves: moving a token only adds tokens whose iss is already an id.
pub fn relate(findings: &mut [Finding], specs: &Specs, rules: &[Rule]) {
    let issuers: Vec<(&Rule, &str, HashMap<String, usize>)> = rules
        .iter()
        .filter_map(|r| {
            let rel = &r.spec.relations;
            let id_rule = rel.issuer.as_deref().or(rel.pairs_with.as_deref())?;
            let ids = client_ids(findings, specs, id_rule, rel.family.as_deref());
            Some((r, id_rule, ids))
        })
        .collect();
    for (rule, id_rule, ids) in &issuers {
        if rule.spec.relations.issuer.is_some() {
            classify_tokens(findings, specs, rule, id_rule, ids);
        }
    }
    for (rule, id_rule, ids) in &issuers {
        if rule.spec.relations.pairs_with.is_some() {
            pair_client_secrets(findings, specs, rule, id_rule, ids);
        }
    }
}

/// A JWT whose issuer is a client id seen elsewhere in the scan becomes a token of `to`,
/// even where nothing around it names the platform.
fn classify_tokens(
    findings: &mut [Finding],
    specs: &Specs,
    to: &Rule,
    id_rule: &str,
    ids: &HashMap<String, usize>,
) {
    let family = to.spec.relations.family.as_deref();
    for t in 0..findings.len() {
        let f = &findings[t];
        let in_family = family.is_some_and(|tag| specs.tagged(f, tag)) || f.rule_id == to.spec.id;
        if in_family || specs.report(f) != Report::Always {
            continue;
        }
        let Some(iss) = f.jwt.as_ref().and_then(|j| j.iss.as_deref()) else {
            continue;
        };
        let Some(&seen) = ids.get(iss).filter(|&&i| i != t) else {
            continue;
        };
        let why = Note::IssuerSeen {
            id_rule: specs.name(id_rule),
            at: Link::to(&findings[seen]),
        };
        reclassify(&mut findings[t], specs, &to.spec.id, why);
    }
}

/// A finding of `paired_from` in the same file or bundle as a client id becomes `to`. Bundle
/// members share the outer path, so "same path" covers both. A client id of the generic
/// role counts when its value is one of this relation's ids.
fn pair_client_secrets(
    findings: &mut [Finding],
    specs: &Specs,
    to: &Rule,
    id_rule: &str,
    ids: &HashMap<String, usize>,
) {
    let mut id_at: HashMap<String, usize> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        let generic = specs.role(f) == Some(Role::ClientId) && ids.contains_key(&f.secret);
        if f.rule_id == id_rule || generic {
            id_at.entry(f.path.clone()).or_insert(i);
        }
    }
    // A reported finding of lower priority (a generic credential) does not hold the literal
    // back: the more specific rule wins, as in overlap collapse.
    let reported: HashSet<(String, Option<String>, usize)> = findings
        .iter()
        .filter(|f| specs.report(f) == Report::Always && specs.priority(f) >= to.spec.priority)
        .map(|f| (f.path.clone(), f.member.clone(), f.offset))
        .collect();
    let from = &to.spec.relations.paired_from;
    for s in 0..findings.len() {
        let f = &findings[s];
        if !from.contains(&f.rule_id)
            || reported.contains(&(f.path.clone(), f.member.clone(), f.offset))
        {
            continue;
        }
        let Some(&id) = id_at.get(&f.path) else {
            continue;
        };
        let why = Note::PairedWith {
            id_rule: specs.name(id_rule),
            at: Link::to(&findings[id]),
        };
        reclassify(&mut findings[s], specs, &to.spec.id, why);
    }
}
