//! A scan of files and directories: every input through the walk, every file through the
//! scanner, counted into the summary.

use super::progress::Progress;
use super::Scanner;
use crate::finding::{Finding, InputError, ScanResult, Skipped, Summary};
use crate::matcher::Scratch;
use crate::source::blob::looks_binary;
use crate::source::extract::Limits;
use crate::source::path::report_path;
use crate::source::walk::{self, Event, WalkOptions};
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

struct Shared {
    findings: Mutex<Vec<Finding>>,
    summary: Mutex<Summary>,
    progress: Progress,
}

impl Shared {
    fn summary(&self) -> std::sync::MutexGuard<'_, Summary> {
        self.summary
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Scans every input (`-` is standard input) and returns the sorted findings and tallies;
/// `progress` draws a files/bytes count on stderr once the scan runs longer than a second.
pub fn run(
    scanner: &Scanner,
    inputs: &[String],
    opts: &WalkOptions,
    limits: &Limits,
    progress: bool,
) -> ScanResult {
    let started = Instant::now();
    let shared = Shared {
        findings: Mutex::default(),
        summary: Mutex::default(),
        progress: Progress::new(progress, "files"),
    };
    for input in inputs {
        if input == "-" {
            scan_stdin(scanner, &shared, opts.max_file_size, limits);
            continue;
        }
        let root = Path::new(input);
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                shared.summary().errors.push(InputError {
                    path: report_path(root),
                    cause: e.to_string(),
                });
                continue;
            }
        };
        // Reported paths are relative to a directory input, and as given for a file input.
        let base = if meta.is_dir() { root } else { Path::new("") };
        let stats = walk::walk(root, opts, || {
            let mut scratch = Scratch::default();
            let shared = &shared;
            move |event: Event<'_>| on_event(scanner, shared, &mut scratch, event, base, limits)
        });
        shared.summary().ignored += stats.ignored;
    }
    shared.progress.finish();
    let mut findings = shared
        .findings
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    findings.sort_by(|a, b| {
        (&a.path, &a.member, a.start, &a.rule_id).cmp(&(&b.path, &b.member, b.start, &b.rule_id))
    });
    let mut summary = shared
        .summary
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    summary.too_large.sort_by(|a, b| a.path.cmp(&b.path));
    summary.errors.sort_by(|a, b| a.path.cmp(&b.path));
    summary.elapsed = started.elapsed();
    ScanResult {
        findings,
        summary,
        labels: Vec::new(),
    }
}

fn on_event(
    scanner: &Scanner,
    shared: &Shared,
    scratch: &mut Scratch,
    event: Event<'_>,
    root: &Path,
    limits: &Limits,
) {
    match event {
        Event::File { path, bytes } => {
            scan_blob(scanner, shared, scratch, path, bytes, Some(root), limits);
        }
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
    root: Option<&Path>,
    limits: &Limits,
) {
    let mut out = scanner.scan_expanded(path, bytes, limits, scratch);
    if let Some(root) = root {
        super::originals::resolve(root, path, &mut out.findings);
    }
    shared.progress.tick(out.bytes);
    {
        let mut s = shared.summary();
        s.files += 1;
        s.bytes += out.bytes;
        // Binaries that held no text: members of an archive one by one, as if unpacked, and
        // a binary file the decoders found nothing in (an empty archive, a bare DEX).
        s.binary_skipped += out.binary_skipped;
        if out.binary_skipped == 0 && out.bytes == 0 && looks_binary(bytes) {
            s.binary_skipped += 1;
        }
        s.warnings.extend(out.warnings);
        if !out.apps.is_empty() {
            s.apps.push(super::apps::app(path, &out.apps));
        }
    }
    if !out.findings.is_empty() {
        shared
            .findings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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
            None,
            limits,
        ),
        Err(e) => shared.summary().errors.push(InputError {
            path: "<stdin>".into(),
            cause: e.to_string(),
        }),
    }
}
