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
    /// For each decoded byte, its offset in the encoded run (empty for base64, whose bytes
    /// have no single source position: findings point at the run's start).
    pub origin: Vec<usize>,
}

impl Decoded {
    /// The offset in the original text of decoded byte `i` (`i == text.len()` maps to the
    /// run's end).
    pub fn source_offset(&self, i: usize) -> usize {
        match self.origin.get(i) {
            Some(o) => self.range.start + o,
            None if self.origin.is_empty() && i < self.text.len() => self.range.start,
            None => self.range.end,
        }
    }
}

/// How a base64 run must begin to be decoded (see [`base64_re`]). The keyword prefilter
/// searches for these too, so finding candidate runs costs no extra pass over the text.
pub const BASE64_STARTS: &[&str] = &[
    "eyJ",
    "eyAi",
    "ewo",
    "ZXlK",
    "LS0tLS1CRUdJTi",
    "QmVhcmVy",
    "SldU",
    "Q0FG",
];

/// Base64 runs are decoded only when they begin like a structure secrets live in: a JSON
/// object (`{"`, `{ "`, `{\n`), a JWT (`eyJ`), a PEM block, a bearer header, or a
/// `KEY=value` line. Everything else base64 (images, fonts, hashes) is left alone, which keeps
/// this cheap on minified bundles.
fn base64_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // No boundary assertion in the pattern, so its literal prefixes drive the search; the
        // byte before a match is checked by hand.
        let starts = BASE64_STARTS.join("|");
        Regex::new(&format!("(?-u)(?:{starts})[A-Za-z0-9+/_-]{{20,}}={{0,2}}"))
            .expect("base64 regex compiles")
    })
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'_' | b'-')
}

/// Every decodable run in `text`.
pub fn runs(text: &[u8]) -> Vec<Decoded> {
    let starts: Vec<usize> = base64_re().find_iter(text).map(|m| m.start()).collect();
    runs_at(text, &starts)
}

/// Every decodable run in `text`, given where [`BASE64_STARTS`] occur (as the keyword
/// prefilter found them, in order).
pub fn runs_at(text: &[u8], base64_starts: &[usize]) -> Vec<Decoded> {
    let mut out = Vec::new();
    let mut next = 0;
    for &start in base64_starts {
        if start < next || (start > 0 && is_b64(text[start - 1])) {
            continue;
        }
        let len = text[start..]
            .iter()
            .take(MAX_RUN + 1)
            .take_while(|&&b| is_b64(b))
            .count();
        let end = start + len;
        let end = end
            + text[end..]
                .iter()
                .take(2)
                .take_while(|&&b| b == b'=')
                .count();
        next = end;
        // The shortest run the pattern accepts: a 3-byte start and 20 more characters.
        if !(23..=MAX_RUN).contains(&len) {
            continue;
        }
        if let Some(d) = base64(&text[start..end]) {
            out.push(Decoded {
                range: start..end,
                text: d,
                encoding: Encoding::Base64,
                origin: Vec::new(),
            });
        }
    }
    percent_runs(text, &mut out);
    js_strings(text, &mut out);
    out
}

fn is_hex(b: Option<&u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_hexdigit())
}

fn is_url_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'+' | b'-' | b'%')
}

/// Runs of URL characters holding at least two `%XX` escapes.
fn percent_runs(text: &[u8], out: &mut Vec<Decoded>) {
    let mut next = 0;
    for p in memchr::memchr_iter(b'%', text) {
        if p < next || !(is_hex(text.get(p + 1)) && is_hex(text.get(p + 2))) {
            continue;
        }
        let start = text[..p]
            .iter()
            .rposition(|&b| !is_url_char(b))
            .map_or(0, |i| i + 1);
        let end = text[p..]
            .iter()
            .position(|&b| !is_url_char(b))
            .map_or(text.len(), |i| p + i);
        next = end;
        let run = &text[start..end];
        let escapes = run
            .windows(3)
            .filter(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
            .count();
        if escapes >= 2 && run.len() <= MAX_RUN {
            let (text, origin) = percent(run);
            out.push(Decoded {
                range: start..end,
                text,
                encoding: Encoding::Percent,
                origin,
            });
        }
    }
}

/// An escape that spells a printable ASCII character (`\x41`, `\u0041`, `\/`): the kind
/// used to hide text. Escapes of other characters (`\u4e00` tables in bundles) are skipped.
fn hides_ascii(esc: &[u8]) -> bool {
    let ascii_hex = |h: &[u8]| matches!(h, [b'2'..=b'7', l] if l.is_ascii_hexdigit());
    match esc {
        [b'\\', b'/', ..] => true,
        [b'\\', b'x', rest @ ..] => rest.get(..2).is_some_and(ascii_hex),
        [b'\\', b'u', b'0', b'0', rest @ ..] => rest.get(..2).is_some_and(ascii_hex),
        _ => false,
    }
}

/// String literals on one line that hold `\uXXXX`, `\xXX` or `\/` escapes.
fn js_strings(text: &[u8], out: &mut Vec<Decoded>) {
    const MAX_LITERAL: usize = 4096;
    let mut next = 0;
    for p in memchr::memchr_iter(b'\\', text) {
        // `\/` inside a base64-looking run (`ab\/cd`) splits a secret; in URLs
        // (`https:\/\/`) it hides nothing and is left alone.
        let in_run = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'+');
        let slash = text.get(p + 1) == Some(&b'/');
        if p < next
            || !hides_ascii(&text[p..])
            || (slash && !(p > 0 && in_run(text.get(p - 1)) && in_run(text.get(p + 2))))
        {
            continue;
        }
        // Look back at most one literal's length, and never past the start of the line.
        let from = p.saturating_sub(MAX_LITERAL);
        let Some(q) = text[from..p]
            .iter()
            .rposition(|&b| b == b'"' || b == b'\'' || b == b'\n')
            .map(|i| from + i)
            .filter(|&q| text[q] != b'\n')
        else {
            continue;
        };
        let quote = text[q];
        let mut i = q + 1;
        let limit = (q + MAX_LITERAL).min(text.len());
        while i < limit && text[i] != quote && text[i] != b'\n' {
            i += if text[i] == b'\\' { 2 } else { 1 };
        }
        if i >= limit || text[i] != quote {
            next = p + 2;
            continue;
        }
        next = i + 1;
        let (decoded, origin) = js_unescape(&text[q + 1..i]);
        out.push(Decoded {
            range: q + 1..i,
            text: decoded,
            encoding: Encoding::JsEscape,
            origin,
        });
    }
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

/// Decoded bytes and, for each, its offset in `run`.
fn percent(run: &[u8]) -> (Vec<u8>, Vec<usize>) {
    let mut out = Vec::with_capacity(run.len());
    let mut origin = Vec::with_capacity(run.len());
    let mut i = 0;
    while i < run.len() {
        origin.push(i);
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
    (out, origin)
}

/// Unescaped bytes and, for each, its offset in `s`.
fn js_unescape(s: &[u8]) -> (Vec<u8>, Vec<usize>) {
    let mut out = Vec::with_capacity(s.len());
    let mut origin = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let start = i;
        let before = out.len();
        if s[i] != b'\\' || i + 1 >= s.len() {
            out.push(s[i]);
            i += 1;
        } else {
            let esc = s[i + 1];
            let hex_at = |from: usize, n: usize| {
                s.get(from..from + n)
                    .and_then(|h| u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok())
            };
            let code = match esc {
                b'u' => hex_at(i + 2, 4).map(|c| (c, 6)),
                b'x' => hex_at(i + 2, 2).map(|c| (c, 4)),
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
        origin.extend(std::iter::repeat_n(start, out.len() - before));
    }
    (out, origin)
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
        // 'a%3Db%26JWT…': the decoded "J" (index 4) comes from offset 8 of the run.
        assert_eq!(r[1].source_offset(4) - r[1].range.start, 8);
        assert_eq!(r[1].text, b"a=b&JWT_SECRET=abc");
        assert_eq!(r[2].text, b"AB/");
    }

    #[test]
    fn images_are_not_decoded() {
        let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
        assert!(runs(format!("src=\"data:image/png;base64,{png}\"").as_bytes()).is_empty());
    }
}
