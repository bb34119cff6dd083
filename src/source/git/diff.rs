//! What one commit changed: its tree against its parent's (or a given base's), as the
//! (blob, path, previous blob) triples the plan is built from. Trees are compared by id before
//! they are read, and walked with an explicit stack, since a crafted repository can nest
//! trees deeper than any thread's stack.

use super::CommitMeta;
use git2::{Delta, ObjectType, Oid, Repository, Tree};

/// An object that could not be read while listing what to scan.
pub(super) struct Bad {
    pub kind: &'static str,
    pub oid: Oid,
    /// Directory path of a tree; empty for a root tree or a commit.
    pub path: String,
    pub cause: String,
}

impl Bad {
    pub fn new(kind: &'static str, oid: Oid, path: &str, e: &git2::Error) -> Bad {
        Bad {
            kind,
            oid,
            path: path.to_string(),
            cause: e.message().to_string(),
        }
    }
}

/// (new blob, path, blob at that path before) for an added or modified file.
pub(super) type Change = (Oid, String, Option<Oid>);

/// One commit's metadata, the blobs it adds or modifies, and the trees it could not read.
pub(super) struct CommitChanges {
    pub meta: CommitMeta,
    pub blobs: Vec<Change>,
    pub bad: Vec<Bad>,
}

/// What commit `id` changes against `against`, or its first parent when `None`. Only an
/// unreadable commit `id` is an error: an unreadable parent or tree is listed in `bad`, and
/// the commit is diffed against nothing there, so everything it holds is still scanned.
pub(super) fn commit_changes(
    repo: &Repository,
    id: Oid,
    against: Option<Oid>,
) -> Result<CommitChanges, git2::Error> {
    let commit = repo.find_commit(id)?;
    let mut bad = Vec::new();
    // A shallow clone's boundary commits have no parents here (libgit2 reads the grafts).
    let base = against.or_else(|| commit.parent_ids().next());
    let old = base.and_then(|b| match repo.find_commit(b) {
        Ok(p) => read_tree(repo, p.tree_id(), "", &mut bad),
        Err(e) => {
            bad.push(Bad::new("commit", b, "", &e));
            None
        }
    });
    let mut blobs = Vec::new();
    if let Some(new) = read_tree(repo, commit.tree_id(), "", &mut bad) {
        diff_trees(repo, old, new, &mut blobs, &mut bad);
    }
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
    Ok(CommitChanges { meta, blobs, bad })
}

/// The tree `oid` at directory `path`, or `None` with the failure in `bad`.
fn read_tree<'r>(
    repo: &'r Repository,
    oid: Oid,
    path: &str,
    bad: &mut Vec<Bad>,
) -> Option<Tree<'r>> {
    repo.find_tree(oid)
        .map_err(|e| bad.push(Bad::new("tree", oid, path, &e)))
        .ok()
}

/// A pair of trees being compared: entries before `old_at`/`new_at` are done.
struct Level<'r> {
    old: Option<Tree<'r>>,
    old_at: usize,
    new: Tree<'r>,
    new_at: usize,
    prefix: String,
}

/// Adds a [`Change`] to `out` for every added or modified file between two trees, depth
/// first in git's entry order. Subtrees with equal ids are skipped without being read, which
/// is what makes a long history cheap: libgit2's tree diff visits every entry of both trees.
fn diff_trees<'r>(
    repo: &'r Repository,
    old: Option<Tree<'r>>,
    new: Tree<'r>,
    out: &mut Vec<Change>,
    bad: &mut Vec<Bad>,
) {
    let mut stack = vec![Level {
        old,
        old_at: 0,
        new,
        new_at: 0,
        prefix: String::new(),
    }];
    while let Some(level) = stack.last_mut() {
        let Some(entry) = level.new.get(level.new_at) else {
            stack.pop();
            continue;
        };
        level.new_at += 1;
        // Both trees are in git's entry order, so one merge pass pairs entries of one name.
        let mut prior = None;
        if let Some(old) = &level.old {
            while let Some(o) = old.get(level.old_at) {
                match git_order(&o, &entry) {
                    std::cmp::Ordering::Less => level.old_at += 1,
                    std::cmp::Ordering::Equal => {
                        prior = Some((o.id(), o.kind()));
                        level.old_at += 1;
                        break;
                    }
                    std::cmp::Ordering::Greater => break,
                }
            }
        }
        let (id, kind, mode) = (entry.id(), entry.kind(), entry.filemode());
        if prior.is_some_and(|(p, _)| p == id) {
            continue;
        }
        let path = format!(
            "{}{}",
            level.prefix,
            String::from_utf8_lossy(entry.name_bytes())
        );
        // A tree entry borrows its tree (and frees itself on drop): end it before the stack grows.
        drop(entry);
        match kind {
            Some(ObjectType::Tree) => {
                let Some(sub) = read_tree(repo, id, &path, bad) else {
                    continue;
                };
                let old_sub = match prior {
                    Some((p, Some(ObjectType::Tree))) => read_tree(repo, p, &path, bad),
                    _ => None,
                };
                stack.push(Level {
                    old: old_sub,
                    old_at: 0,
                    new: sub,
                    new_at: 0,
                    prefix: format!("{path}/"),
                });
            }
            // Symlinks (0o120000) hold a path, not content; submodules are other repositories.
            Some(ObjectType::Blob) if mode != 0o120000 => {
                let old_blob = prior.and_then(|(p, k)| (k == Some(ObjectType::Blob)).then_some(p));
                out.push((id, path, old_blob));
            }
            _ => {}
        }
    }
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

/// The added, modified, copied or renamed files of a libgit2 diff (staged changes).
pub(super) fn deltas(diff: &git2::Diff<'_>) -> Vec<Change> {
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

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
