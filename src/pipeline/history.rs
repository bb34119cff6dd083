//! A git [`Plan`] through the scanner: each unique blob is read and scanned once, in parallel,
//! and its findings are attributed to every path where history introduced it.

use super::progress::Progress;
use crate::finding::{CommitInfo, Finding};
use crate::finding::{InputError, ScanResult, Skipped, Summary};
use crate::matcher::Scratch;
use crate::pipeline::Scanner;
use crate::source::blob::looks_binary;
use crate::source::git::{self, BlobRead, BlobSource, GitError, Plan, PlannedBlob};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

/// How to run a history scan.
#[derive(Debug, Clone)]
pub struct HistoryOptions {
    /// Blobs larger than this are listed as skipped.
    pub max_file_size: u64,
    /// Put author name and email on findings.
    pub include_author: bool,
    /// Archive and extraction limits, per blob.
    pub limits: crate::source::extract::Limits,
    /// Draw a progress bar on stderr (only when it is a terminal and the scan runs > 1 s).
    pub progress: bool,
    /// Read full histories from the packs in delta order, searching only what each delta
    /// adds for keywords (see [`super::deltas`]); off, every version is searched in full.
    pub delta_scan: bool,
}

/// What scanning one blob gave, before attribution to paths and commits.
#[derive(Default)]
pub(super) struct BlobScan {
    findings: Vec<Finding>,
    pub(super) bytes: u64,
    /// Binaries in the blob (it, or its archive members) that held no text.
    binary: u64,
    too_large: Option<u64>,
    error: Option<String>,
    warnings: Vec<String>,
}

impl BlobScan {
    pub(super) fn failed(cause: &str) -> Self {
        BlobScan {
            error: Some(cause.to_string()),
            ..Default::default()
        }
    }
}

/// Walks history and scans at the same time: the walk (which libgit2 serialises) streams each
/// new blob to rayon workers as soon as it is listed, so the total time is close to the
/// longer of the two instead of their sum. Returns the plan (for its warnings) and the result.
pub fn scan_repo(
    scanner: &Scanner,
    repo_path: &Path,
    mode: &git::Mode,
    opts: &HistoryOptions,
) -> Result<(Plan, ScanResult), GitError> {
    let started = Instant::now();
    let bar = Progress::new(opts.progress, "blobs");
    let (plan, scans) = if opts.delta_scan && matches!(mode, git::Mode::History { .. }) {
        // The walk must finish first: a blob's first path decides how it is read, and the
        // packs are visited in delta order, not history order.
        let repo = git::open(repo_path)?;
        let open = || git::open(repo_path).ok();
        // One reading of the packs' indexes serves the walk (commits, trees) and the scan.
        let (packs, _unreadable) = git::pack::open_all(&repo.commondir().join("objects"));
        bar.planning();
        let plan = git::plan_with(
            &repo,
            mode,
            &mut |_, _| {},
            Some(&open),
            &|| bar.commit(),
            &packs,
        );
        if let Ok(plan) = &plan {
            bar.scanning(plan.blobs.len() as u64);
        }
        drop(repo);
        let scans = match &plan {
            Ok(plan) => super::deltas::scan(scanner, repo_path, &packs, plan, opts, &bar),
            Err(_) => HashMap::new(),
        };
        (plan, scans)
    } else {
        stream(scanner, repo_path, mode, opts, &bar)
    };
    bar.finish();
    let plan = plan?;
    let repo = git::open(repo_path)?;
    let mut result = collect(&plan, scans, |pb, found| {
        attribute(&repo, &plan, pb, found, opts)
    });
    result.summary.elapsed = started.elapsed();
    Ok((plan, result))
}

/// Plans and scans at once: each blob goes to a worker the moment the walk lists it.
fn stream(
    scanner: &Scanner,
    repo_path: &Path,
    mode: &git::Mode,
    opts: &HistoryOptions,
    bar: &Progress,
) -> (Result<Plan, GitError>, HashMap<git2::Oid, BlobScan>) {
    let (tx, rx) = std::sync::mpsc::channel::<(git2::Oid, String)>();
    std::thread::scope(|s| {
        let planner = s.spawn(move || {
            let repo = git::open(repo_path)?;
            let mut on_new = |oid, path: &str| {
                let _ = tx.send((oid, path.to_string()));
            };
            git::plan(&repo, mode, &mut on_new)
        });
        let scans: HashMap<git2::Oid, BlobScan> = rx
            .into_iter()
            .par_bridge()
            .map_init(
                || (git::open(repo_path).ok(), Scratch::default()),
                |(repo, scratch), (oid, path)| {
                    let scan = match repo {
                        Some(repo) => scan_blob(scanner, repo, scratch, oid, path, opts),
                        None => BlobScan::failed("cannot open repository"),
                    };
                    bar.tick(scan.bytes);
                    (oid, scan)
                },
            )
            .collect();
        let plan = planner
            .join()
            .unwrap_or_else(|_| Err(git2::Error::from_str("history walk panicked").into()));
        (plan, scans)
    })
}

pub(super) fn scan_blob(
    scanner: &Scanner,
    repo: &git2::Repository,
    scratch: &mut Scratch,
    oid: git2::Oid,
    path: String,
    opts: &HistoryOptions,
) -> BlobScan {
    let bytes = match repo.read(oid, opts.max_file_size) {
        Ok(BlobRead::Bytes(b)) => b,
        Ok(BlobRead::TooLarge(size)) => {
            return BlobScan {
                too_large: Some(size),
                ..Default::default()
            }
        }
        Err(e) => {
            return BlobScan {
                error: Some(e.to_string()),
                ..Default::default()
            }
        }
    };
    // The first path a blob appeared at decides how it is read (code or config, archive).
    let out = scanner.scan_expanded(&path, &bytes, &opts.limits, scratch);
    scanned(&bytes, out)
}

/// What scanning a blob's bytes gave.
pub(super) fn scanned(bytes: &[u8], out: super::expand::Expanded) -> BlobScan {
    BlobScan {
        findings: out.findings,
        bytes: out.bytes,
        binary: out
            .binary_skipped
            .max(u64::from(looks_binary(bytes) && out.bytes == 0)),
        warnings: out.warnings,
        ..Default::default()
    }
}

/// A blob's findings at every path history introduced it, each with its commit. In range and
/// staged scans, a secret the previous version of the path already held is not new.
fn attribute(
    repo: &git2::Repository,
    plan: &Plan,
    pb: &PlannedBlob,
    found: &[Finding],
    opts: &HistoryOptions,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for intro in &pb.intros {
        let before = intro
            .before
            .and_then(|oid| match repo.read(oid, opts.max_file_size) {
                Ok(BlobRead::Bytes(b)) => Some(b),
                _ => None,
            });
        for f in found {
            if before
                .as_ref()
                .is_some_and(|b| memchr::memmem::find(b, f.secret.as_bytes()).is_some())
            {
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
            out.push(f);
        }
    }
    out
}

/// Merges per-blob outcomes: one finding per (path, rule, secret), kept at its first commit
/// in history order, with a count of the later commits that introduced it again.
fn collect(
    plan: &Plan,
    mut scans: HashMap<git2::Oid, BlobScan>,
    attribute: impl Fn(&PlannedBlob, &[Finding]) -> Vec<Finding>,
) -> ScanResult {
    let mut summary = Summary::default();
    let commit_rank: HashMap<&str, usize> = plan
        .commits
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut best: HashMap<(String, String, String), Finding> = HashMap::new();
    for pb in &plan.blobs {
        let out = scans.remove(&pb.oid).unwrap_or_default();
        if let Some(e) = out.error {
            // Named with where history first put it, so a user can find the damage.
            let first = &pb.intros[0];
            let whence = match first.commit {
                Some(i) => format!("{}, commit {}", first.path, plan.commits[i].id),
                None => first.path.clone(),
            };
            summary.errors.push(InputError {
                path: format!("blob {} ({whence})", pb.oid),
                cause: e,
            });
        }
        if let Some(size) = out.too_large {
            summary.too_large.push(Skipped {
                path: pb.intros[0].path.clone(),
                size,
            });
        }
        summary.binary_skipped += out.binary;
        summary.warnings.extend(out.warnings);
        if out.bytes > 0 {
            summary.files += 1;
            summary.bytes += out.bytes;
        }
        let attributed = if out.findings.is_empty() {
            Vec::new()
        } else {
            attribute(pb, &out.findings)
        };
        for f in attributed {
            let rank = |f: &Finding| {
                f.commit
                    .as_ref()
                    .map_or(usize::MAX, |c| commit_rank[c.id.as_str()])
            };
            let key = (f.location(), f.rule_id.clone(), f.fingerprint.clone());
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
    // Versions of one path can hold different secrets at one position: the fingerprint
    // breaks the tie, so the order does not depend on hash-map iteration.
    findings.sort_by(|a, b| {
        (&a.path, &a.member, a.start, &a.rule_id, &a.fingerprint).cmp(&(
            &b.path,
            &b.member,
            b.start,
            &b.rule_id,
            &b.fingerprint,
        ))
    });
    ScanResult {
        findings,
        summary,
        labels: Vec::new(),
    }
}
