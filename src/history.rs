//! A git [`Plan`] through the scanner: each unique blob is read and scanned once, in parallel,
//! and its findings are attributed to every path where history introduced it.

use crate::blob::{looks_binary, Blob, Origin};
use crate::finding::{CommitInfo, Finding};
use crate::matcher::Scratch;
use crate::run::{InputError, ScanResult, Skipped, Summary};
use crate::scan::Scanner;
use crate::source::git::{self, BlobRead, BlobSource, Plan, PlannedBlob};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// How to run a history scan.
#[derive(Debug, Clone)]
pub struct HistoryOptions {
    /// Blobs larger than this are listed as skipped.
    pub max_file_size: u64,
    /// Put author name and email on findings.
    pub include_author: bool,
    /// Draw a progress bar on stderr (only when it is a terminal and the scan runs > 1 s).
    pub progress: bool,
}

/// What one blob gave.
#[derive(Default)]
struct BlobOutcome {
    findings: Vec<Finding>,
    bytes: u64,
    binary: bool,
    too_large: Option<u64>,
    error: Option<String>,
}

/// Scans the blobs of `plan`, opening one repository per worker at `repo_path`.
pub fn scan_plan(
    scanner: &Scanner,
    repo_path: &Path,
    plan: &Plan,
    opts: &HistoryOptions,
) -> ScanResult {
    let started = Instant::now();
    let bar = Progress::new(plan.blobs.len() as u64, opts.progress);
    let outcomes: Vec<BlobOutcome> = plan
        .blobs
        .par_iter()
        .map_init(
            || (git::open(repo_path).ok(), Scratch::default()),
            |(repo, scratch), blob| {
                let out = match repo {
                    Some(repo) => scan_blob(scanner, repo, scratch, plan, blob, opts),
                    None => BlobOutcome {
                        error: Some("cannot open repository".into()),
                        ..Default::default()
                    },
                };
                bar.tick(out.bytes);
                out
            },
        )
        .collect();
    bar.finish();
    let mut result = collect(plan, outcomes);
    result.summary.elapsed = started.elapsed();
    result
}

fn scan_blob(
    scanner: &Scanner,
    repo: &git2::Repository,
    scratch: &mut Scratch,
    plan: &Plan,
    pb: &PlannedBlob,
    opts: &HistoryOptions,
) -> BlobOutcome {
    let bytes = match repo.read(pb.oid, opts.max_file_size) {
        Ok(BlobRead::Bytes(b)) => b,
        Ok(BlobRead::TooLarge(size)) => {
            return BlobOutcome {
                too_large: Some(size),
                ..Default::default()
            }
        }
        Err(e) => {
            return BlobOutcome {
                error: Some(e),
                ..Default::default()
            }
        }
    };
    if looks_binary(&bytes) {
        return BlobOutcome {
            binary: true,
            ..Default::default()
        };
    }
    let found = scanner.scan(
        &Blob {
            bytes: &bytes,
            origin: Origin::file(pb.intros[0].path.clone()),
        },
        scratch,
    );
    let mut findings = Vec::new();
    let mut before_cache: HashMap<git2::Oid, Vec<u8>> = HashMap::new();
    for intro in &pb.intros {
        let before = intro.before.and_then(|oid| {
            if let Entry::Vacant(slot) = before_cache.entry(oid) {
                if let Ok(BlobRead::Bytes(b)) = repo.read(oid, opts.max_file_size) {
                    slot.insert(b);
                }
            }
            before_cache.get(&oid)
        });
        for f in &found {
            // In a range or staged scan, a secret the previous version already held is not new.
            if before.is_some_and(|b| memchr::memmem::find(b, f.secret.as_bytes()).is_some()) {
                continue;
            }
            let mut f = f.clone();
            f.path = intro.path.clone();
            f.commit = intro.commit.map(|i| {
                let c = &plan.commits[i];
                CommitInfo {
                    id: c.id.clone(),
                    time: c.time,
                    author: opts.include_author.then(|| c.author.clone()),
                }
            });
            findings.push(f);
        }
    }
    BlobOutcome {
        findings,
        bytes: bytes.len() as u64,
        ..Default::default()
    }
}

/// Merges per-blob outcomes: one finding per (path, rule, secret), kept at its first commit
/// in history order, with a count of the later commits that introduced it again.
fn collect(plan: &Plan, outcomes: Vec<BlobOutcome>) -> ScanResult {
    let mut summary = Summary::default();
    let commit_rank: HashMap<&str, usize> = plan
        .commits
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut best: HashMap<(String, String, String), Finding> = HashMap::new();
    for (pb, out) in plan.blobs.iter().zip(outcomes) {
        if let Some(e) = out.error {
            summary.errors.push(InputError {
                path: format!("blob {} ({})", pb.oid, pb.intros[0].path),
                cause: e,
            });
        }
        if let Some(size) = out.too_large {
            summary.too_large.push(Skipped {
                path: pb.intros[0].path.clone(),
                size,
            });
        }
        summary.binary_skipped += out.binary as u64;
        if out.bytes > 0 {
            summary.files += 1;
            summary.bytes += out.bytes;
        }
        for f in out.findings {
            let rank = |f: &Finding| {
                f.commit
                    .as_ref()
                    .map_or(usize::MAX, |c| commit_rank[c.id.as_str()])
            };
            let key = (f.path.clone(), f.rule_id.clone(), f.fingerprint.clone());
            match best.get_mut(&key) {
                None => {
                    best.insert(key, f);
                }
                Some(kept) => {
                    kept.later_occurrences += 1;
                    if rank(&f) < rank(kept) {
                        let later = kept.later_occurrences;
                        *kept = f;
                        kept.later_occurrences = later;
                    }
                }
            }
        }
    }
    for (what, cause) in &plan.errors {
        summary.errors.push(InputError {
            path: what.clone(),
            cause: cause.clone(),
        });
    }
    let mut findings: Vec<Finding> = best.into_values().collect();
    findings.sort_by(|a, b| (&a.path, a.start, &a.rule_id).cmp(&(&b.path, b.start, &b.rule_id)));
    ScanResult { findings, summary }
}

/// A progress bar that appears only after a second of work, on a terminal.
struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    bytes: std::sync::atomic::AtomicU64,
}

impl Progress {
    fn new(total: u64, enabled: bool) -> Self {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} blobs, {msg} [{elapsed_precise}, eta {eta}]",
                )
                .expect("valid template"),
            );
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            bytes: Default::default(),
        }
    }

    fn tick(&self, bytes: u64) {
        let Some(bar) = &self.bar else { return };
        let total = self
            .bytes
            .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed)
            + bytes;
        if bar.is_hidden() && self.started.elapsed() > Duration::from_secs(1) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        bar.set_message(format!(
            "{:.1} MiB at {:.1} MiB/s",
            total as f64 / 1048576.0,
            total as f64 / 1048576.0 / secs
        ));
        bar.inc(1);
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
