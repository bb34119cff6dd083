//! Git history: which blobs to scan and where each was introduced. Every unique blob is listed
//! once with each (path, commit) that first introduced it, so the scanner reads it once.
//!
//! Reading blob bytes goes through [`BlobSource`], so the libgit2 backend can be swapped
//! without touching the scanner or detectors.

use git2::{Delta, DiffOptions, ObjectType, Oid, Repository, RepositoryOpenFlags, Sort, Tree};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::Path;

/// What part of the repository to scan.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Everything reachable from every ref (or from one branch).
    History {
        /// Only history reachable from this ref.
        branch: Option<String>,
        /// Also scan blobs present in the object database but unreachable from any ref.
        all_objects: bool,
    },
    /// Commits in `head` not in the merge base of `base` and `head`, as a pull request shows.
    Range {
        /// The base revision.
        base: String,
        /// The head revision.
        head: String,
    },
    /// What the index holds for paths added or modified against HEAD (pre-commit).
    Staged,
}

/// A commit that introduced at least one blob.
#[derive(Debug, Clone)]
pub struct CommitMeta {
    /// Full hex id.
    pub id: String,
    /// Author time, unix seconds.
    pub time: i64,
    /// `Name <email>`.
    pub author: String,
}

/// One place a blob first appeared.
#[derive(Debug, Clone)]
pub struct Introduction {
    /// Path in the repository.
    pub path: String,
    /// Index into [`Plan::commits`]; `None` for staged content and unreachable blobs.
    pub commit: Option<usize>,
    /// The blob at this path before the change (range and staged modes): a secret already
    /// there is not new.
    pub before: Option<Oid>,
}

/// A unique blob and everywhere it was introduced, in history order.
#[derive(Debug, Clone)]
pub struct PlannedBlob {
    /// The blob.
    pub oid: Oid,
    /// Where it first appeared at each path.
    pub intros: Vec<Introduction>,
}

/// Everything the scan needs to know about the repository.
#[derive(Debug, Default)]
pub struct Plan {
    /// Commits referenced by introductions, in history order (parents first).
    pub commits: Vec<CommitMeta>,
    /// Unique blobs to scan.
    pub blobs: Vec<PlannedBlob>,
    /// Whether `before` blobs must be consulted (range and staged modes).
    pub incremental: bool,
    /// One-line warnings (shallow clone, …).
    pub warnings: Vec<String>,
    /// Objects that could not be read: (object or path, cause).
    pub errors: Vec<(String, String)>,
}

/// Opens a repository (work tree or bare) at exactly `path`.
pub fn open(path: &Path) -> Result<Repository, git2::Error> {
    Repository::open_ext(
        path,
        RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&Path>(),
    )
    .or_else(|_| Repository::open_bare(path))
}

/// Turns off libgit2's re-hashing of every object it reads: the scan reads each object once
/// and a corrupt one still fails to inflate, while the SHA-1 (collision-detecting) check cost
/// more than the scan itself on long histories.
pub fn tune_libgit2() {
    git2::opts::strict_hash_verification(false);
    // Each worker holds a repository; cap libgit2's shared object cache so a long history
    // stays within a few hundred MiB.
    // SAFETY: called at start-up, before any thread uses libgit2 (libgit2's requirement for
    // global options).
    let _ = unsafe { git2::opts::set_cache_max_size(LIBGIT2_CACHE_BYTES) };
    // Pack files are memory-mapped in windows; bound how much is mapped at once.
    // SAFETY: as above.
    let _ = unsafe { git2::opts::set_mwindow_size(LIBGIT2_MAPPED_BYTES / 4) };
    // SAFETY: as above.
    let _ = unsafe { git2::opts::set_mwindow_mapped_limit(LIBGIT2_MAPPED_BYTES) };
}

/// libgit2's object cache budget (shared by all repositories in the process).
const LIBGIT2_CACHE_BYTES: isize = 16 * 1024 * 1024;
/// How much of the pack files libgit2 keeps mapped at once.
const LIBGIT2_MAPPED_BYTES: usize = 64 * 1024 * 1024;

/// Stops the user's and the system's git configuration from changing what is scanned
/// (e.g. `core.*` settings or replace refs). Call once, before any repository is opened.
pub fn isolate_from_user_config() {
    for level in [
        git2::ConfigLevel::System,
        git2::ConfigLevel::XDG,
        git2::ConfigLevel::Global,
        git2::ConfigLevel::ProgramData,
    ] {
        // SAFETY: called at start-up before any other thread uses libgit2, as the function
        // requires; the empty path is a valid value meaning "no configuration files".
        let _ = unsafe { git2::opts::set_search_path(level, "") };
    }
}

/// Lists what `mode` must scan in `repo`.
pub fn plan(repo: &Repository, mode: &Mode) -> Result<Plan, git2::Error> {
    plan_streaming(repo, mode, &mut |_, _| {})
}

/// Like [`plan`], calling `on_new` with each blob id the moment it is first listed, so a
/// scanner can work while history is still being walked.
pub fn plan_streaming(
    repo: &Repository,
    mode: &Mode,
    on_new: &mut dyn FnMut(Oid, &str),
) -> Result<Plan, git2::Error> {
    let mut builder = Builder {
        plan: Plan::default(),
        index: HashMap::default(),
        seen: HashSet::default(),
        on_new,
    };
    if repo.is_shallow() {
        builder.plan.warnings.push(
            "shallow clone: history is incomplete; in CI check out with `fetch-depth: 0`".into(),
        );
    }
    match mode {
        Mode::History {
            branch,
            all_objects,
        } => {
            let commits = history_commits(repo, branch.as_deref())?;
            builder.walk_commits(repo, &commits, false);
            if *all_objects {
                builder.add_unreachable(repo)?;
            }
        }
        Mode::Range { base, head } => {
            let commits = range_commits(repo, base, head)?;
            builder.plan.incremental = true;
            builder.walk_commits(repo, &commits, true);
        }
        Mode::Staged => {
            builder.plan.incremental = true;
            builder.add_staged(repo)?;
        }
    }
    Ok(builder.finish())
}

fn history_commits(repo: &Repository, branch: Option<&str>) -> Result<Vec<Oid>, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    match branch {
        Some(name) => {
            let obj = repo.revparse_single(name)?;
            walk.push(obj.peel_to_commit()?.id())?;
        }
        None => {
            // Every ref: branches, tags, remotes, notes and the stash. Refs that do not peel to
            // a commit (a tag of a blob) are skipped by libgit2's glob push.
            walk.push_glob("*")?;
            if repo.head().is_ok() {
                walk.push_head()?;
            }
        }
    }
    walk.collect()
}

fn range_commits(repo: &Repository, base: &str, head: &str) -> Result<Vec<Oid>, git2::Error> {
    let head = repo.revparse_single(head)?.peel_to_commit()?.id();
    let base = repo.revparse_single(base)?.peel_to_commit()?.id();
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    walk.push(head)?;
    if let Ok(mb) = repo.merge_base(base, head) {
        walk.hide(mb)?;
    }
    walk.collect()
}

struct Builder<'a> {
    plan: Plan,
    index: HashMap<Oid, usize>,
    seen: HashSet<(Oid, String)>,
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

    /// Diffs each commit against its first parent, in history order, so each blob is
    /// attributed to the first commit that put it at a path. Merges add only what is new to
    /// them because the side branch's commits come first in the walk. (Parallel diffing does
    /// not pay: libgit2 serialises pack access, and the scan already uses the other cores.)
    fn walk_commits(&mut self, repo: &Repository, commits: &[Oid], with_before: bool) {
        for &id in commits {
            match commit_changes(repo, id) {
                Ok(c) if c.blobs.is_empty() => {}
                Ok(c) => {
                    self.plan.commits.push(c.meta);
                    let ci = self.plan.commits.len() - 1;
                    for (oid, path, before) in c.blobs {
                        self.add(oid, path, Some(ci), before.filter(|_| with_before));
                    }
                }
                Err(e) => self
                    .plan
                    .errors
                    .push((format!("commit {id}"), e.message().to_string())),
            }
        }
    }

    fn add_staged(&mut self, repo: &Repository) -> Result<(), git2::Error> {
        let index = repo.index()?;
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

/// One commit's metadata and the blobs it adds or modifies against its first parent.
struct CommitChanges {
    meta: CommitMeta,
    blobs: Vec<(Oid, String, Option<Oid>)>,
}

fn commit_changes(repo: &Repository, id: Oid) -> Result<CommitChanges, git2::Error> {
    let commit = repo.find_commit(id)?;
    let tree = commit.tree()?;
    let parent_tree = match commit.parent(0) {
        Ok(p) => Some(p.tree()?),
        Err(_) => None,
    };
    let blobs = changed_blobs(repo, parent_tree.as_ref(), Some(&tree))?;
    let author = commit.author();
    let meta = CommitMeta {
        id: id.to_string(),
        time: author.when().seconds(),
        author: format!(
            "{} <{}>",
            author.name().unwrap_or(""),
            author.email().unwrap_or("")
        ),
    };
    Ok(CommitChanges { meta, blobs })
}

/// (new blob, path, old blob) for every added or modified file between two trees. Subtrees
/// with equal ids are skipped without being read, which is what makes a long history cheap:
/// libgit2's tree diff visits every entry of both trees.
fn changed_blobs(
    repo: &Repository,
    old: Option<&Tree>,
    new: Option<&Tree>,
) -> Result<Vec<(Oid, String, Option<Oid>)>, git2::Error> {
    let mut out = Vec::new();
    if let Some(new) = new {
        diff_trees(repo, old, new, "", &mut out)?;
    }
    Ok(out)
}

fn diff_trees(
    repo: &Repository,
    old: Option<&Tree>,
    new: &Tree,
    prefix: &str,
    out: &mut Vec<(Oid, String, Option<Oid>)>,
) -> Result<(), git2::Error> {
    // Both trees are in git's entry order, so one merge pass pairs entries of the same name.
    let mut olds = old.map(|t| t.iter().peekable());
    for entry in new.iter() {
        let mut prior = None;
        if let Some(olds) = olds.as_mut() {
            while let Some(o) = olds.peek() {
                match git_order(o, &entry) {
                    std::cmp::Ordering::Less => {
                        olds.next();
                    }
                    std::cmp::Ordering::Equal => {
                        prior = Some((o.id(), o.kind()));
                        olds.next();
                        break;
                    }
                    std::cmp::Ordering::Greater => break,
                }
            }
        }
        if prior.is_some_and(|(id, _)| id == entry.id()) {
            continue;
        }
        visit_changed(repo, &entry, prior, prefix, out)?;
    }
    Ok(())
}

/// Git sorts tree entries by name, comparing a subtree's name as if it ended in `/`.
fn git_order(a: &git2::TreeEntry<'_>, b: &git2::TreeEntry<'_>) -> std::cmp::Ordering {
    let key = |e: &git2::TreeEntry<'_>| e.kind() == Some(ObjectType::Tree);
    let (an, bn) = (a.name_bytes(), b.name_bytes());
    let n = an.len().min(bn.len());
    an[..n].cmp(&bn[..n]).then_with(|| {
        let next =
            |name: &[u8], tree: bool| name.get(n).copied().unwrap_or(if tree { b'/' } else { 0 });
        next(an, key(a)).cmp(&next(bn, key(b)))
    })
}

fn visit_changed(
    repo: &Repository,
    entry: &git2::TreeEntry<'_>,
    prior: Option<(Oid, Option<ObjectType>)>,
    prefix: &str,
    out: &mut Vec<(Oid, String, Option<Oid>)>,
) -> Result<(), git2::Error> {
    let path = format!("{prefix}{}", String::from_utf8_lossy(entry.name_bytes()));
    match entry.kind() {
        Some(ObjectType::Tree) => {
            let sub = repo.find_tree(entry.id())?;
            let old_sub = match prior {
                Some((id, Some(ObjectType::Tree))) => Some(repo.find_tree(id)?),
                _ => None,
            };
            diff_trees(repo, old_sub.as_ref(), &sub, &format!("{path}/"), out)
        }
        // Symlinks (0o120000) hold a path, not content; submodules are other repositories.
        Some(ObjectType::Blob) if entry.filemode() != 0o120000 => {
            let old_blob = prior.and_then(|(id, k)| (k == Some(ObjectType::Blob)).then_some(id));
            out.push((entry.id(), path, old_blob));
            Ok(())
        }
        _ => Ok(()),
    }
}

fn deltas(diff: &git2::Diff<'_>) -> Vec<(Oid, String, Option<Oid>)> {
    diff.deltas()
        .filter(|d| {
            matches!(
                d.status(),
                Delta::Added | Delta::Modified | Delta::Typechange | Delta::Copied | Delta::Renamed
            )
        })
        .filter(|d| d.new_file().mode() != git2::FileMode::Commit)
        .filter_map(|d| {
            let new = d.new_file();
            let path = new.path()?.to_string_lossy().replace('\\', "/");
            let old = d.old_file().id();
            Some((new.id(), path, (!old.is_zero()).then_some(old)))
        })
        .collect()
}

/// What reading a blob gave.
pub enum BlobRead {
    /// The content.
    Bytes(Vec<u8>),
    /// Over the size limit; not read.
    TooLarge(u64),
}

/// Reads blob content by id. One per worker thread: libgit2 repositories are not `Sync`.
pub trait BlobSource {
    /// Reads `oid`, or reports its size when over `max` bytes.
    fn read(&self, oid: Oid, max: u64) -> Result<BlobRead, String>;
}

impl BlobSource for Repository {
    fn read(&self, oid: Oid, max: u64) -> Result<BlobRead, String> {
        let odb = self.odb().map_err(|e| e.message().to_string())?;
        let (size, kind) = odb.read_header(oid).map_err(|e| e.message().to_string())?;
        if kind != ObjectType::Blob {
            return Err(format!("object {oid} is a {kind}, not a blob"));
        }
        if size as u64 > max {
            return Ok(BlobRead::TooLarge(size as u64));
        }
        let obj = odb.read(oid).map_err(|e| e.message().to_string())?;
        Ok(BlobRead::Bytes(obj.data().to_vec()))
    }
}
