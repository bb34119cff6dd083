//! Encoded text inside text: base64/base64url runs, percent-encoding and JS string escapes.
//! A decoded run is scanned like any other text, and what is found there is reported at the
//! encoded run in the original (`detail: base64-decoded`). Decoding nests to [`MAX_DEPTH`].

use regex::bytes::Regex;
use std::ops::Range;
use std::sync::OnceLock;

mod unescape;

use unescape::{base64, js_unescape, percent};

/// How many encodings deep a secret is looked for (`base64(base64(json))` is depth 2).
pub const MAX_DEPTH: usize = 2;
/// Longest encoded run decoded; longer runs are data (images, fonts), not configuration.
pub const MAX_RUN: usize = 64 * 1024;
/// Most bytes decoded from one blob, every encoding and depth together: a file of nothing
/// but escapes would otherwise hold several decoded copies of itself in memory at once.
pub const MAX_DECODED_BYTES: usize = 16 * 1024 * 1024;
/// Most runs decoded from one blob; each decoded run is scanned as a text of its own.
pub const MAX_DECODED_RUNS: usize = 100_000;
/// Longest JS string literal searched for escapes.
const MAX_LITERAL: usize = 4096;

/// What is left of one blob's decoding allowance ([`MAX_DECODED_BYTES`],
/// [`MAX_DECODED_RUNS`]); shared by the blob's runs at every depth.
#[derive(Debug, Clone)]
pub struct Budget {
    bytes: usize,
    runs: usize,
    /// Runs left undecoded because the allowance was spent.
    pub skipped: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            bytes: MAX_DECODED_BYTES,
            runs: MAX_DECODED_RUNS,
            skipped: 0,
        }
    }
}

impl Budget {
    /// An allowance of `bytes` decoded bytes in at most `runs` runs.
    pub fn new(bytes: usize, runs: usize) -> Self {
        Budget {
            bytes,
            runs,
            skipped: 0,
        }
    }

    /// Takes one run of at most `len` decoded bytes from the allowance; false (and the run
    /// counted as skipped) when it does not fit.
    fn take(&mut self, len: usize) -> bool {
        if self.runs == 0 || len > self.bytes {
            self.skipped += 1;
            return false;
        }
        self.runs -= 1;
        self.bytes -= len;
        true
    }

    /// True once any run was left undecoded.
    pub fn exhausted(&self) -> bool {
        self.skipped > 0
    }
}

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
    /// have no single source position: findings point at the run's start). Runs are at most
    /// [`MAX_RUN`] bytes, so an offset fits in 32 bits, half the memory of `usize`.
    pub origin: Vec<u32>,
}

impl Decoded {
    /// The offset in the original text of decoded byte `i` (`i == text.len()` maps to the
    /// run's end).
    pub fn source_offset(&self, i: usize) -> usize {
        match self.origin.get(i) {
            Some(&o) => self.range.start + o as usize,
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
    // DER private keys: a SEQUENCE of 256 bytes or more (RSA, PKCS#8 RSA), of 128-255
    // (PKCS#8 P-256), SEC1 P-256, PKCS#8 Ed25519.
    "MIIC",
    "MIIE",
    "MIIG",
    "MIIJ",
    "MIGHAgEA",
    "MHcCAQEE",
    "MC4CAQAw",
];

/// Base64 runs are decoded only when they begin like a structure secrets live in: a JSON
/// object (`{"`, `{ "`, `{\n`), a JWT (`eyJ`), a PEM block, a bearer header, a
/// `KEY=value` line, or a DER private key. Everything else base64 (images, fonts, hashes) is left alone, which keeps
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

/// Whether a run starting at `start` is the first line of a PEM block's body (after
/// `-----BEGIN …-----` and a line break, raw or escaped): the block is scanned as it is, and
/// decoding a short key's one-line body would report it twice.
fn in_pem(text: &[u8], start: usize) -> bool {
    text[start] == b'M'
        && memchr::memmem::find(&text[start.saturating_sub(10)..start], b"-----").is_some()
}

/// A base64 or base64url alphabet character.
pub(crate) fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'_' | b'-')
}

/// Every decodable run in `text`, within `budget`.
pub fn runs(text: &[u8], budget: &mut Budget) -> Vec<Decoded> {
    let starts: Vec<usize> = base64_re().find_iter(text).map(|m| m.start()).collect();
    runs_at(text, &starts, budget)
}

/// Every decodable run in `text` within `budget`, given where [`BASE64_STARTS`] occur (as
/// the keyword prefilter found them, in order). A run is charged its longest possible
/// decoded size before it is decoded, so the allowance is never overdrawn.
pub fn runs_at(text: &[u8], base64_starts: &[usize], budget: &mut Budget) -> Vec<Decoded> {
    let mut out = Vec::new();
    let mut next = 0;
    for &start in base64_starts {
        if start < next || (start > 0 && is_b64(text[start - 1])) || in_pem(text, start) {
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
        if !(23..=MAX_RUN).contains(&len) || !budget.take(len / 4 * 3 + 2) {
            continue;
        }
        // A DER key comes back as PEM, a little longer than the bytes charged: the rest is
        // charged too, so the allowance still bounds what decoding produces.
        let charged = len / 4 * 3 + 2;
        if let Some(d) = base64(&text[start..end])
            .filter(|d| d.len() <= charged || budget.take(d.len() - charged))
        {
            out.push(Decoded {
                range: start..end,
                text: d,
                encoding: Encoding::Base64,
                origin: Vec::new(),
            });
        }
    }
    percent_runs(text, &mut out, budget);
    js_strings(text, &mut out, budget);
    out
}

fn is_hex(b: Option<&u8>) -> bool {
    b.is_some_and(u8::is_ascii_hexdigit)
}

fn is_url_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'+' | b'-' | b'%')
}

/// Runs of URL characters holding at least two `%XX` escapes.
fn percent_runs(text: &[u8], out: &mut Vec<Decoded>, budget: &mut Budget) {
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
        if run.len() > MAX_RUN {
            continue;
        }
        let escapes = run
            .windows(3)
            .filter(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
            .count();
        if escapes >= 2 && budget.take(run.len()) {
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
        [b'\\', b'x', rest @ ..] | [b'\\', b'u', b'0', b'0', rest @ ..] => {
            rest.get(..2).is_some_and(ascii_hex)
        }
        _ => false,
    }
}

/// String literals on one line that hold `\uXXXX`, `\xXX` or `\/` escapes.
///
/// Linear in the text: the opening quote of an escape's literal is the last quote or
/// newline before it, tracked as the scan moves forward (not searched for again from each
/// backslash), and a literal found unclosed is remembered so later escapes in it are not
/// re-read to its end.
fn js_strings(text: &[u8], out: &mut Vec<Decoded>, budget: &mut Budget) {
    let mut next = 0;
    // The last quote or newline before `seen`, and how far the text was searched for them.
    let (mut delim, mut seen): (Option<usize>, usize) = (None, 0);
    let mut unclosed: Option<usize> = None;
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
        if let Some(d) = memchr::memrchr3(b'"', b'\'', b'\n', &text[seen..p]) {
            delim = Some(seen + d);
        }
        seen = p;
        // Look back at most one literal's length, and never past the start of the line.
        let Some(q) = delim.filter(|&q| p - q <= MAX_LITERAL && text[q] != b'\n') else {
            continue;
        };
        if unclosed == Some(q) {
            next = p + 2;
            continue;
        }
        let quote = text[q];
        let mut i = q + 1;
        let limit = (q + MAX_LITERAL).min(text.len());
        while i < limit && text[i] != quote && text[i] != b'\n' {
            i += if text[i] == b'\\' { 2 } else { 1 };
        }
        if i >= limit || text[i] != quote {
            unclosed = Some(q);
            next = p + 2;
            continue;
        }
        next = i + 1;
        if !budget.take(i - (q + 1)) {
            continue;
        }
        let (decoded, origin) = js_unescape(&text[q + 1..i]);
        out.push(Decoded {
            range: q + 1..i,
            text: decoded,
            encoding: Encoding::JsEscape,
            origin,
        });
    }
}

#[cfg(test)]
mod tests;
