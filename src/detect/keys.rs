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
    let pem = Pem::parse(std::str::from_utf8(block).ok()?)?;
    let der = pem.der()?;
    (der.len() >= MIN_KEY_DER && !is_filler(&der)).then_some(PemCheck {
        encrypted: pem.encrypted,
    })
}

/// A PEM block as people write it, normalised: a body of any line width (all on one line,
/// CRLF, escaped `\n` or `\r\n` inside a string, stray spaces, one string literal per line)
/// read into its label and bare base64, so strict RFC 7468 parsers can be given the
/// canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pem {
    /// `RSA PRIVATE KEY`, `PUBLIC KEY`, …
    pub label: String,
    /// The base64 body, no whitespace.
    pub body: String,
    /// A legacy `Proc-Type: 4,ENCRYPTED` header was present.
    pub encrypted: bool,
}

impl Pem {
    /// The first `-----BEGIN …-----` … `-----END …-----` block in `text`.
    pub fn parse(text: &str) -> Option<Pem> {
        let text = text
            .replace("\\r\\n", "\n")
            .replace("\\n", "\n")
            .replace("\\r", "\n");
        let begin = text.find("-----BEGIN ")? + "-----BEGIN ".len();
        let label_end = begin + text[begin..].find("-----")?;
        let label = text[begin..label_end].trim().to_string();
        let inner_start = label_end + 5;
        let inner_end = inner_start + text[inner_start..].find("-----END")?;
        let mut encrypted = false;
        let mut body = String::new();
        for line in text[inner_start..inner_end].lines() {
            let line = strip_string_syntax(line);
            if line.contains(':') {
                encrypted |= line.contains("ENCRYPTED");
                continue;
            }
            body.push_str(line);
        }
        body.retain(|c| !c.is_whitespace());
        Some(Pem {
            label,
            body,
            encrypted,
        })
    }

    /// The body's bytes.
    pub fn der(&self) -> Option<Vec<u8>> {
        STANDARD
            .decode(&self.body)
            .or_else(|_| STANDARD_NO_PAD.decode(self.body.trim_end_matches('=')))
            .ok()
    }

    /// RFC 7468 text: the label lines and the body in 64-column lines.
    pub fn canonical(&self) -> String {
        let mut out = format!("-----BEGIN {}-----\n", self.label);
        for chunk in self.body.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
            out.push('\n');
        }
        out.push_str(&format!("-----END {}-----\n", self.label));
        out
    }
}

/// Removes what wraps a PEM line inside source code (`"…\n" +`, `'…',`, a C macro's
/// `"…\n"\`) but never a `+` that belongs to the base64 itself.
fn strip_string_syntax(line: &str) -> &str {
    let quote_or_space = |c: char| c == ' ' || c == '"' || c == '\'';
    let mut l = line.trim();
    // A C macro continues its line with `\` after the closing quote.
    if let Some(rest) = l.strip_suffix('\\').filter(|r| r.ends_with(quote_or_space)) {
        l = rest.trim_end();
    }
    if let Some(rest) = l.strip_suffix('+').filter(|r| r.ends_with(quote_or_space)) {
        l = rest.trim_end();
    }
    if let Some(rest) = l
        .strip_prefix('+')
        .filter(|r| r.starts_with(quote_or_space))
    {
        l = rest.trim_start();
    }
    l.trim_matches(|c| c == '"' || c == '\'' || c == ',')
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
    fn pem_of_any_layout_normalises_to_rfc_7468() {
        let body = "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu";
        let canonical =
            format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n");
        for written in [
            format!("-----BEGIN RSA PRIVATE KEY-----{body}-----END RSA PRIVATE KEY-----"),
            format!("-----BEGIN RSA PRIVATE KEY-----\\n{}\\n{}\\n-----END RSA PRIVATE KEY-----", &body[..30], &body[30..]),
            format!("-----BEGIN RSA PRIVATE KEY-----\r\n{} {}\r\n-----END RSA PRIVATE KEY-----\r\n", &body[..30], &body[30..]),
            format!("\"-----BEGIN RSA PRIVATE KEY-----\\n\" +\n  \"{body}\\n\" +\n  \"-----END RSA PRIVATE KEY-----\""),
            format!("#define KEY \\\n\"-----BEGIN RSA PRIVATE KEY-----\\n\"\\\n\"{}\\n\"\\\n\"{}\\n\"\\\n\"-----END RSA PRIVATE KEY-----\\n\"", &body[..30], &body[30..]),
        ] {
            let pem = Pem::parse(&written).expect("parsed");
            assert_eq!(pem.canonical(), canonical, "{written}");
        }
    }

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
    fn base64_plus_at_line_ends_is_kept() {
        // 64 bytes of DER whose base64 starts and ends lines with '+'.
        let der: Vec<u8> = (0..64u8)
            .map(|i| if i % 3 == 0 { 0xfb } else { 0xef })
            .collect();
        let b64 = STANDARD.encode(&der);
        let body = format!("{}\n{}", &b64[..44], &b64[44..]);
        assert!(body.lines().any(|l| l.starts_with('+') || l.ends_with('+')));
        let block = format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----");
        assert_eq!(
            check_pem(block.as_bytes()),
            Some(PemCheck { encrypted: false })
        );
        let js = format!("\"-----BEGIN PRIVATE KEY-----\\n\" +\n\"{}\\n\" +\n\"{}\\n\" +\n\"-----END PRIVATE KEY-----\"", &b64[..44], &b64[44..]);
        assert_eq!(
            check_pem(js.as_bytes()),
            Some(PemCheck { encrypted: false })
        );
    }

    #[test]
    fn jwk_members() {
        let o = br#""kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow""#;
        assert!(jwk_oct_member(o).is_some());
        assert!(jwk_private_member(o).is_none());
    }
}
