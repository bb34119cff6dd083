//! Encoded text inside text: base64/base64url runs, percent-encoding and JS string escapes.
//! A decoded run is scanned like any other text, and what is found there is reported at the
//! encoded run in the original (`detail: base64-decoded`). Decoding nests to [`MAX_DEPTH`].

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use regex::bytes::Regex;
use std::ops::Range;
use std::sync::OnceLock;

/// How many encodings deep a secret is looked for (`base64(base64(json))` is depth 2).
pub const MAX_DEPTH: usize = 2;
/// Longest encoded run decoded; longer runs are data (images, fonts), not configuration.
pub const MAX_RUN: usize = 64 * 1024;

/// How a run was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Standard or URL-safe base64.
    Base64,
    /// `%XX` escapes.
    Percent,
    /// `\uXXXX`, `\xXX`, `\/` inside a JS string.
    JsEscape,
}

impl Encoding {
    /// The word used in finding details.
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64-decoded",
            Encoding::Percent => "percent-decoded",
            Encoding::JsEscape => "JS-unescaped",
        }
    }
}

/// One decoded run: where it was, and what it says.
pub struct Decoded {
    /// The encoded bytes' range in the text.
    pub range: Range<usize>,
    /// The decoded text.
    pub text: Vec<u8>,
    /// How it was encoded.
    pub encoding: Encoding,
}

/// Base64 runs are decoded only when they begin like a structure secrets live in: a JSON
/// object (`{"`, `{ "`, `{\n`), a JWT (`eyJ`), a PEM block, a bearer header, or a
/// `KEY=value` line. Everything else base64 (images, fonts, hashes) is left alone, which keeps
/// this cheap on minified bundles.
fn base64_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?-u)(?:^|[^A-Za-z0-9+/_-])((?:eyJ|eyAi|ewo|ZXlK|LS0tLS1CRUdJTi|QmVhcmVy|[A-Z][A-Za-z0-9]{2}fU0VDUkVU|SldU|Q0FG)[A-Za-z0-9+/_-]{20,}={0,2})")
            .expect("base64 regex compiles")
    })
}

fn percent_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?-u)[A-Za-z0-9._~+-]*(?:%[0-9A-Fa-f]{2}[A-Za-z0-9._~+-]*){2,}")
            .expect("percent regex compiles")
    })
}

fn js_string_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?-u)"((?:[^"\\\n]|\\[^\n])*\\(?:u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|/)(?:[^"\\\n]|\\[^\n])*)"|'((?:[^'\\\n]|\\[^\n])*\\(?:u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|/)(?:[^'\\\n]|\\[^\n])*)'"#)
            .expect("js string regex compiles")
    })
}

/// Every decodable run in `text`.
pub fn runs(text: &[u8]) -> Vec<Decoded> {
    let mut out = Vec::new();
    for c in base64_re().captures_iter(text) {
        let m = c.get(1).expect("group 1");
        if m.len() <= MAX_RUN {
            if let Some(d) = base64(m.as_bytes()) {
                out.push(Decoded {
                    range: m.range(),
                    text: d,
                    encoding: Encoding::Base64,
                });
            }
        }
    }
    if memchr::memchr(b'%', text).is_some() {
        for m in percent_re().find_iter(text) {
            if m.len() <= MAX_RUN {
                out.push(Decoded {
                    range: m.range(),
                    text: percent(m.as_bytes()),
                    encoding: Encoding::Percent,
                });
            }
        }
    }
    if memchr::memchr(b'\\', text).is_some() {
        for c in js_string_re().captures_iter(text) {
            let m = c.get(1).or_else(|| c.get(2)).expect("one group matches");
            if m.len() <= MAX_RUN {
                out.push(Decoded {
                    range: m.range(),
                    text: js_unescape(m.as_bytes()),
                    encoding: Encoding::JsEscape,
                });
            }
        }
    }
    out
}

/// Decoded text, or `None` when it is not mostly printable (binary data is not a config).
fn base64(run: &[u8]) -> Option<Vec<u8>> {
    let trimmed: &[u8] = run
        .strip_suffix(b"==")
        .or_else(|| run.strip_suffix(b"="))
        .unwrap_or(run);
    let d = [STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(trimmed).ok())
        .or_else(|| STANDARD.decode(run).ok())
        .or_else(|| URL_SAFE.decode(run).ok())?;
    let printable = d
        .iter()
        .filter(|&&b| (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\r' || b == b'\t')
        .count();
    (printable * 10 >= d.len() * 9).then_some(d)
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

fn percent(run: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(run.len());
    let mut i = 0;
    while i < run.len() {
        match (
            run[i],
            run.get(i + 1).copied().and_then(hex),
            run.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(h << 4 | l);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

fn js_unescape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] != b'\\' || i + 1 >= s.len() {
            out.push(s[i]);
            i += 1;
            continue;
        }
        let esc = s[i + 1];
        let code = match esc {
            b'u' => s
                .get(i + 2..i + 6)
                .and_then(|h| u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok())
                .map(|c| (c, 6)),
            b'x' => s
                .get(i + 2..i + 4)
                .and_then(|h| u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok())
                .map(|c| (c, 4)),
            _ => None,
        };
        match (code, esc) {
            (Some((c, len)), _) => {
                let ch = char::from_u32(c).unwrap_or('\u{fffd}');
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                i += len;
            }
            // Keep \n as written: the PEM and string rules read escaped line breaks.
            (None, b'n' | b'r' | b't') => {
                out.extend_from_slice(&s[i..i + 2]);
                i += 2;
            }
            (None, other) => {
                out.push(other);
                i += 2;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_each_encoding() {
        let cfg = STANDARD.encode(br#"{"jwtSecret":"b64-Config-Secret-77"}"#);
        let text = format!(
            "const c = atob(\"{cfg}\"); x = 'a%3Db%26JWT_SECRET%3Dabc'; s = \"\\u0041\\x42\\/\";"
        );
        let r = runs(text.as_bytes());
        let kinds: Vec<Encoding> = r.iter().map(|d| d.encoding).collect();
        assert_eq!(
            kinds,
            vec![Encoding::Base64, Encoding::Percent, Encoding::JsEscape]
        );
        assert_eq!(r[0].text, br#"{"jwtSecret":"b64-Config-Secret-77"}"#);
        assert_eq!(r[1].text, b"a=b&JWT_SECRET=abc");
        assert_eq!(r[2].text, b"AB/");
    }

    #[test]
    fn images_are_not_decoded() {
        let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
        assert!(runs(format!("src=\"data:image/png;base64,{png}\"").as_bytes()).is_empty());
    }
}
