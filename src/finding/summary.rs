//! What a whole scan hands to filters and reports: the findings and the tallies the summary
//! line reports.

use super::Finding;
use serde::Serialize;
use std::time::Duration;

/// An input that could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct InputError {
    /// The input's path.
    pub path: String,
    /// Why it failed.
    pub cause: String,
}

/// A file left out for its size.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// Its path.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
}

/// An app (APK, AAB, IPA) among the inputs: who it is, which SDKs it embeds, and how many
/// reported secrets belong to each.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct App {
    /// The input's path.
    pub path: String,
    /// `android` or `ios`, when its manifest or Info.plist was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// Package name or bundle id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// Version name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// SDKs its code or frameworks show, sorted.
    pub sdks: Vec<String>,
    /// Reported findings in the app by the SDK (or provider) they belong to.
    pub secrets: std::collections::BTreeMap<String, usize>,
}

/// Tallies for the summary line.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    /// Files (and stdin) scanned.
    pub files: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Files skipped as binary.
    pub binary_skipped: u64,
    /// Files skipped for size.
    pub too_large: Vec<Skipped>,
    /// Files that ignore rules (`.gitignore`, `.ignore`, `.leakhoundignore`) kept out.
    pub ignored: u64,
    /// Inputs that could not be read.
    pub errors: Vec<InputError>,
    /// Archive limits hit and malformed members: scanned around, reported once each.
    pub warnings: Vec<String>,
    /// Wall time.
    #[serde(serialize_with = "as_secs")]
    pub elapsed: Duration,
    /// Apps among the inputs, by path.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub apps: Vec<App>,
    /// Findings not reported, by mechanism: `inline`, `config-path`, `config-value`,
    /// `config-example` (the configuration's own rule examples), `baseline`.
    pub suppressed: std::collections::BTreeMap<String, usize>,
}

impl Summary {
    /// The suppressed counts by mechanism as people read them: `baseline 1, inline 1`.
    pub fn suppressed_by_mechanism(&self) -> String {
        let parts: Vec<String> = self
            .suppressed
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        parts.join(", ")
    }
}

fn as_secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}

/// Everything a report needs.
#[derive(Debug, Default)]
pub struct ScanResult {
    /// Findings, sorted by path, line, column, rule.
    pub findings: Vec<Finding>,
    /// Tallies.
    pub summary: Summary,
    /// The repositories or artifacts the findings came from, sorted: the one `--label` of a
    /// scan, every input's for `merge`; empty when unlabelled.
    pub labels: Vec<String>,
}

impl ScanResult {
    /// Tags the scan and every finding with `label` (`--label`).
    pub fn set_label(&mut self, label: &str) {
        for f in &mut self.findings {
            f.label = Some(label.to_string());
        }
        self.labels = vec![label.to_string()];
    }
}
