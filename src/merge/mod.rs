//! Reports read back as a source of findings (`leakhound merge`): JSON documents and JSONL
//! files of many runs become one list of findings, each tagged with the repository or artifact
//! it came from, and findings of the same secret become one finding with every place it was
//! seen.
//!
//! This stage sits after `finding` (it makes [`Finding`]s) and before `proof`: the pipeline
//! hands its findings to proof across reports and then to any report format.
//!
//! Every input is hostile: each file may produce at most [`MAX_FINDINGS_PER_FILE`] findings
//! from at most [`MAX_REPORT_BYTES`] (a JSON document is parsed whole) or lines of at most
//! [`MAX_LINE_BYTES`]; strings and lists inside a finding are bounded by
//! [`MAX_STRING_BYTES`] and [`MAX_LIST_ITEMS`]. A bad file or line is one error naming the
//! file (and line) and its cause; every other input is still merged.

mod dedupe;
mod read;
mod wire;

pub use dedupe::dedupe;

use crate::finding::{Finding, InputError};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Bytes read from one input; a JSON document is parsed whole, so this bounds its memory.
pub const MAX_REPORT_BYTES: u64 = 1 << 30;
/// Bytes of one JSONL line (a key that signs many tokens lists them all on its line).
pub const MAX_LINE_BYTES: usize = 8 << 20;
/// Findings taken from one input; the rest are counted in its error.
pub const MAX_FINDINGS_PER_FILE: usize = 1_000_000;
/// Bytes of any one string of a finding (secret, path, claim, excerpt, label).
pub const MAX_STRING_BYTES: usize = 64 << 10;
/// Items of any one list of a finding (`signs`, `notes`, `also_in`, claims).
pub const MAX_LIST_ITEMS: usize = 100_000;

/// Everything read from the inputs, before de-duplication.
#[derive(Debug, Default)]
pub struct Read {
    /// Every finding, labelled, in input order.
    pub findings: Vec<Finding>,
    /// Every input's label, sorted, even of inputs without findings.
    pub labels: Vec<String>,
    /// Files and bytes the inputs' scans covered (from JSON documents' summaries).
    pub files: u64,
    /// See `files`.
    pub bytes: u64,
    /// Findings the inputs' scans suppressed, by mechanism.
    pub suppressed: BTreeMap<String, usize>,
    /// One per input that failed in whole or in part.
    pub errors: Vec<InputError>,
    /// Inputs whose findings are redacted (written without `--show-secrets`).
    pub redacted_inputs: usize,
}

/// What one input gave.
#[derive(Debug, Default)]
struct Input {
    findings: Vec<Finding>,
    labels: BTreeSet<String>,
    files: u64,
    bytes: u64,
    suppressed: BTreeMap<String, usize>,
    error: Option<String>,
}

/// Reads every input (`-` is standard input), in parallel, keeping their order.
pub fn read(paths: &[String]) -> Read {
    let inputs: Vec<Input> = paths.par_iter().map(|p| read::input(p)).collect();
    let mut out = Read::default();
    let mut labels = BTreeSet::new();
    for (path, input) in paths.iter().zip(inputs) {
        if input.findings.iter().any(|f| f.redacted) {
            out.redacted_inputs += 1;
        }
        labels.extend(input.labels);
        out.findings.extend(input.findings);
        out.files += input.files;
        out.bytes += input.bytes;
        for (k, n) in input.suppressed {
            *out.suppressed.entry(k).or_default() += n;
        }
        if let Some(cause) = input.error {
            out.errors.push(InputError {
                path: path.clone(),
                cause,
            });
        }
    }
    out.labels = labels.into_iter().collect();
    out
}

/// The label of an input whose findings and document carry none: its file name without a
/// `.json`/`.jsonl` extension (`reports/api.jsonl` → `api`), `stdin` for `-`.
fn file_label(path: &str) -> String {
    if path == "-" {
        return "stdin".into();
    }
    let name = std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned());
    ["jsonl", "json"]
        .iter()
        .find_map(|ext| name.strip_suffix(&format!(".{ext}")))
        .filter(|stem| !stem.is_empty())
        .map_or_else(|| name.clone(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::file_label;

    #[test]
    fn file_labels_drop_the_directory_and_report_extension() {
        assert_eq!(file_label("reports/api.jsonl"), "api");
        assert_eq!(file_label("web.json"), "web");
        assert_eq!(file_label("dir/app.sarif"), "app.sarif");
        assert_eq!(file_label(".json"), ".json");
        assert_eq!(file_label("-"), "stdin");
    }
}
