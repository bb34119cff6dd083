//! Binaries without a structure we decode (ELF `.so`, Mach-O, Hermes bytecode, class files):
//! printable strings, ASCII and UTF-16LE, at least 8 characters, each with its byte offset.

use super::{Budget, Label, Lines, Placement, Visitor};

const MIN_STRING: usize = 8;

/// Printable runs of a binary, ASCII then UTF-16LE, one a line. Each byte is in at most one
/// run of each kind, so this is linear in the input; the limit only guards the total budget.
/// False when the binary has no such run.
pub(super) fn strings(
    budget: &mut Budget<'_>,
    member: Option<&str>,
    b: &[u8],
    label: &str,
    visitor: &mut dyn Visitor,
) -> bool {
    let mut lines = Lines::new(budget.decoded_room(b.len()));
    ascii_runs(b, &mut lines);
    utf16_runs(b, &mut lines);
    let any = !lines.text.is_empty() || lines.full;
    budget.finish(lines, b.len(), member, label, Placement::Opaque, visitor);
    any
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
                if i - s >= MIN_STRING
                    && !lines.push(Label::Offset(s), &String::from_utf8_lossy(&b[s..i]))
                {
                    return;
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
                    if run.len() >= MIN_STRING && !lines.push(Label::Utf16(start), &run) {
                        return;
                    }
                    run.clear();
                }
            }
            i += 2;
        }
    }
}
