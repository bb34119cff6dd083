//! The same secret seen in several places becomes one finding. A fingerprint is SHA-256 over
//! the rule id and the secret (never the path, line or commit), so equal fingerprints are the
//! same secret under the same rule wherever it was found.

use crate::finding::{CommitInfo, Finding, Note, Occurrence};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// One finding per fingerprint, in report order (label, path, line, column, rule). The
/// primary place is the first in a stable order: most severe first (so the message and
/// severity shown are those of the worst place), then label, path, member, position, commit.
/// Every other place is listed in `also_in`, sorted the same way without severity; proof
/// links and notes of every place are kept.
pub fn dedupe(findings: Vec<Finding>) -> Vec<Finding> {
    // Findings are large: sort their indices, then move each once.
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&findings[a], &findings[b]);
        b.severity.cmp(&a.severity).then_with(|| place_order(a, b))
    });
    let mut slots: Vec<Option<Finding>> = findings.into_iter().map(Some).collect();
    let mut first: HashMap<String, usize> = HashMap::with_capacity(slots.len());
    let mut out: Vec<Finding> = Vec::with_capacity(slots.len());
    for i in order {
        let Some(f) = slots[i].take() else { continue };
        match first.get(&f.fingerprint) {
            Some(&k) => absorb(&mut out[k], f),
            None => {
                first.insert(f.fingerprint.clone(), out.len());
                out.push(f);
            }
        }
    }
    for f in out.iter_mut().filter(|f| !f.also_in.is_empty()) {
        tidy_places(f);
    }
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&out[a], &out[b]);
        (&a.label, &a.path, a.start, &a.member, &a.rule_id)
            .cmp(&(&b.label, &b.path, b.start, &b.member, &b.rule_id))
    });
    let mut slots: Vec<Option<Finding>> = out.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

fn place_order(a: &Finding, b: &Finding) -> Ordering {
    (&a.label, &a.path, &a.member, a.start)
        .cmp(&(&b.label, &b.path, &b.member, b.start))
        .then_with(|| commit_key(&a.commit).cmp(&commit_key(&b.commit)))
}

fn occurrence_order(a: &Occurrence, b: &Occurrence) -> Ordering {
    (&a.label, &a.path, &a.member, a.start)
        .cmp(&(&b.label, &b.path, &b.member, b.start))
        .then_with(|| commit_key(&a.commit).cmp(&commit_key(&b.commit)))
}

/// Older commits first.
fn commit_key(c: &Option<CommitInfo>) -> Option<(i64, &str)> {
    c.as_ref().map(|c| (c.time, c.id.as_str()))
}

/// Adds `other`'s places and proof to `primary`, the same secret. Notes about a place (in
/// sample code, assigned to a name) stay with their place; what proof established about the
/// secret holds everywhere.
fn absorb(primary: &mut Finding, other: Finding) {
    primary.also_in.push(other.occurrence());
    primary.also_in.extend(other.also_in);
    if primary.verified_by.is_none() && other.verified_by.is_some() {
        primary.verified_by = other.verified_by;
        let proof = other.notes.into_iter().filter(|n| {
            matches!(
                n,
                Note::SignedBy(_) | Note::GenuineUnder(_) | Note::Forged(_) | Note::PublicSecret(_)
            )
        });
        primary.notes.extend(proof);
    }
    // A token is one finding now, wherever it was signed: one link per token.
    if !other.signs.is_empty() {
        let mut known: HashSet<String> = primary
            .signs
            .iter()
            .map(|l| l.fingerprint.clone())
            .collect();
        primary.signs.extend(
            other
                .signs
                .into_iter()
                .filter(|l| known.insert(l.fingerprint.clone())),
        );
    }
}

/// Sorts a merged finding's other places and drops repeats (the same report merged twice)
/// and any that is its own place.
fn tidy_places(f: &mut Finding) {
    let own = f.occurrence();
    f.also_in.sort_by(occurrence_order);
    f.also_in.dedup();
    f.also_in.retain(|o| *o != own);
}
