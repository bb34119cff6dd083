//! Binaries without a structure we decode (ELF `.so`, Mach-O, Hermes bytecode, class files):
//! printable strings, ASCII and UTF-16LE, at least 8 characters, each with its byte offset.
//! And property lists (binary or XML), flattened to `key.path = "value"` lines.

use super::{Lines, Visitor};

const MIN_STRING: usize = 8;

pub(super) fn strings(member: Option<&str>, b: &[u8], visitor: &mut dyn Visitor) {
    let mut lines = Lines::new();
    ascii_runs(b, &mut lines);
    utf16_runs(b, &mut lines);
    lines.emit(member, visitor);
}

fn printable(c: u8) -> bool {
    (0x20..0x7f).contains(&c) || c == b'\t'
}

fn ascii_runs(b: &[u8], lines: &mut Lines) {
    let mut start = None;
    for (i, &c) in b.iter().chain(std::iter::once(&0)).enumerate() {
        match (printable(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= MIN_STRING {
                    lines.push(format!("offset {s:#x}"), &String::from_utf8_lossy(&b[s..i]));
                }
                start = None;
            }
            _ => {}
        }
    }
}

fn utf16_runs(b: &[u8], lines: &mut Lines) {
    for parity in 0..2 {
        let mut run = String::new();
        let mut start = 0;
        let mut i = parity;
        while i + 1 < b.len() + 1 {
            let unit = if i + 1 < b.len() {
                Some((b[i], b[i + 1]))
            } else {
                None
            };
            match unit {
                Some((c, 0)) if printable(c) => {
                    if run.is_empty() {
                        start = i;
                    }
                    run.push(c as char);
                }
                _ => {
                    if run.len() >= MIN_STRING {
                        lines.push(format!("offset {start:#x} (UTF-16)"), &run);
                    }
                    run.clear();
                }
            }
            i += 2;
        }
    }
}

/// A plist flattened to `key.path = "value"` lines, so rules written for config files apply.
pub(super) fn plist(member: Option<&str>, b: &[u8], label: &str, visitor: &mut dyn Visitor) {
    let value = match plist::Value::from_reader(std::io::Cursor::new(b)) {
        Ok(v) => v,
        Err(e) => return visitor.warn(format!("{label}: unreadable plist: {e}")),
    };
    let mut lines = Lines::new();
    flatten(&value, String::new(), &mut lines, 0);
    lines.emit(member, visitor);
}

fn flatten(v: &plist::Value, path: String, lines: &mut Lines, depth: usize) {
    const MAX_PLIST_DEPTH: usize = 64;
    if depth > MAX_PLIST_DEPTH {
        return;
    }
    let key = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        plist::Value::Dictionary(d) => {
            for (k, v) in d {
                flatten(v, key(k), lines, depth + 1);
            }
        }
        plist::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                flatten(v, key(&i.to_string()), lines, depth + 1);
            }
        }
        plist::Value::String(s) => lines.push(format!("key {path}"), &format!("{path} = \"{s}\"")),
        plist::Value::Data(d) => lines.push(
            format!("key {path}"),
            &format!("{path} = \"{}\"", String::from_utf8_lossy(d)),
        ),
        _ => {}
    }
}
