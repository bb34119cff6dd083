//! Findings → bytes. Nothing here re-runs detection; every format redacts unless told not to.

pub mod gitlab;
pub mod html;
pub mod json;
mod message;
pub(crate) mod nest;
mod rules_table;
pub mod sarif;
pub mod text;

pub use message::{flag, message};
pub use rules_table::rules_table;

use crate::finding::ScanResult;
use crate::rules::RuleSet;
use std::io::{self, Write};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable, grouped by file.
    Text,
    /// One JSON document.
    Json,
    /// One JSON finding per line.
    Jsonl,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitLab secret-detection report (artifacts:reports:secret_detection).
    Gitlab,
    /// One self-contained HTML page for people: summary, chart, findings, proof graph.
    Html,
}

/// What every writer needs besides the findings.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// Print raw secrets.
    pub show_secrets: bool,
    /// Use ANSI colours (text only; on when writing to a terminal).
    pub color: bool,
    /// Leave out the summary line (text only).
    pub quiet: bool,
    /// SARIF `runAutomationDetails.id` prefix (`--sarif-category`).
    pub sarif_category: Option<String>,
    /// When the scan ended, unix seconds (`--now` in tests), for formats that stamp it.
    pub now: i64,
    /// What was scanned, for formats that say so (the HTML header).
    pub scan: ScanInfo,
}

/// What a report covers, as the command line said it; the findings do not carry it.
#[derive(Debug, Clone, Default)]
pub struct ScanInfo {
    /// The command and mode: `scan`, `git history`, `git range`, `git staged`, `merge`.
    pub mode: String,
    /// The paths or repositories scanned (or reports merged).
    pub inputs: Vec<String>,
    /// Revisions the scan was limited to (`--branch`, `--range`, `--since`), as given.
    pub refs: Vec<String>,
    /// `leakhound --version`: version and commit (empty: the library's version alone).
    pub version: String,
}

/// Writes `result` in `format`.
pub fn write(
    out: &mut dyn Write,
    format: Format,
    result: &ScanResult,
    rules: &RuleSet,
    opts: &ReportOptions,
) -> io::Result<()> {
    match format {
        Format::Text => text::write(out, result, opts),
        Format::Json => json::write_document(out, result, opts),
        Format::Jsonl => json::write_lines(out, result, opts),
        Format::Sarif => sarif::write(out, result, rules, opts),
        Format::Gitlab => gitlab::write(out, result, opts),
        Format::Html => html::write(out, result, rules, opts),
    }
}

pub use crate::finding::terminal_safe;
