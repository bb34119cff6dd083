//! The JSON shape of a finding as `report::json` writes it, read back and checked against the
//! budgets before it becomes a [`Finding`] again.

use crate::detect::named::Evidence;
use crate::finding::{
    CommitInfo, Confidence, Finding, JwtInfo, Link, Note, Occurrence, Position, Region, Severity,
};
use serde::Deserialize;

/// A JSON report document; fields it does not name are ignored, so newer writers' additions
/// read fine.
#[derive(Deserialize)]
pub(super) struct Document {
    pub schema_version: u32,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    pub findings: Vec<WireFinding>,
    #[serde(default)]
    pub summary: Option<WireSummary>,
}

/// Only the version, to say why a document of another version does not parse.
#[derive(Deserialize)]
pub(super) struct Head {
    pub schema_version: u32,
}

/// The tallies a merge adds up.
#[derive(Deserialize, Default)]
pub(super) struct WireSummary {
    #[serde(default)]
    pub files: u64,
    #[serde(default)]
    pub bytes: u64,
    #[serde(default)]
    pub suppressed: std::collections::BTreeMap<String, usize>,
}

/// `line`/`column`/`end_line`/`end_column`, as a finding and its `region` write them.
#[derive(Deserialize, Clone, Copy)]
pub(super) struct Span {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

impl Span {
    fn start(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    fn end(&self) -> Position {
        Position {
            line: self.end_line,
            column: self.end_column,
        }
    }
}

/// Another place of a merged finding (`also_in`), as a merged report writes it.
#[derive(Deserialize)]
pub(super) struct WirePlace {
    #[serde(default)]
    label: Option<String>,
    path: String,
    #[serde(default)]
    member: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    #[serde(default)]
    region: Option<Span>,
    #[serde(default)]
    commit: Option<String>,
    #[serde(default)]
    commit_time: Option<i64>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    later_occurrences: usize,
}

/// One finding as JSON and JSONL write it.
#[derive(Deserialize)]
pub(super) struct WireFinding {
    rule_id: String,
    rule_name: String,
    severity: Severity,
    confidence: Confidence,
    path: String,
    #[serde(default)]
    member: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    secret: String,
    /// Absent in a hand-made input: taken as redacted, so nothing is printed as raw that may
    /// not be.
    #[serde(default = "redacted_unless_said")]
    redacted: bool,
    fingerprint: String,
    #[serde(default)]
    excerpt: String,
    #[serde(default)]
    region: Option<Span>,
    #[serde(default)]
    original_source: Option<String>,
    #[serde(default)]
    original_file: Option<String>,
    #[serde(default)]
    jwt: Option<JwtInfo>,
    #[serde(default)]
    evidence: Option<Evidence>,
    #[serde(default)]
    commit: Option<String>,
    #[serde(default)]
    commit_time: Option<i64>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    later_occurrences: usize,
    #[serde(default)]
    verified_by: Option<Link>,
    #[serde(default)]
    signs: Vec<Link>,
    #[serde(default)]
    notes: Vec<Note>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    also_in: Vec<WirePlace>,
}

fn redacted_unless_said() -> bool {
    true
}

/// The four position fields, written flat (serde's `flatten` would buffer every finding).
macro_rules! span_of {
    ($x:expr) => {
        Span {
            line: $x.line,
            column: $x.column,
            end_line: $x.end_line,
            end_column: $x.end_column,
        }
    };
}

// After the macro, which it uses.
mod check;

impl WireFinding {
    /// The finding this describes, labelled `label` unless it names its own; `Err` says why
    /// it breaks a budget or is not what leakhound writes.
    pub fn into_finding(self, label: &str) -> Result<Finding, String> {
        self.check()?;
        let label = self.label.unwrap_or_else(|| label.to_string());
        let span = span_of!(self);
        let (start, end) = (span.start(), span.end());
        let context = context(&self.excerpt, &self.secret);
        let mut f = Finding {
            rule_id: self.rule_id,
            rule_name: self.rule_name,
            severity: self.severity,
            confidence: self.confidence,
            region: region(self.region, self.member.is_none(), start, end),
            path: self.path,
            member: self.member,
            detail: self.detail,
            start,
            end,
            offset: 0,
            original_source: self.original_source,
            original_file: self.original_file,
            secret: self.secret,
            fingerprint: self.fingerprint,
            notes: self.notes,
            evidence: self.evidence,
            jwt: self.jwt,
            context,
            commit: commit(self.commit, self.commit_time, self.author),
            later_occurrences: self.later_occurrences,
            verified_by: self.verified_by,
            signs: self.signs,
            allowed_inline: false,
            also_in: Vec::new(),
            redacted: self.redacted,
            label: Some(label.clone()),
        };
        f.also_in = self
            .also_in
            .into_iter()
            .map(|p| p.into_occurrence(&label))
            .collect();
        label_links(&mut f, &label);
        Ok(f)
    }
}

impl WirePlace {
    fn into_occurrence(self, label: &str) -> Occurrence {
        let span = span_of!(self);
        let (start, end) = (span.start(), span.end());
        Occurrence {
            label: Some(self.label.unwrap_or_else(|| label.to_string())),
            region: region(self.region, self.member.is_none(), start, end),
            path: self.path,
            member: self.member,
            detail: self.detail,
            start,
            end,
            commit: commit(self.commit, self.commit_time, self.author),
            later_occurrences: self.later_occurrences,
        }
    }
}

/// JSON leaves `region` out when it is the secret's own span, and inside binary containers
/// (members) where no line of the file holds the secret: a plain file's region is its span.
fn region(written: Option<Span>, plain: bool, start: Position, end: Position) -> Option<Region> {
    match written {
        Some(s) => Some(Region {
            start: s.start(),
            end: s.end(),
        }),
        None if plain => Some(Region { start, end }),
        None => None,
    }
}

fn commit(id: Option<String>, time: Option<i64>, author: Option<String>) -> Option<CommitInfo> {
    id.map(|id| CommitInfo {
        id,
        time: time.unwrap_or(0),
        author,
    })
}

/// The line around the secret, split back out of `…before«secret»after…` (the secret as the
/// report printed it).
fn context(excerpt: &str, shown: &str) -> (String, String) {
    let marked = format!("«{shown}»");
    match excerpt.find(&marked) {
        Some(i) => (
            excerpt[..i].to_string(),
            excerpt[i + marked.len()..].to_string(),
        ),
        None => (String::new(), String::new()),
    }
}

/// Links written without a label point into the same report: they get its label, so they
/// still say where they point once findings of many reports sit side by side.
fn label_links(f: &mut Finding, label: &str) {
    let notes = f.notes.iter_mut().filter_map(|n| match n {
        Note::IssuerSeen { at, .. }
        | Note::PairedWith { at, .. }
        | Note::SignedBy(at)
        | Note::GenuineUnder(at)
        | Note::Forged(at) => Some(at),
        _ => None,
    });
    for l in f
        .verified_by
        .iter_mut()
        .chain(f.signs.iter_mut())
        .chain(notes)
    {
        if l.label.is_none() && l.line > 0 {
            l.label = Some(label.to_string());
        }
    }
}
