//! One input: a JSON document or a JSONL file (told apart by its first line), read within
//! the budgets, its bad lines and findings turned into one error naming the first.

use super::wire::{Document, Head, WireFinding};
use super::{file_label, Input, MAX_FINDINGS_PER_FILE, MAX_LINE_BYTES, MAX_REPORT_BYTES};
use crate::finding::SCHEMA_VERSION;
use std::io::{self, BufRead, BufReader, Read};

/// The first problem of an input and how many more it had.
#[derive(Default)]
struct Problems {
    first: Option<String>,
    more: usize,
}

impl Problems {
    fn add(&mut self, what: String) {
        match self.first {
            None => self.first = Some(what),
            Some(_) => self.more += 1,
        }
    }

    fn into_error(self) -> Option<String> {
        let first = self.first?;
        Some(match self.more {
            0 => first,
            n => format!("{first} (and {n} more)"),
        })
    }
}

/// Reads `path` (`-`: standard input).
pub(super) fn input(path: &str) -> Input {
    let opened: io::Result<Box<dyn Read + Send>> = if path == "-" {
        Ok(Box::new(io::stdin()))
    } else {
        std::fs::File::open(path).map(|f| Box::new(f) as Box<dyn Read + Send>)
    };
    let mut out = Input::default();
    let mut problems = Problems::default();
    match opened {
        Ok(r) => {
            let mut reader = BufReader::with_capacity(1 << 16, r.take(MAX_REPORT_BYTES + 1));
            if let Err(e) = read_report(&mut reader, path, &mut out, &mut problems) {
                problems.add(format!("cannot read: {e}"));
            }
            if reader.get_ref().limit() == 0 {
                problems.add(format!(
                    "larger than {} MiB; the rest is left out",
                    MAX_REPORT_BYTES >> 20
                ));
            }
        }
        Err(e) => problems.add(format!("cannot read: {e}")),
    }
    // An input that gave nothing because it failed is not a repository that was scanned.
    if out.labels.is_empty() && problems.first.is_none() {
        out.labels.insert(file_label(path));
    }
    out.error = problems.into_error();
    out
}

fn read_report(
    reader: &mut impl BufRead,
    path: &str,
    out: &mut Input,
    problems: &mut Problems,
) -> io::Result<()> {
    let mut line = Vec::new();
    let Some(over) = next_line(reader, &mut line)? else {
        return Ok(());
    };
    // `report::json` writes documents pretty-printed (`{` alone on the first line); a
    // compacted one (`jq -c`) still opens with its version. Anything else is JSONL.
    let first = line.trim_ascii();
    if !over && (first == b"{" || first.starts_with(b"{\"schema_version\"")) {
        line.push(b'\n');
        reader.read_to_end(&mut line)?;
        // A document cut at the budget is not parsed: the caller reports its size.
        if line.len() as u64 <= MAX_REPORT_BYTES {
            document(&line, path, out, problems);
        }
        return Ok(());
    }
    let label = file_label(path);
    let mut number = 1;
    let mut over = over;
    loop {
        if over {
            problems.add(format!(
                "line {number}: longer than {} MiB",
                MAX_LINE_BYTES >> 20
            ));
        } else if !line.trim_ascii().is_empty() {
            jsonl_line(&line, number, &label, out, problems);
        }
        match next_line(reader, &mut line)? {
            Some(o) => over = o,
            None => return Ok(()),
        }
        number += 1;
    }
}

fn jsonl_line(line: &[u8], number: usize, label: &str, out: &mut Input, problems: &mut Problems) {
    if out.findings.len() >= MAX_FINDINGS_PER_FILE {
        problems.add(format!(
            "line {number}: more than {MAX_FINDINGS_PER_FILE} findings; the rest are left out"
        ));
        return;
    }
    let parsed = serde_json::from_slice::<WireFinding>(line)
        .map_err(|e| e.to_string())
        .and_then(|w| w.into_finding(label));
    match parsed {
        Ok(f) => {
            out.labels.extend(f.label.clone());
            out.findings.push(f);
        }
        Err(e) => problems.add(format!("line {number}: {e}")),
    }
}

fn document(bytes: &[u8], path: &str, out: &mut Input, problems: &mut Problems) {
    let doc: Document = match serde_json::from_slice(bytes) {
        Ok(d) => d,
        Err(e) => {
            // A document of another version may not parse: say that, not the shape error.
            let cause = match serde_json::from_slice::<Head>(bytes) {
                Ok(h) if h.schema_version != SCHEMA_VERSION => unsupported(h.schema_version),
                _ => format!("not a leakhound JSON report: {e}"),
            };
            problems.add(cause);
            return;
        }
    };
    if doc.schema_version != SCHEMA_VERSION {
        problems.add(unsupported(doc.schema_version));
        return;
    }
    let label = doc.label.clone().unwrap_or_else(|| file_label(path));
    out.labels.extend(doc.label);
    out.labels.extend(doc.labels);
    let total = doc.findings.len();
    for (i, w) in doc.findings.into_iter().enumerate() {
        if i == MAX_FINDINGS_PER_FILE {
            problems.add(format!(
                "{total} findings, more than {MAX_FINDINGS_PER_FILE}; the rest are left out"
            ));
            break;
        }
        match w.into_finding(&label) {
            Ok(f) => {
                out.labels.extend(f.label.clone());
                out.findings.push(f);
            }
            Err(e) => problems.add(format!("finding {}: {e}", i + 1)),
        }
    }
    if let Some(s) = doc.summary {
        out.files = s.files;
        out.bytes = s.bytes;
        out.suppressed = s.suppressed;
    }
}

fn unsupported(version: u32) -> String {
    format!("schema_version {version} is not supported (this leakhound reads {SCHEMA_VERSION})")
}

/// Reads one line (without its `\n`) into `line`; `None` at the end of input, else whether
/// the line was longer than [`MAX_LINE_BYTES`] (then `line` is empty and the rest of that
/// line was skipped without being kept).
fn next_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<Option<bool>> {
    line.clear();
    let (mut over, mut any) = (false, false);
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(any.then_some(over));
        }
        any = true;
        let end = memchr::memchr(b'\n', chunk);
        let part = &chunk[..end.unwrap_or(chunk.len())];
        if !over && line.len() + part.len() > MAX_LINE_BYTES {
            over = true;
            line.clear();
        }
        if !over {
            line.extend_from_slice(part);
        }
        let used = end.map_or(chunk.len(), |i| i + 1);
        reader.consume(used);
        if end.is_some() {
            return Ok(Some(over));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::next_line;

    #[test]
    fn overlong_lines_are_skipped_without_being_kept() {
        let mut text = vec![b'x'; super::MAX_LINE_BYTES + 10];
        text.extend_from_slice(b"\nok\nlast");
        let mut r = std::io::BufReader::with_capacity(4096, text.as_slice());
        let mut line = Vec::new();
        assert_eq!(next_line(&mut r, &mut line).unwrap(), Some(true));
        assert!(line.is_empty());
        assert_eq!(next_line(&mut r, &mut line).unwrap(), Some(false));
        assert_eq!(line, b"ok");
        assert_eq!(next_line(&mut r, &mut line).unwrap(), Some(false));
        assert_eq!(line, b"last");
        assert_eq!(next_line(&mut r, &mut line).unwrap(), None);
    }
}
