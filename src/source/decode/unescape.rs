//! The decoders proper: base64, percent-encoding and JS string escapes, each mapping every
//! decoded byte back to its source offset where the encoding allows.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;

/// Decoded text, or `None` when it is not mostly printable (binary data is not a config).
pub(super) fn base64(run: &[u8]) -> Option<Vec<u8>> {
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
    if printable * 10 >= d.len() * 9 {
        return Some(d);
    }
    // A private key stored as base64 DER without PEM armour: scanned as the PEM it is.
    crate::source::extract::pem_of(&d).map(String::into_bytes)
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Decoded bytes and, for each, its offset in `run`.
pub(super) fn percent(run: &[u8]) -> (Vec<u8>, Vec<u32>) {
    let mut out = Vec::with_capacity(run.len());
    let mut origin = Vec::with_capacity(run.len());
    let mut i = 0;
    while i < run.len() {
        origin.push(i as u32);
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
pub(super) fn js_unescape(s: &[u8]) -> (Vec<u8>, Vec<u32>) {
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
        origin.extend(std::iter::repeat_n(start as u32, out.len() - before));
    }
    (out, origin)
}
