//! Files on disk: a parallel walk that honours ignore files as ripgrep does and scans
//! dotfiles. `.gitignore` and `.git/info/exclude` apply only inside a git repository and never
//! from above its root; `.ignore` and `.leakhoundignore` apply anywhere; the user's global
//! excludes never do, since they could hide files from an audit.

use super::path::report_path;
use ignore::{DirEntry, WalkBuilder, WalkState};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Ignore files that apply anywhere. Seeing one (in the tree or above it), or a `.gitignore`
/// inside a repository, is what makes the walk count what they skipped.
const IGNORE_FILES: &[&str] = &[".ignore", ".leakhoundignore"];

/// How to walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Also walk paths that ignore files exclude (audits of `dist/`, `build/`).
    pub no_ignore: bool,
    /// Worker threads.
    pub threads: usize,
    /// Files larger than this are reported as skipped instead of read.
    pub max_file_size: u64,
}

/// What the walk found at one path.
pub enum Event<'a> {
    /// A file's whole content.
    File {
        /// Path relative to the root it was found under.
        path: &'a str,
        /// Its bytes.
        bytes: &'a [u8],
    },
    /// A file over the size limit, not read.
    TooLarge {
        /// Path relative to the root.
        path: &'a str,
        /// Its size in bytes.
        size: u64,
    },
    /// A path that could not be read.
    Error {
        /// The path, as far as it is known.
        path: String,
        /// Why.
        cause: String,
    },
}

/// What a walk saw besides the files it handed over.
#[derive(Debug, Default, Clone, Copy)]
pub struct WalkStats {
    /// Files that ignore rules kept out of the scan, so an empty scan is never silent.
    pub ignored: u64,
}

/// Walks `root` in parallel. `make_visitor` runs once per worker thread, so each worker owns
/// its scratch state; the returned visitor sees every event that worker produces.
pub fn walk<M, V>(root: &Path, opts: &WalkOptions, make_visitor: M) -> WalkStats
where
    M: Fn() -> V + Sync,
    V: FnMut(Event<'_>) + Send,
{
    let saw_git = Arc::new(AtomicBool::new(false));
    let walker = builder(root, opts, true, Some(Arc::clone(&saw_git)));
    let root_is_file = root.is_file();
    let seen = AtomicU64::new(0);
    let rule_dirs = Mutex::new(Vec::new());
    let each =
        |entry: Result<DirEntry, ignore::Error>, visit: &mut V, buf: &mut Vec<u8>| match entry {
            Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                seen.fetch_add(1, Ordering::Relaxed);
                note_ignore_file(&e, &rule_dirs);
                let rel = display_path(root, e.path(), root_is_file);
                read_one(e.path(), &rel, opts.max_file_size, buf, visit);
            }
            Ok(_) => {}
            Err(err) => visit(Event::Error {
                path: error_path(&err).unwrap_or_else(|| report_path(root)),
                cause: error_cause(&err),
            }),
        };
    if root_is_file {
        // One file needs no pool of walker threads: starting them was a measurable part
        // of a one-file scan (a pre-commit hook on one path, an editor on save).
        let (mut visit, mut buf) = (make_visitor(), Vec::new());
        for entry in walker.build() {
            each(entry, &mut visit, &mut buf);
        }
    } else {
        walker.build_parallel().run(|| {
            let (mut visit, mut buf) = (make_visitor(), Vec::new());
            let each = &each;
            Box::new(move |entry| {
                each(entry, &mut visit, &mut buf);
                WalkState::Continue
            })
        });
    }
    if opts.no_ignore || root_is_file {
        return WalkStats::default();
    }
    let in_repo = saw_git.load(Ordering::Relaxed);
    let dirs = rule_dirs
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    WalkStats {
        ignored: count_ignored(root, opts, seen.into_inner(), dirs, in_repo),
    }
}

/// The walk as scans run it: ignore files as ripgrep applies them unless `rules` is false or
/// `--no-ignore` was given, `.git` never entered (and noted in `saw_git`, since a nested
/// repository's `.gitignore` files bind its files).
fn builder(
    root: &Path,
    opts: &WalkOptions,
    rules: bool,
    saw_git: Option<Arc<AtomicBool>>,
) -> WalkBuilder {
    let rules = rules && !opts.no_ignore;
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .parents(rules)
        .ignore(rules)
        .git_ignore(rules)
        .git_exclude(rules)
        .git_global(false)
        .require_git(true)
        .follow_links(false)
        .threads(opts.threads)
        .filter_entry(move |e| {
            let git = e.file_name() == ".git";
            if git {
                if let Some(flag) = &saw_git {
                    flag.store(true, Ordering::Relaxed);
                }
            }
            !git
        });
    if rules {
        builder.add_custom_ignore_filename(".leakhoundignore");
    }
    builder
}

/// Records the directory of an ignore file the walk met (`true` for a `.gitignore`, which
/// binds only inside a repository).
fn note_ignore_file(e: &ignore::DirEntry, dirs: &Mutex<Vec<(PathBuf, bool)>>) {
    let name = e.file_name();
    let git = name == ".gitignore";
    if git || IGNORE_FILES.iter().any(|n| name == *n) {
        if let Some(dir) = e.path().parent() {
            let mut dirs = dirs
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            dirs.push((dir.to_path_buf(), git));
        }
    }
}

/// Files ignore rules kept out of the walk. Counting costs more directory walks, so it covers
/// only the subtrees rules can bind: under each ignore file the walk met (a `.gitignore` only
/// inside a repository), or the whole root when rules come from above it. Crate sources or an
/// npm cache, full of `.gitignore` files that bind nothing outside a repository, pay nothing.
fn count_ignored(
    root: &Path,
    opts: &WalkOptions,
    seen: u64,
    dirs: Vec<(PathBuf, bool)>,
    in_repo: bool,
) -> u64 {
    let (above, repo_above) = ignore_rules_above(root);
    if above || repo_above {
        return count_files(root, opts, false).saturating_sub(seen);
    }
    let mut roots: Vec<PathBuf> = dirs
        .into_iter()
        .filter(|(_, git)| !git || in_repo)
        .map(|(d, _)| d)
        .collect();
    roots.sort();
    roots.dedup_by(|inner, outer| inner.starts_with(outer));
    roots
        .iter()
        .map(|r| count_files(r, opts, false).saturating_sub(count_files(r, opts, true)))
        .sum()
}

/// Whether a directory above `root` holds an ignore file that applies anywhere, and whether
/// `root` is inside a git repository (whose `.gitignore` files and exclude file then apply).
fn ignore_rules_above(root: &Path) -> (bool, bool) {
    let Ok(abs) = root.canonicalize() else {
        return (false, false);
    };
    let parents = || abs.ancestors().skip(1);
    let any = parents().any(|dir| IGNORE_FILES.iter().any(|n| dir.join(n).is_file()));
    let repo = abs.ancestors().any(|dir| dir.join(".git").exists());
    (any, repo)
}

/// Files under `root`, with the scan's ignore rules or with none (`.git` always left out),
/// without reading any.
fn count_files(root: &Path, opts: &WalkOptions, ruled: bool) -> u64 {
    let total = AtomicU64::new(0);
    builder(root, opts, ruled, None).build_parallel().run(|| {
        let total = &total;
        Box::new(move |entry| {
            if entry.is_ok_and(|e| e.file_type().is_some_and(|t| t.is_file())) {
                total.fetch_add(1, Ordering::Relaxed);
            }
            WalkState::Continue
        })
    });
    total.into_inner()
}

fn read_one<V: FnMut(Event<'_>)>(
    path: &Path,
    rel: &str,
    max: u64,
    buf: &mut Vec<u8>,
    visit: &mut V,
) {
    let result = File::open(path).and_then(|f| {
        let size = f.metadata()?.len();
        if size > max {
            return Ok(Some(size));
        }
        buf.clear();
        // A file that grows while we read it is cut at the limit rather than read unbounded.
        f.take(max.saturating_add(1)).read_to_end(buf)?;
        Ok(None)
    });
    match result {
        Ok(Some(size)) => visit(Event::TooLarge { path: rel, size }),
        Ok(None) if buf.len() as u64 > max => visit(Event::TooLarge {
            path: rel,
            size: buf.len() as u64,
        }),
        Ok(None) => visit(Event::File {
            path: rel,
            bytes: buf,
        }),
        Err(e) => visit(Event::Error {
            path: rel.to_string(),
            cause: e.to_string(),
        }),
    }
}

/// The path shown in reports: relative to a directory root, or as given for a file root.
fn display_path(root: &Path, path: &Path, root_is_file: bool) -> String {
    if root_is_file {
        report_path(path)
    } else {
        report_path(path.strip_prefix(root).unwrap_or(path))
    }
}

fn error_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(report_path(path)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

fn error_cause(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => error_cause(err),
        other => other.to_string(),
    }
}
