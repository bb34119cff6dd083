//! Files on disk: a parallel walk that honours `.gitignore`/`.ignore` (but not the user's
//! global excludes, which could hide files from an audit) and scans dotfiles.

use ignore::{WalkBuilder, WalkState};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

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

/// Walks `root` in parallel. `make_visitor` runs once per worker thread, so each worker owns
/// its scratch state; the returned visitor sees every event that worker produces.
pub fn walk<M, V>(root: &Path, opts: &WalkOptions, make_visitor: M)
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
        .require_git(false)
        .follow_links(false)
        .threads(opts.threads)
        .filter_entry(|e| e.file_name() != ".git");
    let root_is_file = root.is_file();
    builder.build_parallel().run(|| {
        let mut visit = make_visitor();
        let mut buf = Vec::new();
        Box::new(move |entry| {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
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
        f.take(max + 1).read_to_end(buf)?;
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
