//! What a commit would add (`--staged`): the index against HEAD. Directories whose cached
//! tree id (see [`super::index`]) equals HEAD's are skipped whole, so a hook in a large
//! repository reads the few trees on the way to the staged files, not all of HEAD.

use super::diff::Change;
use super::index::{self, IndexEntry, IndexFile};
use git2::{ObjectType, Repository, Tree};
use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

const TYPE_BITS: u32 = 0o170000;
const GITLINK: u32 = 0o160000;
const SYMLINK: u32 = 0o120000;

/// The files the index at `path` adds or modifies against HEAD, as libgit2's diff of HEAD
/// to the index lists them; `None` when the index is not one [`index::parse`] reads.
pub(super) fn changes(repo: &Repository, path: &Path) -> Option<Vec<Change>> {
    let raw = std::fs::read(path).ok()?;
    let index = index::parse(&raw)?;
    let root = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
    let mut head = Head {
        repo,
        trees: HashMap::default(),
    };
    head.trees.insert(String::new(), root);
    let mut out = Vec::new();
    for e in &index.entries {
        if e.mode & TYPE_BITS == GITLINK || unchanged_dir(&mut head, &index, &e.path) {
            continue;
        }
        out.extend(change(&mut head, e));
    }
    Some(out)
}

/// HEAD's trees by directory path, read as they are needed.
struct Head<'r> {
    repo: &'r Repository,
    trees: HashMap<String, Option<Tree<'r>>>,
}

impl<'r> Head<'r> {
    /// HEAD's tree at directory `dir` (`""` the root), if HEAD has one there. Read from the
    /// nearest directory already read, without recursion (paths can be deep).
    fn tree(&mut self, dir: &str) -> Option<&Tree<'r>> {
        let mut todo = Vec::new();
        let mut d = dir;
        while !self.trees.contains_key(d) {
            todo.push(d);
            d = d.rsplit_once('/').map_or("", |(parent, _)| parent);
        }
        for d in todo.into_iter().rev() {
            let (parent, name) = d.rsplit_once('/').unwrap_or(("", d));
            let sub = self
                .trees
                .get(parent)
                .and_then(Option::as_ref)
                .and_then(|t| {
                    let e = t.get_name(name)?;
                    (e.kind() == Some(ObjectType::Tree)).then(|| e.id())
                });
            let sub = sub.and_then(|id| self.repo.find_tree(id).ok());
            self.trees.insert(d.to_string(), sub);
        }
        self.trees.get(dir)?.as_ref()
    }
}

/// Whether some directory above `path` has the same cached tree id in the index as in HEAD,
/// which means nothing below it is staged.
fn unchanged_dir(head: &mut Head<'_>, index: &IndexFile, path: &str) -> bool {
    let mut end = 0;
    loop {
        let dir = &path[..end];
        if let Some(cached) = index.trees.get(dir) {
            if head.tree(dir).is_some_and(|t| t.id() == *cached) {
                return true;
            }
        }
        let from = if end == 0 { 0 } else { end + 1 };
        match path[from..].find('/') {
            Some(i) => end = from + i,
            None => return false,
        }
    }
}

/// The entry as a change against HEAD's file at its path, or `None` when it is the same.
/// As in libgit2's diff, a file that was a symlink (or the reverse) is added, not modified.
fn change(head: &mut Head<'_>, e: &IndexEntry) -> Option<Change> {
    let (dir, name) = e.path.rsplit_once('/').unwrap_or(("", &e.path));
    let before = head.tree(dir).and_then(|t| {
        let b = t.get_name(name)?;
        let mode = b.filemode() as u32;
        let same_type = (mode & TYPE_BITS == SYMLINK) == (e.mode & TYPE_BITS == SYMLINK);
        (b.kind() == Some(ObjectType::Blob) && same_type).then(|| (b.id(), mode))
    });
    match before {
        Some((oid, mode)) if oid == e.oid && mode == e.mode => None,
        _ => Some((e.oid, e.path.clone(), before.map(|(oid, _)| oid))),
    }
}

#[cfg(test)]
#[path = "staged_tests.rs"]
mod tests;
