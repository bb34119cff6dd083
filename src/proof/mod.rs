//! Offline proof: an RS256/384/512 JWT is checked against every RSA private key found in the
//! scan; an HS256/384/512 JWT found in the scan is checked against every signing-key
//! candidate found in the same scan (raw, and base64/base64url-decoded, as JWK `k` values are)
//! and against publicly known secrets (jwt.io's examples and wallarm/jwt-secrets' list). A match turns "looks like a key" into "this key
//! signs these tokens": the key becomes a confirmed signing key and the two findings link.

mod rsa_keys;
mod weak;

pub use weak::MAX_WEAK_TOKENS;

use crate::finding::{Finding, Link, Severity};
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha384, Sha512};

/// Secrets published as examples (jwt.io's debugger defaults); a token they verify is a
/// sample, or was minted by someone who copied the sample key.
const PUBLIC_SECRETS: &[(&str, &str)] = &[
    ("your-256-bit-secret", "jwt.io's example secret"),
    (
        "a-string-secret-at-least-256-bits-long",
        "jwt.io's example secret",
    ),
];

/// How a token verified by the public weak-secret list is described.
const WEAK_LIST: &str = "a common JWT secret from wallarm/jwt-secrets";

/// At most this many key candidates are tried per token, so cost stays bounded.
pub const MAX_CANDIDATES: usize = 10_000;

/// A key to try, prepared once for each hash so every token reuses the keyed state.
struct Candidate {
    /// Index of the key finding, or `None` for a public example secret.
    finding: Option<usize>,
    public: Option<&'static str>,
    h256: Hmac<Sha256>,
    h384: Hmac<Sha384>,
    h512: Hmac<Sha512>,
}

impl Candidate {
    fn new(key: &[u8], finding: Option<usize>, public: Option<&'static str>) -> Option<Self> {
        Some(Candidate {
            finding,
            public,
            h256: Hmac::new_from_slice(key).ok()?,
            h384: Hmac::new_from_slice(key).ok()?,
            h512: Hmac::new_from_slice(key).ok()?,
        })
    }

    fn signs(&self, alg: &str, input: &[u8], sig: &[u8]) -> bool {
        match alg {
            "HS256" => mac_eq(self.h256.clone(), input, sig),
            "HS384" => mac_eq(self.h384.clone(), input, sig),
            "HS512" => mac_eq(self.h512.clone(), input, sig),
            _ => false,
        }
    }
}

fn mac_eq<M: Mac>(mut m: M, input: &[u8], sig: &[u8]) -> bool {
    m.update(input);
    m.verify_slice(sig).is_ok()
}

/// The byte strings a key finding may stand for: as written, and base64-decoded when that
/// gives at least 16 bytes (JWK `k`, `base64:` Laravel keys, base64 secrets in config).
fn key_forms(secret: &str) -> Vec<Vec<u8>> {
    let mut forms = vec![secret.as_bytes().to_vec()];
    let body = secret.strip_prefix("base64:").unwrap_or(secret);
    let trimmed = body.trim_end_matches('=');
    for engine in [&URL_SAFE_NO_PAD, &STANDARD_NO_PAD] {
        if let Ok(d) = engine.decode(trimmed) {
            if d.len() >= 16 && !forms.contains(&d) {
                forms.push(d);
            }
        }
    }
    for engine in [&STANDARD, &URL_SAFE] {
        if let Ok(d) = engine.decode(body) {
            if d.len() >= 16 && !forms.contains(&d) {
                forms.push(d);
            }
        }
    }
    forms
}

fn is_key(f: &Finding, key_rules: &[&str]) -> bool {
    key_rules.contains(&f.rule_id.as_str())
}

/// Verifies every HMAC-signed JWT among `findings` and links tokens to their keys.
/// `key_rules` are the ids of rules whose findings are signing-key candidates.
pub fn verify(findings: &mut [Finding], key_rules: &[&str]) {
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut seen: Vec<Vec<u8>> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        if !is_key(f, key_rules) {
            continue;
        }
        for form in key_forms(&f.secret) {
            if seen.contains(&form) || candidates.len() >= MAX_CANDIDATES {
                continue;
            }
            if let Some(c) = Candidate::new(&form, Some(i), None) {
                candidates.push(c);
                seen.push(form);
            }
        }
    }
    for (secret, what) in PUBLIC_SECRETS {
        candidates.extend(Candidate::new(secret.as_bytes(), None, Some(what)));
    }
    let mut links: Vec<(usize, Option<usize>, Option<&'static str>)> = Vec::new();
    let mut verified_tokens: Vec<(String, Option<usize>, Option<&'static str>)> = Vec::new();
    let mut weak_checked = 0;
    let rsa: Vec<(usize, rsa::RsaPublicKey)> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.rule_id == "private-key.pem")
        .filter_map(|(i, f)| rsa_keys::public_key(&f.secret).map(|k| (i, k)))
        .collect();
    for (t, f) in findings.iter().enumerate() {
        let Some(jwt) = &f.jwt else { continue };
        if jwt.alg.starts_with("RS") {
            if let Some((input, sig)) = split_token(&f.secret) {
                if let Some((k, _)) = rsa
                    .iter()
                    .find(|(_, key)| rsa_keys::verifies(key, &jwt.alg, input, &sig))
                {
                    links.push((t, Some(*k), None));
                }
            }
            continue;
        }
        if !jwt.alg.starts_with("HS") {
            continue;
        }
        // The same token found twice is verified once.
        if let Some((_, k, p)) = verified_tokens.iter().find(|(tok, _, _)| *tok == f.secret) {
            links.push((t, *k, *p));
            continue;
        }
        let Some((input, sig)) = split_token(&f.secret) else {
            continue;
        };
        if let Some(c) = candidates.iter().find(|c| c.signs(&jwt.alg, input, &sig)) {
            links.push((t, c.finding, c.public));
            verified_tokens.push((f.secret.clone(), c.finding, c.public));
        } else if weak_checked < MAX_WEAK_TOKENS {
            weak_checked += 1;
            if weak::signed_with_weak_secret(&jwt.alg, input, &sig) {
                links.push((t, None, Some(WEAK_LIST)));
                verified_tokens.push((f.secret.clone(), None, Some(WEAK_LIST)));
            }
        }
    }
    apply(findings, &links);
}

/// `header.payload` as bytes and the decoded signature.
fn split_token(token: &str) -> Option<(&[u8], Vec<u8>)> {
    let dot = token.rfind('.')?;
    let sig = URL_SAFE_NO_PAD
        .decode(token[dot + 1..].trim_end_matches('='))
        .ok()?;
    Some((&token.as_bytes()[..dot], sig))
}

fn apply(findings: &mut [Finding], links: &[(usize, Option<usize>, Option<&'static str>)]) {
    for &(t, key, public) in links {
        match (key, public) {
            (Some(k), _) => {
                let key_link = Link::to(&findings[k]);
                let token_link = Link::to(&findings[t]);
                let token = &mut findings[t];
                token.verified_by = Some(key_link.clone());
                token.message.push_str(&format!(
                    "; verified: signed with the key at {}:{}",
                    key_link.location, key_link.line
                ));
                let key = &mut findings[k];
                key.signs.push(token_link);
            }
            (None, Some(what)) => {
                let token = &mut findings[t];
                token.verified_by = Some(Link::public(what));
                // Anyone holding the public list can mint tokens this service accepts.
                if what == WEAK_LIST {
                    token.severity = Severity::Critical;
                }
                token.message.push_str(&format!(
                    "; verified: signed with a publicly known secret ({what})"
                ));
            }
            (None, None) => {}
        }
    }
    for f in findings.iter_mut().filter(|f| !f.signs.is_empty()) {
        f.severity = Severity::Critical;
        let n = f.signs.len();
        f.message = format!(
            "confirmed signing key: signs {n} token{} found in this scan; {}",
            if n == 1 { "" } else { "s" },
            f.message
        );
    }
}
