//! Files on disk: a parallel walk that honours ignore files as ripgrep does and scans
//! dotfiles. `.gitignore` and `.git/info/exclude` apply only inside a git repository and never
//! from above its root; `.ignore` and `.leakhoundignore` apply anywhere; the user's global
//! excludes never do, since they could hide files from an audit.

use ignore::{WalkBuilder, WalkState};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Ignore files the walk honours. Seeing one (in the tree or above it) is what makes the
/// walk count what they skipped.
const IGNORE_FILES: &[&str] = &[".gitignore", ".ignore", ".leakhoundignore"];

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
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .parents(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .git_ignore(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .git_global(false)
        .require_git(true)
        .follow_links(false)
        .threads(opts.threads)
        .filter_entry(|e| e.file_name() != ".git");
    if !opts.no_ignore {
        builder.add_custom_ignore_filename(".leakhoundignore");
    }
    let root_is_file = root.is_file();
    let seen = AtomicU64::new(0);
    let saw_ignore_file = AtomicBool::new(false);
    builder.build_parallel().run(|| {
        let mut visit = make_visitor();
        let mut buf = Vec::new();
        let (seen, saw_ignore_file) = (&seen, &saw_ignore_file);
        Box::new(move |entry| {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                    seen.fetch_add(1, Ordering::Relaxed);
                    if IGNORE_FILES.iter().any(|n| e.file_name() == *n) {
                        saw_ignore_file.store(true, Ordering::Relaxed);
                    }
                    let rel = display_path(root, e.path(), root_is_file);
                    read_one(e.path(), &rel, opts.max_file_size, &mut buf, &mut visit);
                }
                Ok(_) => {}
                Err(err) => visit(Event::Error {
                    path: error_path(&err).unwrap_or_else(|| root.display().to_string()),
                    cause: error_cause(&err),
                }),
            }
            WalkState::Continue
        })
    });
    let rules_apply = saw_ignore_file.into_inner() || ignore_rules_above(root);
    if opts.no_ignore || root_is_file || !rules_apply {
        return WalkStats::default();
    }
    WalkStats {
        ignored: count_files(root, opts.threads).saturating_sub(seen.into_inner()),
    }
}

/// True when a directory above `root` holds an ignore file or a git exclude file, which the
/// walk applies although it never lists them.
fn ignore_rules_above(root: &Path) -> bool {
    let Ok(abs) = root.canonicalize() else {
        return false;
    };
    abs.ancestors().any(|dir| {
        IGNORE_FILES.iter().any(|n| dir.join(n).is_file())
            || dir.join(".git/info/exclude").is_file()
    })
}

/// Every file under `root` (ignore rules off, `.git` left out), without reading any: the
/// difference to what the walk saw is what ignore rules skipped. It runs only when ignore
/// files exist, so trees without any pay nothing.
fn count_files(root: &Path, threads: usize) -> u64 {
    let total = AtomicU64::new(0);
    WalkBuilder::new(root)
        .standard_filters(false)
        .hidden(false)
        .follow_links(false)
        .threads(threads)
        .filter_entry(|e| e.file_name() != ".git")
        .build_parallel()
        .run(|| {
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
    let rel: PathBuf = if root_is_file {
        path.to_path_buf()
    } else {
        path.strip_prefix(root).unwrap_or(path).to_path_buf()
    };
    let s = rel.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn error_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.display().to_string()),
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
