//! Git history: which blobs to scan and where each was introduced. Every unique blob is listed
//! once with each (path, commit) that first introduced it, so the scanner reads it once.
//!
//! Reading blob bytes goes through [`BlobSource`], so the libgit2 backend can be swapped
//! without touching the scanner or detectors.

mod diff;
mod index;
mod objects;
pub mod pack;
mod plan;
mod remote;
mod revs;
mod staged;
#[cfg(test)]
mod test_git;

pub use plan::{plan, plan_with, Opener};
pub use remote::{origin_label, without_credentials};

use git2::{ObjectType, Oid, Repository, RepositoryOpenFlags};
use std::path::{Path, PathBuf};

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
    Staged {
        /// The index file git gives a hook (`GIT_INDEX_FILE`: a temporary index during
        /// `git commit -a`, `git commit PATH`); `None` reads the repository's own index.
        index: Option<PathBuf>,
    },
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

/// Opens a repository (work tree, linked work tree or bare) at exactly `path`. Object
/// directories git names in the environment (`GIT_OBJECT_DIRECTORY`,
/// `GIT_ALTERNATE_OBJECT_DIRECTORIES`, as in a hook during a push's quarantine) are read too,
/// as git reads them; `objects/info/alternates` is libgit2's own.
pub fn open(path: &Path) -> Result<Repository, GitError> {
    let repo = Repository::open_ext(
        path,
        RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&Path>(),
    )
    .or_else(|_| Repository::open_bare(path))?;
    let dirs: Vec<PathBuf> = ["GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES"]
        .iter()
        .filter_map(std::env::var_os)
        .flat_map(|v| std::env::split_paths(&v).collect::<Vec<_>>())
        .filter(|d| !d.as_os_str().is_empty())
        .collect();
    if !dirs.is_empty() {
        let odb = repo.odb()?;
        for dir in dirs {
            if let Some(dir) = dir.to_str() {
                odb.add_disk_alternate(dir)?;
            }
        }
    }
    Ok(repo)
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

/// Lets a repository owned by another user be opened, as a container mounting the caller's
/// checkout (`docker run -v "$PWD:/src"`) needs. git's ownership check guards against a
/// hostile repository's configuration running commands (`core.fsmonitor`, hooks); leakhound
/// runs none and only reads objects. Call once, before any repository is opened.
pub fn trust_repository_owners() {
    // SAFETY: called at start-up before any other thread uses libgit2, as the function
    // requires.
    let _ = unsafe { git2::opts::set_verify_owner_validation(false) };
}

/// Why a repository or one of its objects cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// libgit2's own error, by its message.
    #[error("{}", .0.message())]
    Git(#[from] git2::Error),
    /// An id that should name a blob names another kind of object.
    #[error("object {oid} is a {kind}, not a blob")]
    NotABlob {
        /// The object.
        oid: Oid,
        /// What it is.
        kind: ObjectType,
    },
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
    fn read(&self, oid: Oid, max: u64) -> Result<BlobRead, GitError>;
}

impl BlobSource for Repository {
    fn read(&self, oid: Oid, max: u64) -> Result<BlobRead, GitError> {
        let odb = self.odb()?;
        let (size, kind) = odb.read_header(oid)?;
        if kind != ObjectType::Blob {
            return Err(GitError::NotABlob { oid, kind });
        }
        if size as u64 > max {
            return Ok(BlobRead::TooLarge(size as u64));
        }
        let obj = odb.read(oid)?;
        Ok(BlobRead::Bytes(obj.data().to_vec()))
    }
}
