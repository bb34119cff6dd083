//! Offline proof, run once over all findings of a scan. Tokens are checked against the keys
//! found with them: HS256/384/512 against every signing-key candidate (raw and base64-decoded,
//! as JWK `k` values are), jwt.io's example secrets and wallarm/jwt-secrets' list;
//! RS/PS/ES/EdDSA against every private and public key (PEM or JWK). An HS token whose HMAC
//! key is a public key's PEM text is a key-confusion forgery. A match turns "looks like a key"
//! into "this key signs these tokens": the key becomes a confirmed signing key and the two
//! findings link. The rules' `role`s say which findings are keys and client ids, and their
//! `relations` which findings become others' (a CAF client id ties client secrets and tokens
//! to CAF). Key material that proof did not use is dropped before reporting.

mod across;
mod asym;
mod hmac_keys;
mod relate;
mod weak;

pub use across::{across, Across, MAX_ACROSS_CHECKS};
pub use weak::MAX_WEAK_TOKENS;

use crate::finding::{fingerprint, Finding, JwtFlag, Link, Note, Severity};
use crate::rules::{Report, Role, Rule, RuleSet, RuleSpec};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac_keys::{Candidate, Source, PUBLIC_SECRETS};
use std::collections::{HashMap, HashSet};

/// How a token verified by the public weak-secret list is described.
const WEAK_LIST: &str = "a common JWT secret from wallarm/jwt-secrets";

/// At most this many HMAC candidates, and as many asymmetric keys, are tried per token, so
/// cost stays bounded.
pub const MAX_CANDIDATES: usize = 10_000;

/// What proved a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum By {
    /// A key finding signs it (HMAC key or private key).
    Key(usize),
    /// A public key finding verifies it: the token is genuine.
    PublicKey(usize),
    /// Its HMAC key is a public key's PEM text: a key-confusion forgery.
    Forged(usize),
    /// A publicly known secret signs it.
    Public(&'static str),
}

/// Rule specs by id, looked up many times per scan.
struct Specs<'a>(HashMap<&'a str, &'a Rule>);

impl<'a> Specs<'a> {
    fn new(rules: &'a RuleSet) -> Self {
        Specs(
            rules
                .rules
                .iter()
                .map(|r| (r.spec.id.as_str(), r))
                .collect(),
        )
    }

    fn spec(&self, id: &str) -> Option<&'a RuleSpec> {
        self.0.get(id).map(|r| &r.spec)
    }

    fn report(&self, f: &Finding) -> Report {
        self.spec(&f.rule_id).map_or(Report::Always, |s| s.report)
    }

    fn tagged(&self, f: &Finding, tag: &str) -> bool {
        self.spec(&f.rule_id)
            .is_some_and(|s| s.tags.iter().any(|t| t == tag))
    }

    fn priority(&self, f: &Finding) -> i32 {
        self.spec(&f.rule_id).map_or(0, |s| s.priority)
    }

    fn role(&self, f: &Finding) -> Option<Role> {
        self.spec(&f.rule_id).and_then(|s| s.role)
    }

    /// A rule's display name (its id when unknown).
    fn name(&self, id: &str) -> String {
        self.spec(id)
            .map_or_else(|| id.to_string(), |s| s.name.clone())
    }
}

/// What the proof step may do.
#[derive(Debug, Clone)]
pub struct ProofOptions {
    /// Verify tokens at all (`--no-verify` turns it off).
    pub verify: bool,
    /// At most this many distinct unverified HS tokens are checked against the common-secret
    /// list (see [`weak_budget`]).
    pub weak_tokens: usize,
}

/// Bytes of scanned input that buy one more token's check against the common-secret list.
/// Measured on 2 cores: the list's first use costs about 36 ms, each token about 12 ms, and a
/// scan reads about 630 MB/s; one token per 192 MiB keeps the list check under a tenth of
/// the scan (476 MB: 2 tokens, about 60 ms of 0.75 s).
const WEAK_BYTES_PER_TOKEN: u64 = 192 << 20;
/// Small scans (a commit, one file) still check this many tokens.
const MIN_WEAK_TOKENS: usize = 2;

/// The default `--weak-secrets` budget for a scan of `bytes`.
pub fn weak_budget(bytes: u64) -> usize {
    usize::try_from(bytes / WEAK_BYTES_PER_TOKEN)
        .unwrap_or(MAX_WEAK_TOKENS)
        .clamp(MIN_WEAK_TOKENS, MAX_WEAK_TOKENS)
}

/// Classifies CAF tokens and secrets, verifies tokens against keys, links what proof
/// connects, and drops key material that proof did not use. Returns how many HS tokens the
/// weak-secret budget left unchecked.
pub fn settle(findings: &mut Vec<Finding>, rules: &RuleSet, opts: &ProofOptions) -> usize {
    let specs = Specs::new(rules);
    relate::relate(findings, &specs, &rules.rules);
    let mut unchecked = 0;
    if opts.verify {
        let (proofs, skipped) = find_proofs(findings, &specs, opts.weak_tokens);
        unchecked = skipped;
        promote(findings, &specs, &rules.rules, &proofs);
        apply(findings, &proofs);
    }
    findings.retain(|f| match specs.report(f) {
        Report::Always => true,
        Report::WhenProven => !f.signs.is_empty(),
        Report::Never => false,
    });
    drop_outranked(findings, &specs);
    unchecked
}

fn hmac_candidates(findings: &[Finding], specs: &Specs) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut add = |form: Vec<u8>, source: Source, out: &mut Vec<Candidate>| {
        if out.len() < MAX_CANDIDATES && !seen.contains(&form) {
            out.extend(Candidate::new(&form, source));
            seen.insert(form);
        }
    };
    // Reported keys first, so a token links to the finding people will see.
    for pass in [Report::Always, Report::WhenProven] {
        for (i, f) in findings.iter().enumerate() {
            if specs.report(f) == pass && specs.role(f) == Some(Role::SigningKey) && !f.redacted {
                for form in hmac_keys::key_forms(&f.secret) {
                    add(form, Source::Key(i), &mut out);
                }
            }
        }
    }
    for (i, f) in findings.iter().enumerate() {
        if specs.role(f) == Some(Role::PublicKey) && !is_jwk(&f.secret) && !f.redacted {
            for form in hmac_keys::pem_forms(&f.secret) {
                add(form, Source::PublicPem(i), &mut out);
            }
        }
    }
    for (secret, what) in PUBLIC_SECRETS {
        out.extend(Candidate::new(secret.as_bytes(), Source::Public(what)));
    }
    out
}

/// Verifying keys from private and public key findings, private ones first.
fn asym_keys(findings: &[Finding], specs: &Specs) -> Vec<(usize, asym::PublicKey, bool)> {
    let mut keys = Vec::new();
    for (private, role) in [(true, Role::PrivateKey), (false, Role::PublicKey)] {
        for (i, f) in findings.iter().enumerate() {
            let key = match specs.role(f) == Some(role) && !f.redacted {
                true if is_jwk(&f.secret) => asym::from_jwk(&f.secret),
                true => asym::from_pem(&f.secret),
                false => None,
            };
            if let Some(k) = key.filter(|_| keys.len() < MAX_CANDIDATES) {
                keys.push((i, k, private));
            }
        }
    }
    keys
}

/// A literal that proof moved to a specific rule may also be reported by a generic one at the
/// same place (same file, offset and secret): the higher priority keeps it, as overlap collapse does within a blob.
fn drop_outranked(findings: &mut Vec<Finding>, specs: &Specs) {
    type Place<'a> = (&'a str, Option<&'a str>, usize, &'a str);
    let mut best: HashMap<Place, i32> = HashMap::new();
    for f in findings.iter() {
        let key = (
            f.path.as_str(),
            f.member.as_deref(),
            f.offset,
            f.secret.as_str(),
        );
        let p = best.entry(key).or_insert(i32::MIN);
        *p = (*p).max(specs.priority(f));
    }
    let keep: Vec<bool> = findings
        .iter()
        .map(|f| {
            let key = (
                f.path.as_str(),
                f.member.as_deref(),
                f.offset,
                f.secret.as_str(),
            );
            best.get(&key).is_none_or(|&p| specs.priority(f) >= p)
        })
        .collect();
    let mut i = 0;
    findings.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// Key material written as JWK members rather than PEM text (which always opens with its
/// `-----BEGIN` line).
fn is_jwk(secret: &str) -> bool {
    !secret.trim_start().starts_with("-----")
}

/// Proofs for every token, and how many HS tokens the weak-secret budget left unchecked.
fn find_proofs(
    findings: &[Finding],
    specs: &Specs,
    weak_tokens: usize,
) -> (Vec<(usize, By)>, usize) {
    if !findings.iter().any(|f| f.jwt.is_some()) {
        return (Vec::new(), 0);
    }
    let candidates = hmac_candidates(findings, specs);
    let keys = asym_keys(findings, specs);
    // Each distinct token is verified once.
    let mut done: HashMap<&str, Option<By>> = HashMap::new();
    for f in findings {
        if let Some(jwt) = &f.jwt {
            if !done.contains_key(f.secret.as_str()) {
                done.insert(&f.secret, prove(&f.secret, &jwt.alg, &candidates, &keys));
            }
        }
    }
    let skipped = check_weak(findings, &mut done, weak_tokens);
    let proofs = findings
        .iter()
        .enumerate()
        .filter_map(|(t, f)| Some((t, (*done.get(f.secret.as_str())?)?)))
        .collect();
    (proofs, skipped)
}

/// A token proof across reports may still verify: its secret is known and nothing verified
/// it yet (`merge` reads back findings that were proven or redacted).
fn unproven(f: &Finding) -> bool {
    !f.redacted && f.verified_by.is_none()
}

/// Checks HS tokens nothing in the scan verified against the common-secret list, most severe
/// first, up to `budget` distinct tokens; returns how many were left unchecked.
fn check_weak<'a>(
    findings: &'a [Finding],
    done: &mut HashMap<&'a str, Option<By>>,
    budget: usize,
) -> usize {
    let mut pending: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.jwt.as_ref().is_some_and(|j| j.alg.starts_with("HS")))
        .filter(|f| done.get(f.secret.as_str()) == Some(&None))
        .collect();
    pending.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut seen: HashSet<&str> = HashSet::new();
    pending.retain(|f| seen.insert(f.secret.as_str()));
    let skipped = pending.len().saturating_sub(budget);
    for f in pending.into_iter().take(budget) {
        let alg = f.jwt.as_ref().map_or("", |j| j.alg.as_str());
        let signed = split_token(&f.secret)
            .is_some_and(|(input, sig)| weak::signed_with_weak_secret(alg, input, &sig));
        if signed {
            done.insert(&f.secret, Some(By::Public(WEAK_LIST)));
        }
    }
    skipped
}

fn prove(
    token: &str,
    alg: &str,
    candidates: &[Candidate],
    keys: &[(usize, asym::PublicKey, bool)],
) -> Option<By> {
    let (input, sig) = split_token(token)?;
    if asym::is_asymmetric(alg) {
        let (i, _, private) = keys.iter().find(|(_, k, _)| k.verifies(alg, input, &sig))?;
        return Some(if *private {
            By::Key(*i)
        } else {
            By::PublicKey(*i)
        });
    }
    if !alg.starts_with("HS") {
        return None;
    }
    let c = candidates.iter().find(|c| c.signs(alg, input, &sig))?;
    Some(match c.source {
        Source::Key(i) => By::Key(i),
        Source::PublicPem(i) => By::Forged(i),
        Source::Public(what) => By::Public(what),
    })
}

/// `header.payload` as bytes and the decoded signature.
fn split_token(token: &str) -> Option<(&[u8], Vec<u8>)> {
    let dot = token.rfind('.')?;
    let sig = URL_SAFE_NO_PAD
        .decode(token[dot + 1..].trim_end_matches('='))
        .ok()?;
    Some((&token.as_bytes()[..dot], sig))
}

/// A candidate literal that signs a token of a rule family becomes the rule whose
/// `signer_of` names that family (a key that signs a CAF token is the CAF client secret).
fn promote(findings: &mut [Finding], specs: &Specs, rules: &[Rule], proofs: &[(usize, By)]) {
    for r in rules {
        let Some(family) = r.spec.relations.signer_of.as_deref() else {
            continue;
        };
        for &(t, by) in proofs {
            let By::Key(k) = by else { continue };
            if specs.tagged(&findings[t], family)
                && specs.report(&findings[k]) == Report::WhenProven
            {
                let why = Note::SignsFamilyToken(family.to_uppercase());
                reclassify(&mut findings[k], specs, &r.spec.id, why);
            }
        }
    }
}

/// Moves a finding to another rule (a JWT recognised as a CAF token, a literal proven to be
/// a client secret), keeping severity lowered by its detector (expired tokens stay lower).
fn reclassify(f: &mut Finding, specs: &Specs, to: &str, why: Note) {
    let (Some(from), Some(to)) = (specs.spec(&f.rule_id), specs.spec(to)) else {
        return;
    };
    f.severity = if f.severity < from.severity {
        f.severity.min(to.severity)
    } else {
        to.severity
    };
    f.notes.push(why);
    f.rule_id = to.id.clone();
    f.rule_name = to.name.clone();
    f.confidence = to.confidence;
    f.fingerprint = fingerprint(&to.id, &f.secret);
}

fn apply(findings: &mut [Finding], proofs: &[(usize, By)]) {
    for &(t, by) in proofs {
        let note = match by {
            By::Key(k) => {
                let token_link = Link::to(&findings[t]);
                findings[k].signs.push(token_link);
                Note::SignedBy(link_token(findings, t, k))
            }
            By::PublicKey(k) => Note::GenuineUnder(link_token(findings, t, k)),
            By::Forged(k) => {
                let token = &mut findings[t];
                token.severity = Severity::Critical;
                if let Some(j) = token.jwt.as_mut() {
                    j.flags.push(JwtFlag::KeyConfusion);
                }
                Note::Forged(link_token(findings, t, k))
            }
            By::Public(what) => {
                let token = &mut findings[t];
                token.verified_by = Some(Link::public(what));
                // Anyone holding the public list can mint tokens this service accepts.
                if what == WEAK_LIST {
                    token.severity = Severity::Critical;
                }
                Note::PublicSecret(what.to_string())
            }
        };
        findings[t].notes.push(note);
    }
    for f in findings.iter_mut().filter(|f| !f.signs.is_empty()) {
        f.severity = Severity::Critical;
    }
}

/// Points token `t` at finding `k`; returns the link.
fn link_token(findings: &mut [Finding], t: usize, k: usize) -> Link {
    let link = Link::to(&findings[k]);
    findings[t].verified_by = Some(link.clone());
    link
}
