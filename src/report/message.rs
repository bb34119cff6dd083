//! The one-line message every format shows for a finding, put into words from its structured
//! facts: rule name, token facts, then what detection and proof established, in order.

use crate::finding::{DetectNote, Finding, JwtFlag, JwtInfo, Link, Note};

/// A key's message names this many of the tokens it signs; JSON and SARIF list them all.
const SHOWN_LINKS: usize = 3;

/// The message for `f`.
pub fn message(f: &Finding) -> String {
    let mut parts = vec![f.rule_name.clone()];
    if let Some(e) = &f.evidence {
        parts.push(format!("name `{}`", e.name));
    }
    if let Some(j) = &f.jwt {
        parts.push(jwt_summary(j));
    }
    let own = f.label.as_deref();
    parts.extend(f.notes.iter().map(|n| note(n, own)));
    let body = parts.join("; ");
    if f.signs.is_empty() {
        return body;
    }
    format!("{}; {body}", confirmed_key(&f.signs, own))
}

fn confirmed_key(signs: &[Link], own: Option<&str>) -> String {
    let n = signs.len();
    let mut at: Vec<String> = signs
        .iter()
        .take(SHOWN_LINKS)
        .map(|l| place(l, own))
        .collect();
    if n > SHOWN_LINKS {
        at.push(format!("+{} more", n - SHOWN_LINKS));
    }
    format!(
        "confirmed signing key: signs {n} token{} found in this scan ({})",
        if n == 1 { "" } else { "s" },
        at.join(", ")
    )
}

/// `path:line`, and the repository when it is not the linking finding's own (`merge`).
fn place(l: &Link, own: Option<&str>) -> String {
    match l.label.as_deref() {
        Some(label) if Some(label) != own => format!("{}:{} in {label}", l.location, l.line),
        _ => format!("{}:{}", l.location, l.line),
    }
}

fn note(n: &Note, own: Option<&str>) -> String {
    let place = |l: &Link| place(l, own);
    match n {
        Note::Detected(DetectNote::AssignedTo(name)) => format!("assigned to `{name}`"),
        Note::Detected(DetectNote::Encrypted) => "encrypted with a passphrase".into(),
        Note::Detected(DetectNote::DemoValue) => "a well-known demo value".into(),
        Note::Detected(DetectNote::SampleCode) => "in tests, docs or examples".into(),
        Note::IssuerSeen { id_rule, at } => {
            format!("its iss is the {id_rule} seen at {}", place(at))
        }
        Note::PairedWith { id_rule, at } => format!("paired with the {id_rule} at {}", place(at)),
        Note::SignsFamilyToken(family) => format!("identified by the {family} token it signs"),
        Note::SignedBy(at) => format!("verified: signed with the key at {}", place(at)),
        Note::GenuineUnder(at) => format!(
            "verified: a genuine signature under the public key at {}",
            place(at)
        ),
        Note::Forged(at) => format!(
            "forged: the HMAC key is the public key at {} (key confusion: a verifier that uses this public key as an HMAC secret accepts tokens anyone can mint)",
            place(at)
        ),
        Note::PublicSecret(what) => {
            format!("verified: signed with a publicly known secret ({what})")
        }
    }
}

fn jwt_summary(j: &JwtInfo) -> String {
    let mut s = format!("alg {}", j.alg);
    if let Some(iss) = &j.iss {
        s.push_str(&format!(", iss {iss}"));
    }
    if !j.personal.is_empty() {
        let claims: Vec<String> = j.personal.iter().map(|(k, v)| format!("{k}={v}")).collect();
        s.push_str(&format!(", personal claims {}", claims.join(" ")));
    }
    // Key confusion is proof's finding; its note says it in full.
    for f in j.flags.iter().filter(|f| **f != JwtFlag::KeyConfusion) {
        s.push_str(", ");
        s.push_str(flag(*f));
    }
    s
}

/// How a token flag reads in a message.
pub fn flag(f: JwtFlag) -> &'static str {
    match f {
        JwtFlag::Unsigned => "unsigned (alg none)",
        JwtFlag::Expired => "expired",
        JwtFlag::NoExpiry => "never expires (no exp claim)",
        JwtFlag::LongLived => "valid for more than a year",
        JwtFlag::PublicSample => "public sample token",
        JwtFlag::KeyConfusion => "key-confusion",
    }
}
