//! HMAC key candidates: every signing-key finding (raw and base64-decoded), the text of every
//! public key PEM (the key-confusion forgery), and jwt.io's example secrets, each keyed once
//! for HS256/384/512 so every token reuses the prepared state.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha384, Sha512};

/// Secrets published as examples (jwt.io's debugger defaults); a token they verify is a
/// sample, or was minted by someone who copied the sample key.
pub const PUBLIC_SECRETS: &[(&str, &str)] = &[
    ("your-256-bit-secret", "jwt.io's example secret"),
    (
        "a-string-secret-at-least-256-bits-long",
        "jwt.io's example secret",
    ),
];

/// Where a candidate key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A signing-key finding (by index).
    Key(usize),
    /// The text of a public key PEM finding (by index): a token it verifies is forged.
    PublicPem(usize),
    /// A published example secret.
    Public(&'static str),
}

/// A key to try, prepared once for each hash.
pub struct Candidate {
    /// Where it came from.
    pub source: Source,
    h256: Hmac<Sha256>,
    h384: Hmac<Sha384>,
    h512: Hmac<Sha512>,
}

impl Candidate {
    /// Keys `key` for every HS algorithm.
    pub fn new(key: &[u8], source: Source) -> Option<Self> {
        Some(Candidate {
            source,
            h256: Hmac::new_from_slice(key).ok()?,
            h384: Hmac::new_from_slice(key).ok()?,
            h512: Hmac::new_from_slice(key).ok()?,
        })
    }

    /// True when this key's HMAC under `alg` over `input` is `sig`.
    pub fn signs(&self, alg: &str, input: &[u8], sig: &[u8]) -> bool {
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
pub fn key_forms(secret: &str) -> Vec<Vec<u8>> {
    let mut forms = vec![secret.as_bytes().to_vec()];
    let body = secret.strip_prefix("base64:").unwrap_or(secret);
    let trimmed = body.trim_end_matches('=');
    let decoded = [&URL_SAFE_NO_PAD, &STANDARD_NO_PAD]
        .into_iter()
        .filter_map(|e| e.decode(trimmed).ok())
        .chain(
            [&STANDARD, &URL_SAFE]
                .into_iter()
                .filter_map(|e| e.decode(body).ok()),
        );
    for d in decoded {
        if d.len() >= 16 && !forms.contains(&d) {
            forms.push(d);
        }
    }
    forms
}

/// The byte strings a verifier may have used as the HMAC key when it was handed a public key
/// file: the PEM text with real line breaks, with and without the final newline.
pub fn pem_forms(secret: &str) -> Vec<Vec<u8>> {
    let text = secret
        .replace("\\r", "")
        .replace("\\n", "\n")
        .replace("\r\n", "\n");
    let trimmed = text.trim_end().to_string();
    let mut forms = vec![
        trimmed.clone().into_bytes(),
        format!("{trimmed}\n").into_bytes(),
    ];
    let crlf = format!("{}\r\n", trimmed.replace('\n', "\r\n"));
    forms.push(crlf.into_bytes());
    forms
}
