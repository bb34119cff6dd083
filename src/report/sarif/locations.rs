//! Where a SARIF result points: the scanned file's URI, and the related locations of the
//! findings proof linked it to, of the original source a source map was built from, and of
//! the other places a merged secret was seen. A place in another repository than the run's
//! has no URI under this run's `%SRCROOT%`: its related location is a message naming it.

use crate::finding::{Finding, Occurrence};
use serde_sarif::sarif::{ArtifactLocation, Location, Message, PhysicalLocation, Region};

/// Percent-encodes what a relative URI reference may not contain; `/` stays a separator and
/// a leading `/` is dropped so the URI stays relative to `%SRCROOT%`.
pub(super) fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.trim_start_matches('/').bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char);
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A related location for a linked finding (the key that signs a token, or a token a key
/// signs) of a result in the run of repository `here`; its message says which.
pub(super) fn related_location(
    id: usize,
    l: &crate::finding::Link,
    here: Option<&str>,
) -> Location {
    let text = format!(
        "{} at {}:{} (fingerprint {})",
        l.rule_id,
        l.location,
        l.line,
        &l.fingerprint[..12.min(l.fingerprint.len())]
    );
    if let Some(other) = l.label.as_deref().filter(|&o| Some(o) != here) {
        return elsewhere(id, other, text);
    }
    let outer = crate::source::member::outer(&l.location);
    let mut loc = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(uri_reference(outer))
                        .uri_base_id("%SRCROOT%")
                        .build(),
                )
                .region(match l.file_position {
                    Some(p) => Region::builder()
                        .start_line(p.line as i64)
                        .start_column(p.column.max(1) as i64)
                        .build(),
                    None => Region::builder().start_line(1).build(),
                })
                .build(),
        )
        .message(Message::builder().text(text).build())
        .build();
    loc.id = Some(id as i64);
    loc
}

/// A place in another repository: named in the message only.
fn elsewhere(id: usize, label: &str, text: String) -> Location {
    let mut loc = Location::builder()
        .message(
            Message::builder()
                .text(format!("in {label}: {text}"))
                .build(),
        )
        .build();
    loc.id = Some(id as i64);
    loc
}

/// The secret's bytes in the file a viewer opens; inside a binary container no line holds
/// them, so line 1 (the member position goes into the properties and the message).
pub(super) fn region_in_file(region: Option<crate::finding::Region>) -> Region {
    match region {
        Some(r) => Region::builder()
            .start_line(r.start.line as i64)
            .start_column(r.start.column as i64)
            .end_line(r.end.line as i64)
            .end_column(r.end.column.max(1) as i64)
            .build(),
        None => Region::builder().start_line(1).build(),
    }
}

/// Another place a merged secret was seen, for a result in the run of repository `here`.
pub(super) fn occurrence_location(id: usize, o: &Occurrence, here: Option<&str>) -> Location {
    let shown = crate::source::member::display(&o.path, o.member.as_deref());
    let text = match &o.commit {
        Some(c) => format!(
            "also at {shown}:{}:{} (commit {})",
            o.start.line, o.start.column, c.id
        ),
        None => format!("also at {shown}:{}:{}", o.start.line, o.start.column),
    };
    if let Some(other) = o.label.as_deref().filter(|&l| Some(l) != here) {
        return elsewhere(id, other, text);
    }
    let region = region_in_file(o.region);
    let mut loc = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(uri_reference(&o.path))
                        .uri_base_id("%SRCROOT%")
                        .build(),
                )
                .region(region)
                .build(),
        )
        .message(Message::builder().text(text).build())
        .build();
    loc.id = Some(id as i64);
    loc
}

/// The original source a source map was built from, where it exists in the scanned tree: the
/// secret is at the same line and column there as in the map's copy of it.
pub(super) fn original_location(id: usize, f: &Finding, file: &str) -> Location {
    let mut loc = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(uri_reference(file))
                        .uri_base_id("%SRCROOT%")
                        .build(),
                )
                .region(
                    Region::builder()
                        .start_line(f.start.line as i64)
                        .start_column(f.start.column as i64)
                        .end_line(f.end.line as i64)
                        .end_column(f.end.column.max(1) as i64)
                        .build(),
                )
                .build(),
        )
        .message(
            Message::builder()
                .text(format!(
                    "original source {}:{}:{}",
                    file, f.start.line, f.start.column
                ))
                .build(),
        )
        .build();
    loc.id = Some(id as i64);
    loc
}
