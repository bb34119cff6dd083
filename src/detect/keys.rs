//! Key material: PEM private-key blocks and JWK objects.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use regex::bytes::Regex;
use std::ops::Range;
use std::sync::OnceLock;

/// Smallest DER body we accept; a PKCS#8 Ed25519 key is 48 bytes.
const MIN_KEY_DER: usize = 40;

/// What a PEM block's body says about the key.
#[derive(Debug, PartialEq, Eq)]
pub struct PemCheck {
    /// The key is encrypted with a passphrase (legacy `Proc-Type: 4,ENCRYPTED`).
    pub encrypted: bool,
}

/// Validates the body of a PEM private-key block: real base64 of a plausible key size.
/// Escaped line breaks (`\n`, `\r\n` inside a JSON or JS string) are accepted.
pub fn check_pem(block: &[u8]) -> Option<PemCheck> {
    let text = std::str::from_utf8(block).ok()?;
    let unescaped = text.replace("\\r", "\n").replace("\\n", "\n");
    let mut encrypted = false;
    let mut body = String::with_capacity(unescaped.len());
    for line in unescaped.lines() {
        let line = line
            .trim()
            .trim_matches(|c| c == '"' || c == '\'' || c == ',' || c == '+');
        if line.starts_with("-----") || line.is_empty() {
            continue;
        }
        if line.contains(':') {
            encrypted |= line.contains("ENCRYPTED");
            continue;
        }
        body.push_str(line);
    }
    body.retain(|c| !c.is_whitespace());
    let der = STANDARD
        .decode(&body)
        .or_else(|_| STANDARD_NO_PAD.decode(body.trim_end_matches('=')))
        .ok()?;
    (der.len() >= MIN_KEY_DER && !is_filler(&der)).then_some(PemCheck { encrypted })
}

/// A body of one repeated byte is a placeholder that happens to decode.
fn is_filler(der: &[u8]) -> bool {
    der.iter().all(|&b| b == der[0])
}

fn member_re(name: &str) -> Regex {
    Regex::new(&format!(
        r#"["']?\b{name}["']?\s*:\s*["'](?P<v>[A-Za-z0-9_-]{{16,}}={{0,2}})["']"#
    ))
    .expect("member regex compiles")
}

fn private_member() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| member_re("d"))
}

fn oct_member() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| member_re("k"))
}

/// The range of the private member `d` within a JWK object's text, if it has one.
pub fn jwk_private_member(object: &[u8]) -> Option<Range<usize>> {
    private_member()
        .captures(object)
        .and_then(|c| c.name("v"))
        .map(|m| m.range())
}

/// The range of the symmetric key `k` within a `kty: oct` JWK object's text.
pub fn jwk_oct_member(object: &[u8]) -> Option<Range<usize>> {
    oct_member()
        .captures(object)
        .and_then(|c| c.name("v"))
        .map(|m| m.range())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_pem_is_rejected() {
        let b = b"-----BEGIN RSA PRIVATE KEY-----\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END RSA PRIVATE KEY-----";
        assert_eq!(check_pem(b), None);
        assert_eq!(
            check_pem(b"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"),
            None
        );
    }

    #[test]
    fn escaped_pem_is_accepted() {
        let b = b"-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\\n-----END PRIVATE KEY-----";
        assert_eq!(check_pem(b), Some(PemCheck { encrypted: false }));
    }

    #[test]
    fn jwk_members() {
        let o = br#""kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow""#;
        assert!(jwk_oct_member(o).is_some());
        assert!(jwk_private_member(o).is_none());
    }
}
