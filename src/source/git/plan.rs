//! The plan of a history scan: which blobs to read, and for each the commits and paths that
//! first introduced it. Commits are walked once, trees diffed iteratively, unreadable objects
//! recorded and stepped over.

use super::diff::{commit_changes, deltas, Bad, CommitChanges};
use super::objects::{shallow_commits, Objects};
use super::pack::{Cache, Pack};
use super::revs::{ref_tips, revwalk, walk_tolerant, Tips};
use super::{GitError, Introduction, Mode, Plan, PlannedBlob};
use git2::{DiffOptions, ObjectType, Oid, Repository, Tree};
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::Path;

/// What a shallow clone's user must do to get the history a scan needs.
const SHALLOW_ADVICE: &str = "history is incomplete: fetch more with `git fetch --deepen=N` \
     (or all of it with `git fetch --unshallow`); in GitHub Actions check out with \
     `fetch-depth: 0`";

/// Lists what `mode` must scan in `repo`, calling `on_new` with each blob id the moment it
/// is first listed, so a scanner can work while history is still being walked. An object that cannot be read
/// (corrupt, or in a truncated pack) is recorded once in [`Plan::errors`] and the walk goes
/// on; only an unreadable starting point (a revision that does not resolve, the index) is an
/// `Err`.
pub fn plan(
    repo: &Repository,
    mode: &Mode,
    on_new: &mut dyn FnMut(Oid, &str),
) -> Result<Plan, GitError> {
    plan_with(repo, mode, on_new, None, &|| {}, &[])
}

/// Commits and trees one planning worker keeps resolved: a file's versions are deltas of
/// one another, so walking commits in order finds most bases here.
const CACHE_BYTES: usize = 8 << 20;

/// Opens one more handle on the repository being planned, for a parallel worker.
pub type Opener<'a> = dyn Fn() -> Option<Repository> + Sync + 'a;

/// [`plan`], diffing a history's commits in parallel when `open` is given (see
/// `walk_commits`), calling `on_commit` (progress) as each commit is diffed, and reading
/// commits and trees from `packs` (the repository's, opened by the caller) before libgit2.
pub fn plan_with(
    repo: &Repository,
    mode: &Mode,
    on_new: &mut dyn FnMut(Oid, &str),
    open: Option<&Opener<'_>>,
    on_commit: &(dyn Fn() + Sync),
    packs: &[Pack],
) -> Result<Plan, GitError> {
    let mut builder = Builder {
        packs,
        shallow: shallow_commits(repo),
        plan: Plan::default(),
        index: HashMap::default(),
        seen: HashSet::default(),
        reported: HashSet::default(),
        on_new,
    };
    if repo.is_shallow() {
        builder
            .plan
            .warnings
            .push(format!("shallow clone: {SHALLOW_ADVICE}"));
    }
    match mode {
        Mode::History {
            branch,
            all_objects,
        } => {
            let commits = builder.history_commits(repo, branch.as_deref())?;
            builder.walk_commits(repo, &commits, false, open, on_commit);
            if *all_objects {
                builder.add_unreachable(repo)?;
            }
        }
        Mode::Range { base, head } => {
            builder.plan.incremental = true;
            match builder.range_commits(repo, base, head)? {
                RangeWalk::Commits(commits) => {
                    builder.walk_commits(repo, &commits, true, None, on_commit);
                }
                RangeWalk::Trees { base, head } => {
                    builder.add_changes(repo, head, Some(base), true);
                }
            }
        }
        Mode::Staged { index } => {
            builder.plan.incremental = true;
            builder.add_staged(repo, index.as_deref())?;
        }
    }
    Ok(builder.finish())
}

/// The commit `rev` names. In a shallow clone, a revision beyond the cut says so and how to
/// fetch it, instead of libgit2's bare "parent 0 does not exist".
fn resolve(repo: &Repository, rev: &str) -> Result<Oid, git2::Error> {
    repo.revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map(|c| c.id())
        .map_err(|e| {
            if repo.is_shallow() {
                git2::Error::from_str(&format!(
                    "{rev}: {} (this is a shallow clone: {SHALLOW_ADVICE})",
                    e.message()
                ))
            } else {
                e
            }
        })
}

/// The commits a range scan walks, or, when a shallow clone lacks their merge base, the two
/// ends whose trees are compared directly.
enum RangeWalk {
    Commits(Vec<Oid>),
    Trees { base: Oid, head: Oid },
}

struct Builder<'a> {
    packs: &'a [Pack],
    shallow: HashSet<Oid>,
    plan: Plan,
    index: HashMap<Oid, usize>,
    seen: HashSet<(Oid, String)>,
    /// Unreadable objects already in `plan.errors`: each is named once, however many
    /// commits share it.
    reported: HashSet<Oid>,
    /// Told about each blob (and its first path) the first time it is listed, so scanning
    /// can start at once.
    on_new: &'a mut dyn FnMut(Oid, &str),
}

impl Builder<'_> {
    fn add(&mut self, oid: Oid, path: String, commit: Option<usize>, before: Option<Oid>) {
        if !self.seen.insert((oid, path.clone())) {
            return;
        }
        let slot = match self.index.get(&oid) {
            Some(&slot) => slot,
            None => {
                self.plan.blobs.push(PlannedBlob {
                    oid,
                    intros: Vec::new(),
                });
                self.index.insert(oid, self.plan.blobs.len() - 1);
                (self.on_new)(oid, &path);
                self.plan.blobs.len() - 1
            }
        };
        self.plan.blobs[slot].intros.push(Introduction {
            path,
            commit,
            before,
        });
    }

    /// Records an unreadable object once, with where it was met.
    fn unreadable(&mut self, bad: Bad, whence: String) {
        if self.reported.insert(bad.oid) {
            self.plan
                .errors
                .push((format!("{} {}{whence}", bad.kind, bad.oid), bad.cause));
        }
    }

    /// Every commit reachable from `branch` (or from every ref), parents first.
    fn history_commits(
        &mut self,
        repo: &Repository,
        branch: Option<&str>,
    ) -> Result<Vec<Oid>, git2::Error> {
        let tips = match branch {
            Some(name) => Tips::One(resolve(repo, name)?),
            None => Tips::AllRefs,
        };
        match revwalk(repo, tips, None) {
            Ok(commits) => Ok(commits),
            // libgit2's walk stops at the first commit it cannot read (a corrupt object, a
            // truncated pack); walk again one commit at a time so the rest is still scanned.
            Err(_) => {
                let tips = match tips {
                    Tips::One(id) => vec![id],
                    Tips::AllRefs => ref_tips(repo, &mut |b, w| self.unreadable(b, w)),
                };
                Ok(self.walk_tolerant(repo, tips, &HashSet::default()))
            }
        }
    }

    /// Commits in `head` not reachable from the merge base with `base`.
    fn range_commits(
        &mut self,
        repo: &Repository,
        base: &str,
        head: &str,
    ) -> Result<RangeWalk, git2::Error> {
        let head = resolve(repo, head)?;
        let base = resolve(repo, base)?;
        let mb = match repo.merge_base(base, head) {
            Ok(mb) => Some(mb),
            // The clone was cut above the common ancestor: compare the two trees, as
            // `git diff BASE HEAD` does, rather than report all of head's history as new.
            Err(e) if e.code() == git2::ErrorCode::NotFound && repo.is_shallow() => {
                self.plan.warnings.push(format!(
                    "the merge base of {base} and {head} is not in this shallow clone; \
                     scanning what {head} changes against {base} directly ({SHALLOW_ADVICE})"
                ));
                return Ok(RangeWalk::Trees { base, head });
            }
            // Unrelated histories: everything head reaches is new.
            Err(e) if e.code() == git2::ErrorCode::NotFound => None,
            Err(_) => return Ok(RangeWalk::Commits(self.range_tolerant(repo, base, head))),
        };
        match revwalk(repo, Tips::One(head), mb) {
            Ok(commits) => Ok(RangeWalk::Commits(commits)),
            Err(_) => Ok(RangeWalk::Commits(self.range_tolerant(repo, base, head))),
        }
    }

    /// [`walk_tolerant`], naming each unreadable commit in the plan.
    fn walk_tolerant(
        &mut self,
        repo: &Repository,
        tips: Vec<Oid>,
        hidden: &HashSet<Oid>,
    ) -> Vec<Oid> {
        walk_tolerant(repo, tips, hidden, &mut |b, w| self.unreadable(b, w))
    }

    /// A range when some commit cannot be read: what `head` reaches minus what `base` reaches
    /// (the same set as minus the merge base, which libgit2 could not compute).
    fn range_tolerant(&mut self, repo: &Repository, base: Oid, head: Oid) -> Vec<Oid> {
        let hidden: HashSet<Oid> = self
            .walk_tolerant(repo, vec![base], &HashSet::default())
            .into_iter()
            .collect();
        self.walk_tolerant(repo, vec![head], &hidden)
    }

    /// Diffs each commit against its first parent, in history order, so each blob is
    /// attributed to the first commit that put it at a path. Merges add only what is new to
    /// them because the side branch's commits come first in the walk. With `open`, commits
    /// are diffed on rayon's workers, each with its own repository, and merged in order:
    /// worth it only when nothing else runs meanwhile, as the scan does while streaming.
    fn walk_commits(
        &mut self,
        repo: &Repository,
        commits: &[Oid],
        with_before: bool,
        open: Option<&Opener<'_>>,
        on_commit: &(dyn Fn() + Sync),
    ) {
        let Some(open) = open else {
            let mut cache = Cache::new(CACHE_BYTES);
            for &id in commits {
                let c = {
                    let mut objects = Objects::new(repo, self.packs, &mut cache, &self.shallow);
                    commit_changes(&mut objects, id, None)
                };
                self.merge_changes(id, c, with_before);
                on_commit();
            }
            return;
        };
        let (packs, shallow) = (self.packs, &self.shallow);
        // Contiguous runs of commits per worker, so each finds its trees' bases cached.
        let changes: Vec<_> = commits
            .par_iter()
            .with_min_len(256)
            .map_init(
                || (open(), Cache::new(CACHE_BYTES)),
                |(repo, cache), &id| {
                    let c = match repo {
                        Some(repo) => {
                            commit_changes(&mut Objects::new(repo, packs, cache, shallow), id, None)
                        }
                        None => Err(git2::Error::from_str("cannot open repository")),
                    };
                    on_commit();
                    c
                },
            )
            .collect();
        for (&id, c) in commits.iter().zip(changes) {
            self.merge_changes(id, c, with_before);
        }
    }

    /// Lists what commit `id` adds against `against` (default: its first parent).
    fn add_changes(&mut self, repo: &Repository, id: Oid, against: Option<Oid>, with_before: bool) {
        let mut cache = Cache::new(CACHE_BYTES);
        let mut objects = Objects::new(repo, self.packs, &mut cache, &self.shallow);
        let c = commit_changes(&mut objects, id, against);
        self.merge_changes(id, c, with_before);
    }

    fn merge_changes(
        &mut self,
        id: Oid,
        changes: Result<CommitChanges, git2::Error>,
        with_before: bool,
    ) {
        let c = match changes {
            Ok(c) => c,
            Err(e) => return self.unreadable(Bad::new("commit", id, "", &e), String::new()),
        };
        for bad in c.bad {
            let whence = match (bad.kind, bad.path.as_str()) {
                ("commit", _) => format!(" (parent of commit {id})"),
                (_, "") => format!(" (commit {id})"),
                (_, path) => format!(" (commit {id}, {path})"),
            };
            self.unreadable(bad, whence);
        }
        if c.blobs.is_empty() {
            return;
        }
        self.plan.commits.push(c.meta);
        let ci = self.plan.commits.len() - 1;
        for (oid, path, before) in c.blobs {
            self.add(oid, path, Some(ci), before.filter(|_| with_before));
        }
    }

    /// The index (git's own, or the file `GIT_INDEX_FILE` names in a hook) against HEAD.
    fn add_staged(&mut self, repo: &Repository, index: Option<&Path>) -> Result<(), git2::Error> {
        let own = repo.path().join("index");
        if let Some(changes) = super::staged::changes(repo, index.unwrap_or(&own)) {
            for (oid, path, before) in changes {
                self.add(oid, path, None, before);
            }
            return Ok(());
        }
        let index = match index {
            Some(path) => git2::Index::open(path).map_err(|e| {
                git2::Error::from_str(&format!("index {}: {}", path.display(), e.message()))
            })?,
            None => repo.index()?,
        };
        let head_tree: Option<Tree> = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
        let mut opts = DiffOptions::new();
        opts.skip_binary_check(true);
        let diff = repo.diff_tree_to_index(head_tree.as_ref(), Some(&index), Some(&mut opts))?;
        for (oid, path, before) in deltas(&diff) {
            self.add(oid, path, None, before);
        }
        Ok(())
    }

    /// Blobs in the object database that no walked commit introduced.
    fn add_unreachable(&mut self, repo: &Repository) -> Result<(), git2::Error> {
        let odb = repo.odb()?;
        let mut loose = Vec::new();
        odb.foreach(|oid| {
            loose.push(*oid);
            true
        })?;
        for oid in loose {
            if self.index.contains_key(&oid) {
                continue;
            }
            if let Ok((_, ObjectType::Blob)) = odb.read_header(oid) {
                self.add(oid, format!("(unreachable)/{oid}"), None, None);
            }
        }
        Ok(())
    }

    fn finish(self) -> Plan {
        self.plan
    }
}
