//! What one commit changed: its tree against its parent's (or a given base's), as the
//! (blob, path, previous blob) triples the plan is built from. Trees are compared by id before
//! they are read, and walked with an explicit stack, since a crafted repository can nest
//! trees deeper than any thread's stack.

use super::objects::{git_order, oid_of, Next, Objects, Tree};
use super::CommitMeta;
use git2::{Delta, Oid};

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
    objects: &mut Objects<'_>,
    id: Oid,
    against: Option<Oid>,
) -> Result<CommitChanges, git2::Error> {
    let commit = objects.commit(id)?;
    let mut bad = Vec::new();
    // A shallow clone's boundary commits have no parents here.
    let base = against.or_else(|| commit.parents.first().copied());
    let old = base.and_then(|b| match objects.commit(b) {
        Ok(p) => read_tree(objects, p.tree, "", &mut bad),
        Err(e) => {
            bad.push(Bad::new("commit", b, "", &e));
            None
        }
    });
    let mut blobs = Vec::new();
    if let Some(new) = read_tree(objects, commit.tree, "", &mut bad) {
        diff_trees(objects, old, (new, commit.tree), &mut blobs, &mut bad);
    }
    let meta = CommitMeta {
        id: id.to_string(),
        time: commit.time,
        author: commit.author,
    };
    Ok(CommitChanges { meta, blobs, bad })
}

/// The tree `oid` at directory `path`, or `None` with the failure in `bad`.
fn read_tree(objects: &mut Objects<'_>, oid: Oid, path: &str, bad: &mut Vec<Bad>) -> Option<Tree> {
    objects
        .tree(oid)
        .map_err(|e| bad.push(Bad::new("tree", oid, path, &e)))
        .ok()
}

/// A pair of trees being compared: entries before byte `old_at`/`new_at` are done.
struct Level {
    old: Option<Tree>,
    old_at: usize,
    new: Tree,
    new_oid: Oid,
    new_at: usize,
    prefix: String,
}

/// Steps over the entries both trees hold byte for byte from where the level stands: a
/// commit changes one or two entries of a large directory, and comparing bytes is several
/// times cheaper than pairing entries. True when the rest of the directory is unchanged.
fn skip_unchanged(level: &mut Level) -> bool {
    let Some(old) = &level.old else {
        return false;
    };
    let (new, old) = (level.new.rest(level.new_at), old.rest(level.old_at));
    if new == old {
        return true;
    }
    let same = common_prefix(new, old);
    // Positions are entry starts in both trees, so whole entries inside the common prefix
    // are the same entries in both.
    let mut at = level.new_at;
    while let Next::Entry(_, next) = level.new.entry(at) {
        if next - level.new_at > same {
            break;
        }
        at = next;
    }
    level.old_at += at - level.new_at;
    level.new_at = at;
    false
}

/// How many leading bytes `a` and `b` share.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 64;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + CHUNK <= n && a[i..i + CHUNK] == b[i..i + CHUNK] {
        i += CHUNK;
    }
    i + a[i..n]
        .iter()
        .zip(&b[i..n])
        .take_while(|(x, y)| x == y)
        .count()
}

/// A tree whose bytes stop parsing part-way: what was read is kept.
fn malformed(oid: Oid, path: &str) -> Bad {
    Bad {
        kind: "tree",
        oid,
        path: path.to_string(),
        cause: "malformed tree entry".to_string(),
    }
}

/// Adds a [`Change`] to `out` for every added or modified file between two trees, depth
/// first in git's entry order. Subtrees with equal ids are skipped without being read, which
/// is what makes a long history cheap: a full tree diff visits every entry of both trees.
fn diff_trees(
    objects: &mut Objects<'_>,
    old: Option<Tree>,
    (new, new_oid): (Tree, Oid),
    out: &mut Vec<Change>,
    bad: &mut Vec<Bad>,
) {
    let mut stack = vec![Level {
        old,
        old_at: 0,
        new,
        new_oid,
        new_at: 0,
        prefix: String::new(),
    }];
    while let Some(level) = stack.last_mut() {
        if skip_unchanged(level) {
            stack.pop();
            continue;
        }
        let (entry, next) = match level.new.entry(level.new_at) {
            Next::Entry(e, next) => (e, next),
            Next::End => {
                stack.pop();
                continue;
            }
            Next::Malformed => {
                let (oid, path) = (level.new_oid, level.prefix.trim_end_matches('/'));
                bad.push(malformed(oid, path));
                stack.pop();
                continue;
            }
        };
        level.new_at = next;
        // Both trees are in git's entry order, so one merge pass pairs entries of one name.
        let mut prior = None;
        if let Some(old) = &level.old {
            // A malformed old tree reads as ending there: its later files count as new.
            while let Next::Entry(o, after) = old.entry(level.old_at) {
                match git_order(&o, &entry) {
                    std::cmp::Ordering::Less => level.old_at = after,
                    std::cmp::Ordering::Equal => {
                        prior = Some((o.id, o.is_tree(), o.is_blob()));
                        level.old_at = after;
                        break;
                    }
                    std::cmp::Ordering::Greater => break,
                }
            }
        }
        if prior.is_some_and(|(p, _, _)| p == entry.id) {
            continue;
        }
        let path = format!("{}{}", level.prefix, String::from_utf8_lossy(entry.name));
        let (id, is_tree, is_file) = (entry.oid(), entry.is_tree(), entry.is_file());
        let prior = prior.map(|(p, tree, blob)| (oid_of(p), tree, blob));
        if is_tree {
            let Some(sub) = read_tree(objects, id, &path, bad) else {
                continue;
            };
            let old_sub = match prior {
                Some((p, true, _)) => read_tree(objects, p, &path, bad),
                _ => None,
            };
            stack.push(Level {
                old: old_sub,
                old_at: 0,
                new: sub,
                new_oid: id,
                new_at: 0,
                prefix: format!("{path}/"),
            });
        } else if is_file {
            let old_blob = prior.and_then(|(p, _, blob)| blob.then_some(p));
            out.push((id, path, old_blob));
        }
    }
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
