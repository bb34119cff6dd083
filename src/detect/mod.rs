//! Candidate match → validated detection: the checks regexes cannot express (JWT structure,
//! PEM bodies, JWK members, indirection through a variable, placeholders, entropy, context).

mod collapse;
#[cfg(test)]
pub(crate) mod collapse_tests;
pub mod entropy;
pub mod indirect;
pub mod jwt;
pub mod keys;
pub mod named;
pub mod placeholder;
mod token;

pub use collapse::collapse;
pub use token::{JwtFlag, JwtInfo};

use crate::matcher::RawMatch;
use crate::rules::{Confidence, Severity};
use crate::rules::{ContextScope, DetectorKind, Rule, CONTEXT_RADIUS};
use std::cell::OnceCell;
use std::ops::Range;
use std::sync::OnceLock;

/// A match that passed every check.
#[derive(Debug, Clone)]
pub struct Detection {
    /// Where the secret is in the blob (may differ from the regex capture).
    pub secret: Range<usize>,
    /// Severity after adjustments (expired tokens, encrypted keys, public samples).
    pub severity: Severity,
    /// Decoded token facts.
    pub jwt: Option<JwtInfo>,
    /// What the checks learned beyond the match itself.
    pub notes: Vec<Note>,
    /// Confidence below the rule's, when the evidence is weaker than the rule assumes.
    pub confidence: Option<Confidence>,
    /// Why a credential found by its name counts (named detections only).
    pub evidence: Option<named::Evidence>,
}

/// A fact a detector established, for the report to put into words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Note {
    /// The key was found through the variable it is assigned to (`sign(p, SECRET)`).
    AssignedTo(String),
    /// A PEM private key protected by a passphrase.
    Encrypted,
    /// A well-known demo or default value (`changeit`, `your-256-bit-secret`).
    DemoValue,
    /// In tests, documentation or examples, where sample credentials are common.
    SampleCode,
}

/// Where a match was found, as far as the checks care.
#[derive(Debug, Clone, Copy)]
pub struct Site {
    /// Unix seconds, to decide whether a token has expired.
    pub now: i64,
    /// The blob is source code, where secrets are quoted literals: unquoted values are rejected.
    pub code: bool,
    /// The blob's path says it ships to users' devices (see `Origin::is_client_side`).
    pub client: bool,
    /// The blob's path says tests, documentation or examples (see `Origin::is_sample`).
    pub sample: bool,
}

/// Facts about a whole blob that some checks need: each is computed at most once per blob,
/// and only when a match first asks for it, so the cost is one pass over the blob however
/// many matches there are (a per-match pass is quadratic on a file of sign calls).
#[derive(Default)]
pub struct BlobFacts<'b> {
    client_code: OnceCell<bool>,
    assignments: OnceCell<indirect::Assignments<'b>>,
    named: named::Facts<'b>,
}

impl<'b> BlobFacts<'b> {
    /// Whether `buf` carries markers of browser or mobile code.
    fn client_code(&self, buf: &[u8]) -> bool {
        *self.client_code.get_or_init(|| client_code(buf))
    }

    /// Every string literal assigned to a name in `buf`.
    fn assignments(&self, buf: &'b [u8]) -> &indirect::Assignments<'b> {
        self.assignments
            .get_or_init(|| indirect::Assignments::index(buf))
    }
}

/// Runs `rule`'s detector and the shared filters over a raw match. `facts` must belong to
/// `buf` (one per blob).
pub fn detect<'b>(
    rule: &Rule,
    buf: &'b [u8],
    m: &RawMatch,
    site: Site,
    facts: &BlobFacts<'b>,
) -> Option<Detection> {
    if m.bare && site.code {
        return None;
    }
    if rule.spec.client_side && !site.client && !facts.client_code(buf) {
        return None;
    }
    let now = site.now;
    let mut d = Detection {
        secret: m.secret.clone(),
        severity: rule.spec.severity,
        jwt: None,
        notes: Vec::new(),
        confidence: None,
        evidence: None,
    };
    let structural = match rule.spec.detector {
        None => false,
        Some(DetectorKind::Named) => named_credential(rule, buf, m, site, facts, &mut d)?,
        Some(kind) => run_detector(kind, buf, m, now, facts, &mut d)?,
    };
    let value = std::str::from_utf8(&buf[d.secret.clone()]).ok()?;
    let chars = value.chars().count();
    if chars < rule.spec.min_len.unwrap_or(1) || chars > rule.spec.max_len.unwrap_or(usize::MAX) {
        return None;
    }
    if !structural && !plausible_literal(rule, value, m.bare) {
        return None;
    }
    if rule
        .reject
        .as_ref()
        .is_some_and(|r| r.get().is_match(value.as_bytes()))
    {
        return None;
    }
    if rule
        .require
        .as_ref()
        .is_some_and(|r| !r.get().is_match(value.as_bytes()))
    {
        return None;
    }
    if !context_ok(rule, buf, &m.whole) {
        return None;
    }
    Some(d)
}

/// Runs a detector; `Some(true)` when the secret's structure was verified, so the
/// placeholder and entropy checks (meant for free-form literals) do not apply.
fn run_detector<'b>(
    kind: DetectorKind,
    buf: &'b [u8],
    m: &RawMatch,
    now: i64,
    facts: &BlobFacts<'b>,
    d: &mut Detection,
) -> Option<bool> {
    let text = std::str::from_utf8(&buf[m.secret.clone()]).ok()?;
    match kind {
        DetectorKind::Jwt => {
            let token = jwt::parse(text)?;
            apply_jwt(d, token.info(now));
            Some(true)
        }
        DetectorKind::MaybeJwt => match jwt::parse(text) {
            Some(token) => {
                apply_jwt(d, token.info(now));
                Some(true)
            }
            None => Some(false),
        },
        DetectorKind::IndirectKey => {
            d.secret = facts.assignments(buf).resolve(text, m.whole.start)?;
            d.notes.push(Note::AssignedTo(text.to_string()));
            Some(false)
        }
        DetectorKind::Pem => {
            let check = keys::check_pem(&buf[m.secret.clone()])?;
            if check.encrypted {
                d.severity = d.severity.min(Severity::Medium);
                d.notes.push(Note::Encrypted);
            }
            Some(true)
        }
        DetectorKind::JwkPrivate => {
            keys::jwk_private_member(&buf[m.secret.clone()])?;
            Some(true)
        }
        DetectorKind::JwkOct => {
            let k = keys::jwk_oct_member(&buf[m.secret.clone()])?;
            d.secret = m.secret.start + k.start..m.secret.start + k.end;
            Some(true)
        }
        DetectorKind::Named => None,
    }
}

/// A literal given to the name around the keyword; its evidence sets severity and
/// confidence: demo values are `low`, sample code (tests, docs, examples) is less sure.
fn named_credential<'b>(
    rule: &Rule,
    buf: &'b [u8],
    m: &RawMatch,
    site: Site,
    facts: &BlobFacts<'b>,
    d: &mut Detection,
) -> Option<bool> {
    let kind = named::Kind::of_rule(&rule.spec.id)?;
    let found = named::find(buf, m.secret.clone(), kind, site.code, &facts.named)?;
    d.secret = found.value;
    // Use in the file is the strongest evidence a name can have; a file importing JWT or
    // crypto code makes a secret-named value more likely its key.
    let keyed = matches!(kind, named::Kind::Secret | named::Kind::Token)
        && found
            .evidence
            .imports
            .iter()
            .any(|l| matches!(l, named::Library::Jwt | named::Library::Crypto));
    if found.evidence.used_for.is_some() || keyed {
        d.confidence = Some(Confidence::High);
    }
    if found.evidence.demo_value {
        d.severity = Severity::Low;
        d.notes.push(Note::DemoValue);
    }
    if site.sample {
        d.severity = d.severity.min(Severity::Medium);
        d.confidence = Some(Confidence::Low);
        d.notes.push(Note::SampleCode);
    }
    d.evidence = Some(found.evidence);
    Some(true)
}

fn apply_jwt(d: &mut Detection, info: JwtInfo) {
    if info.flags.contains(&JwtFlag::PublicSample) {
        d.severity = Severity::Low;
    } else if info.flags.contains(&JwtFlag::Expired) {
        d.severity = d.severity.min(Severity::Medium);
    }
    d.jwt = Some(info);
}

/// Markers of browser or mobile code in a file whose path does not say where it runs.
fn client_code(buf: &[u8]) -> bool {
    static RE: OnceLock<regex::bytes::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        regex::bytes::Regex::new(
            r#"(?-u)from\s+["'](?:react|react-native(?:-[a-z0-9-]+)?|vue|@angular/[a-z]+|@caf\.io/react-native[a-z0-9-]*)["']|require\(["']react-native["']\)|\bimport\s+(?:UIKit|SwiftUI)\b|package:flutter/|\bimport\s+android\.|\b(?:document|window)\.[a-zA-Z]"#,
        )
        .expect("client marker regex compiles")
    })
    .is_match(buf)
}

/// Free-form literals must not be placeholders, identifiers (when unquoted) or low entropy.
fn plausible_literal(rule: &Rule, value: &str, bare: bool) -> bool {
    if placeholder::is_placeholder(value) || (bare && placeholder::is_identifier(value)) {
        return false;
    }
    let floor = rule.spec.min_entropy.unwrap_or(0.0);
    entropy::shannon(value.as_bytes()) >= floor
}

fn context_ok(rule: &Rule, buf: &[u8], whole: &Range<usize>) -> bool {
    let Some(ctx) = rule.context.as_ref().map(crate::rules::Pattern::get) else {
        return true;
    };
    let radius = rule.spec.context_radius.unwrap_or(CONTEXT_RADIUS);
    let start = whole.start.saturating_sub(radius);
    let end = (whole.end + radius).min(buf.len());
    match rule.spec.context_scope {
        ContextScope::Window => ctx.is_match(&buf[start..end]),
        ContextScope::NearestUrl => {
            nearest_url(buf, start..end, whole).is_some_and(|u| ctx.is_match(u))
        }
    }
}

/// The `http(s)://…` URL in `area` whose distance to `whole` is smallest.
fn nearest_url<'a>(buf: &'a [u8], area: Range<usize>, whole: &Range<usize>) -> Option<&'a [u8]> {
    static URL: OnceLock<regex::bytes::Regex> = OnceLock::new();
    let re = URL.get_or_init(|| {
        regex::bytes::Regex::new(r#"(?-u)https?://[^\s"'`<>()]+"#).expect("url regex compiles")
    });
    let distance = |r: &Range<usize>| {
        if r.end <= whole.start {
            whole.start - r.end
        } else {
            r.start.saturating_sub(whole.end)
        }
    };
    re.find_iter(&buf[area.clone()])
        .map(|m| (area.start + m.start())..(area.start + m.end()))
        .min_by_key(distance)
        .map(|r| &buf[r])
}
