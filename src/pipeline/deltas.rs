//! Full-history scans read blobs straight from the packs, in delta order: each version is
//! rebuilt once from its base, and only what its delta inserts (plus the seams between
//! instructions) is searched for keywords; a keyword lying wholly in copied bytes is the
//! base's hit, moved. Rule regexes run in the windows around the hits, except in windows a
//! copy took whole from a window of the base: those give the base's matches, moved
//! (`matcher/carry.rs`). Everything after that runs on the whole blob as before, so
//! findings are those of a full search of every version (`--no-delta-scan`), which the
//! tests check. Blobs the pack reader does not reach (loose objects, alternates, damaged or
//! oversized objects) are read through libgit2 as in the other modes.

use super::history::{scan_blob, scanned, BlobScan, HistoryOptions};
use super::progress::Progress;
use super::Scanner;
use crate::matcher::{Found, Hit, Scratch};
use crate::source::git::pack::{Op, Pack, Visit};
use crate::source::git::{self, Plan};
use git2::Oid;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Bases one worker keeps in memory while it walks a delta tree; a deeper chain of large
/// versions has the rest of its subtree read through libgit2 instead.
const HELD_BYTES: usize = 32 << 20;

/// Scans every blob of `plan`, those in packs in delta order, the rest one by one.
pub(super) fn scan(
    scanner: &Scanner,
    repo_path: &Path,
    packs: &[Pack],
    plan: &Plan,
    opts: &HistoryOptions,
    bar: &Progress,
) -> HashMap<Oid, BlobScan> {
    let wanted: HashMap<Oid, usize> = plan
        .blobs
        .iter()
        .enumerate()
        .map(|(i, b)| (b.oid, i))
        .collect();
    let claimed: Vec<AtomicBool> = plan.blobs.iter().map(|_| AtomicBool::new(false)).collect();
    let claim = |oid: &Oid| {
        wanted
            .get(oid)
            .copied()
            .filter(|&i| !claimed[i].swap(true, Ordering::Relaxed))
    };
    let mut scans: HashMap<Oid, BlobScan> = HashMap::new();
    for pack in packs {
        scans.extend(walk_pack(scanner, pack, plan, opts, bar, &claim));
    }
    let rest: Vec<usize> = (0..plan.blobs.len())
        .filter(|&i| !claimed[i].load(Ordering::Relaxed))
        .collect();
    let more: Vec<(Oid, BlobScan)> = rest
        .par_iter()
        .map_init(
            || (git::open(repo_path).ok(), Scratch::default()),
            |(repo, scratch), &i| {
                let pb = &plan.blobs[i];
                let path = pb.intros[0].path.clone();
                let scan = match repo {
                    Some(repo) => scan_blob(scanner, repo, scratch, pb.oid, path, opts),
                    None => BlobScan::failed("cannot open repository"),
                };
                bar.tick(scan.bytes);
                (pb.oid, scan)
            },
        )
        .collect();
    scans.extend(more);
    scans
}

/// What a version hands to the deltas built on it.
struct Carried {
    hits: Vec<Hit>,
    found: Found,
}

/// Blob bytes copied out of walks and waiting to be scanned; past this a walk scans what
/// it reaches itself, so a fast walk cannot fill memory with copies.
const QUEUED_BYTES: usize = 32 << 20;

/// Walks one pack's blob delta trees in parallel, scanning each planned blob `claim` gives.
/// One file's versions form one long chain, rebuilt in order by one walk: its blobs are
/// handed to other workers to scan, so a history dominated by one file still uses every
/// core.
fn walk_pack(
    scanner: &Scanner,
    pack: &Pack,
    plan: &Plan,
    opts: &HistoryOptions,
    bar: &Progress,
    claim: &(dyn Fn(&Oid) -> Option<usize> + Sync),
) -> Vec<(Oid, BlobScan)> {
    let matcher = scanner.matcher();
    // Every version's keyword hits and rule matches, from its base's through the delta.
    let carry = |bytes: &[u8], parent: Option<(&Carried, &[Op])>, scratch: &mut Scratch| {
        let hits = match parent {
            None => matcher.hits(bytes),
            Some((base, ops)) => matcher.hits_through(&base.hits, bytes, ops),
        };
        let parent = parent.map(|(base, ops)| (&base.found, ops));
        let found = matcher.find_through(&scanner.rules, bytes, &hits, parent, scratch);
        Carried { hits, found }
    };
    let done = Mutex::new(Vec::new());
    let queued = AtomicUsize::new(0);
    let scan = |i: usize, bytes: &[u8], found: &Found, scratch: &mut Scratch| {
        let pb = &plan.blobs[i];
        let found =
            scanner.scan_expanded_found(&pb.intros[0].path, bytes, &opts.limits, scratch, found);
        let scan = scanned(bytes, found);
        bar.tick(scan.bytes);
        done.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((pb.oid, scan));
    };
    rayon::scope(|s| {
        for &root in pack.roots() {
            let (scan, queued) = (&scan, &queued);
            s.spawn(move |s| {
                let mut scratch = Scratch::default();
                let mut visit = |v: Visit<'_, Carried>| {
                    let carried = carry(v.bytes, v.parent, &mut scratch);
                    let Some(i) = claim(&v.oid) else {
                        return carried;
                    };
                    let len = v.bytes.len();
                    if queued.fetch_add(len, Ordering::Relaxed) + len > QUEUED_BYTES {
                        queued.fetch_sub(len, Ordering::Relaxed);
                        scan(i, v.bytes, &carried.found, &mut scratch);
                        return carried;
                    }
                    let (bytes, copy) = (v.bytes.to_vec(), carried.found.clone());
                    s.spawn(move |_| {
                        scan(i, &bytes, &copy, &mut Scratch::default());
                        queued.fetch_sub(len, Ordering::Relaxed);
                    });
                    carried
                };
                pack.walk(root, opts.max_file_size, HELD_BYTES, &mut visit);
            });
        }
    });
    done.into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
