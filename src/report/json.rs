//! JSON (one document with a schema version) and JSONL (one finding per line).

use super::{nest, ReportOptions};
use crate::finding::ScanResult;
use crate::finding::{CommitInfo, Finding, Occurrence, Region, Severity};
use rayon::prelude::*;
use serde_json::{json, Value};
use std::io::{self, Write};

pub use crate::finding::SCHEMA_VERSION;

/// One finding as a JSON object.
pub fn finding_value(f: &Finding, opts: &ReportOptions) -> Value {
    let mut v = json!({
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "severity": f.severity,
        "confidence": f.confidence,
        "path": f.path,
        "line": f.start.line,
        "column": f.start.column,
        "end_line": f.end.line,
        "end_column": f.end.column,
        "secret": f.display_secret(opts.show_secrets),
        "redacted": !opts.show_secrets || f.redacted,
        "fingerprint": f.fingerprint,
        "message": super::message(f),
        "excerpt": f.excerpt(opts.show_secrets),
    });
    if let Some(m) = &f.member {
        v["member"] = json!(m);
        v["location"] = json!(format!(
            "{}:{}:{}",
            f.location(),
            f.start.line,
            f.start.column
        ));
    }
    if let Some(d) = &f.detail {
        v["detail"] = json!(d);
    }
    // Where a viewer of `path` sees the secret, when that is not `line`/`column` (a member
    // of a text file, a rebuilt plist); absent inside binary containers.
    if let Some(r) = f.region.filter(|r| r.start != f.start || r.end != f.end) {
        v["region"] = region_value(&r);
    }
    if let Some(o) = &f.original_source {
        v["original_source"] = json!(o);
    }
    if let Some(o) = &f.original_file {
        v["original_file"] = json!(o);
    }
    if let Some(jwt) = &f.jwt {
        v["jwt"] = json!(jwt);
    }
    if let Some(e) = &f.evidence {
        v["evidence"] = json!(e);
    }
    if let Some(c) = &f.commit {
        commit_fields(&mut v, c);
    }
    if f.later_occurrences > 0 {
        v["later_occurrences"] = json!(f.later_occurrences);
    }
    if let Some(link) = &f.verified_by {
        v["verified_by"] = json!(link);
    }
    if !f.signs.is_empty() {
        v["signs"] = json!(f.signs);
    }
    // The facts `message` is worded from, so a report read back (`merge`) words it again.
    if !f.notes.is_empty() {
        v["notes"] = json!(f.notes);
    }
    if let Some(l) = &f.label {
        v["label"] = json!(l);
    }
    if !f.also_in.is_empty() {
        v["also_in"] = f.also_in.iter().map(occurrence_value).collect();
    }
    v
}

fn region_value(r: &Region) -> Value {
    json!({
        "line": r.start.line,
        "column": r.start.column,
        "end_line": r.end.line,
        "end_column": r.end.column,
    })
}

fn commit_fields(v: &mut Value, c: &CommitInfo) {
    v["commit"] = json!(c.id);
    v["commit_time"] = json!(c.time);
    if let Some(a) = &c.author {
        v["author"] = json!(a);
    }
}

/// Another place a merged secret was seen, with the location fields a finding has.
fn occurrence_value(o: &Occurrence) -> Value {
    let mut v = json!({
        "path": o.path,
        "line": o.start.line,
        "column": o.start.column,
        "end_line": o.end.line,
        "end_column": o.end.column,
    });
    if let Some(l) = &o.label {
        v["label"] = json!(l);
    }
    if let Some(m) = &o.member {
        v["member"] = json!(m);
    }
    if let Some(d) = &o.detail {
        v["detail"] = json!(d);
    }
    if let Some(r) = o.region.filter(|r| r.start != o.start || r.end != o.end) {
        v["region"] = region_value(&r);
    }
    if let Some(c) = &o.commit {
        commit_fields(&mut v, c);
    }
    if o.later_occurrences > 0 {
        v["later_occurrences"] = json!(o.later_occurrences);
    }
    v
}

/// The summary as a JSON object, with counts by severity.
pub fn summary_value(result: &ScanResult) -> Value {
    let mut by_sev = serde_json::Map::new();
    for s in Severity::ALL {
        let n = result.findings.iter().filter(|f| f.severity == s).count();
        by_sev.insert(s.as_str().into(), n.into());
    }
    let mut v = json!(result.summary);
    v["findings"] = result.findings.len().into();
    v["by_severity"] = Value::Object(by_sev);
    v
}

/// Writes one JSON document.
pub fn write_document(
    out: &mut dyn Write,
    result: &ScanResult,
    opts: &ReportOptions,
) -> io::Result<()> {
    let mut doc = json!({
        "schema_version": SCHEMA_VERSION,
        "tool": { "name": "leakhound", "version": env!("CARGO_PKG_VERSION") },
    });
    // One scan's label (`--label`), or every input's of a merge.
    match result.labels.as_slice() {
        [] => {}
        [one] => doc["label"] = json!(one),
        all => doc["labels"] = json!(all),
    }
    doc["findings"] = json!([]);
    doc["summary"] = summary_value(result);
    // Findings are serialised apart, a batch at a time in parallel, and spliced into the
    // document: one tree of values for 100k merged findings was most of a merge's time.
    let skeleton = serde_json::to_vec_pretty(&doc)?;
    let Some((head, tail)) = nest::split_at_empty(&skeleton, "findings", 2) else {
        return Err(io::Error::other("JSON report: no findings array to fill"));
    };
    out.write_all(head)?;
    let mut first = true;
    for batch in result.findings.chunks(BATCH) {
        for part in serialised(batch, opts, true) {
            let part = part?;
            out.write_all(if first { b"\n" } else { b",\n" })?;
            out.write_all(&part)?;
            first = false;
        }
    }
    if !first {
        out.write_all(b"\n  ")?;
    }
    out.write_all(tail)?;
    writeln!(out)
}

/// Findings serialised in parallel per batch, written in order between batches.
const BATCH: usize = 8192;

/// `findings` serialised in parallel, in order: pretty and nested in the document's findings
/// array, or one compact line each.
fn serialised(
    findings: &[Finding],
    opts: &ReportOptions,
    pretty: bool,
) -> Vec<io::Result<Vec<u8>>> {
    findings
        .par_chunks(256)
        .map(|chunk| {
            let mut out = Vec::new();
            let mut buf = Vec::new();
            for (n, f) in chunk.iter().enumerate() {
                let v = finding_value(f, opts);
                if pretty {
                    buf.clear();
                    serde_json::to_writer_pretty(&mut buf, &v)?;
                    if n > 0 {
                        out.extend_from_slice(b",\n");
                    }
                    nest::indented(&buf, 4, &mut out);
                } else {
                    serde_json::to_writer(&mut out, &v)?;
                    out.push(b'\n');
                }
            }
            Ok(out)
        })
        .collect()
}

/// Writes one finding per line.
pub fn write_lines(
    out: &mut dyn Write,
    result: &ScanResult,
    opts: &ReportOptions,
) -> io::Result<()> {
    for batch in result.findings.chunks(BATCH) {
        for part in serialised(batch, opts, false) {
            out.write_all(&part?)?;
        }
    }
    Ok(())
}
