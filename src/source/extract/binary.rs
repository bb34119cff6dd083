//! Binaries without a structure we decode (ELF `.so`, class files, Mach-O and Hermes files
//! that do not parse): printable strings, ASCII and UTF-16LE, at least 8 characters, each
//! with its byte offset. The structured readers use the same runs for their data sections.

use super::{Budget, Label, Lines, Placement, Visitor};

/// Shortest run kept: no secret a rule reports is shorter.
pub(super) const MIN_STRING: usize = 8;

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
    let read = |lines: &mut Lines| {
        if super::dart::is_snapshot(b) {
            super::dart::runs(b, lines, Label::Offset);
        } else {
            ascii_runs(b, lines, Label::Offset);
        }
        utf16_runs(b, lines, Label::Utf16);
    };
    structured(budget, member, b, label, visitor, "", Ok(read))
}

/// A binary read by its structure: `read` fills the lines when the structure parsed;
/// otherwise one warning says it is not a readable `kind`, and why, and the binary is read as
/// printable strings. False when nothing was found.
pub(super) fn structured(
    budget: &mut Budget<'_>,
    member: Option<&str>,
    b: &[u8],
    label: &str,
    visitor: &mut dyn Visitor,
    kind: &str,
    parsed: Result<impl FnOnce(&mut Lines), String>,
) -> bool {
    let read = match parsed {
        Ok(read) => read,
        Err(cause) => {
            visitor.warn(format!(
                "{label}: not a readable {kind} ({cause}); read as strings"
            ));
            return strings(budget, member, b, label, visitor);
        }
    };
    let mut lines = Lines::new(budget.decoded_room(b.len()));
    read(&mut lines);
    let any = !lines.text.is_empty() || lines.full;
    budget.finish(lines, b.len(), member, label, Placement::Opaque, visitor);
    any
}

pub(super) fn printable(c: u8) -> bool {
    (0x20..0x7f).contains(&c) || c == b'\t'
}

/// Calls `each(start, end)` for every maximal printable ASCII run of `b`, in order, until it
/// returns false; false then.
pub(super) fn each_run(b: &[u8], mut each: impl FnMut(usize, usize) -> bool) -> bool {
    let mut start = None;
    for (i, &c) in b.iter().chain(std::iter::once(&0)).enumerate() {
        match (printable(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if !each(s, i) {
                    return false;
                }
                start = None;
            }
            _ => {}
        }
    }
    true
}

/// Pushes every ASCII run of `b` as a line labelled `at(offset in b)`; false once full.
pub(super) fn ascii_runs(b: &[u8], lines: &mut Lines, at: impl Fn(usize) -> Label) -> bool {
    each_run(b, |s, e| {
        e - s < MIN_STRING || lines.push(at(s), &String::from_utf8_lossy(&b[s..e]))
    })
}

/// Pushes every UTF-16LE run of `b` (either byte parity) as a line labelled
/// `at(offset in b)`; false once full.
pub(super) fn utf16_runs(b: &[u8], lines: &mut Lines, at: impl Fn(usize) -> Label) -> bool {
    for parity in 0..2 {
        let mut run = String::new();
        let mut start = 0;
        let mut i = parity;
        while i < b.len() + 1 {
            match b.get(i..i + 2) {
                Some(&[c, 0]) if printable(c) => {
                    if run.is_empty() {
                        start = i;
                    }
                    run.push(c as char);
                }
                _ => {
                    if run.len() >= MIN_STRING && !lines.push(at(start), &run) {
                        return false;
                    }
                    run.clear();
                }
            }
            i += 2;
        }
    }
    true
}
