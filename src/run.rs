//! A whole scan: every input through its source, every blob through the scanner, and the
//! tallies the summary line reports.

use crate::blob::looks_binary;
use crate::finding::Finding;
use crate::matcher::Scratch;
use crate::scan::Scanner;
use crate::source::extract::Limits;
use crate::source::walk::{self, Event, WalkOptions};
use serde::Serialize;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
    /// Findings not reported, by mechanism: `inline`, `config-path`, `config-value`,
    /// `config-example` (the configuration's own rule examples), `baseline`.
    pub suppressed: std::collections::BTreeMap<String, usize>,
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
}

#[derive(Default)]
struct Shared {
    findings: Mutex<Vec<Finding>>,
    summary: Mutex<Summary>,
}

impl Shared {
    fn summary(&self) -> std::sync::MutexGuard<'_, Summary> {
        self.summary.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Scans every input (`-` is standard input) and returns the sorted findings and tallies.
pub fn run(
    scanner: &Scanner,
    inputs: &[String],
    opts: &WalkOptions,
    limits: &Limits,
) -> ScanResult {
    let started = Instant::now();
    let shared = Shared::default();
    for input in inputs {
        if input == "-" {
            scan_stdin(scanner, &shared, opts.max_file_size, limits);
            continue;
        }
        let root = Path::new(input);
        if let Err(e) = std::fs::metadata(root) {
            shared.summary().errors.push(InputError {
                path: input.clone(),
                cause: e.to_string(),
            });
            continue;
        }
        let stats = walk::walk(root, opts, || {
            let mut scratch = Scratch::default();
            let shared = &shared;
            move |event: Event<'_>| on_event(scanner, shared, &mut scratch, event, limits)
        });
        shared.summary().ignored += stats.ignored;
    }
    let mut findings = shared
        .findings
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    findings.sort_by(|a, b| {
        (&a.path, &a.member, a.start, &a.rule_id).cmp(&(&b.path, &b.member, b.start, &b.rule_id))
    });
    let mut summary = shared
        .summary
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    summary.too_large.sort_by(|a, b| a.path.cmp(&b.path));
    summary.errors.sort_by(|a, b| a.path.cmp(&b.path));
    summary.elapsed = started.elapsed();
    ScanResult { findings, summary }
}

fn on_event(
    scanner: &Scanner,
    shared: &Shared,
    scratch: &mut Scratch,
    event: Event<'_>,
    limits: &Limits,
) {
    match event {
        Event::File { path, bytes } => scan_blob(scanner, shared, scratch, path, bytes, limits),
        Event::TooLarge { path, size } => shared.summary().too_large.push(Skipped {
            path: path.to_string(),
            size,
        }),
        Event::Error { path, cause } => shared.summary().errors.push(InputError { path, cause }),
    }
}

fn scan_blob(
    scanner: &Scanner,
    shared: &Shared,
    scratch: &mut Scratch,
    path: &str,
    bytes: &[u8],
    limits: &Limits,
) {
    let out = scanner.scan_expanded(path, bytes, limits, scratch);
    {
        let mut s = shared.summary();
        s.files += 1;
        s.bytes += out.bytes;
        // A binary that yielded no text at all (no archive members, no strings) was skipped.
        if out.bytes == 0 && looks_binary(bytes) {
            s.binary_skipped += 1;
        }
        s.warnings.extend(out.warnings);
    }
    if !out.findings.is_empty() {
        shared
            .findings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(out.findings);
    }
}

fn scan_stdin(scanner: &Scanner, shared: &Shared, max: u64, limits: &Limits) {
    let mut buf = Vec::new();
    match std::io::stdin()
        .lock()
        .take(max.saturating_add(1))
        .read_to_end(&mut buf)
    {
        Ok(_) if buf.len() as u64 > max => shared.summary().too_large.push(Skipped {
            path: "<stdin>".into(),
            size: buf.len() as u64,
        }),
        Ok(_) => scan_blob(
            scanner,
            shared,
            &mut Scratch::default(),
            "<stdin>",
            &buf,
            limits,
        ),
        Err(e) => shared.summary().errors.push(InputError {
            path: "<stdin>".into(),
            cause: e.to_string(),
        }),
    }
}
