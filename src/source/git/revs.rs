//! Which commits a walk starts from, and the walk over them in history order: libgit2's,
//! or one commit at a time when some commit cannot be read.

use super::diff::Bad;
use git2::{ObjectType, Oid, Repository, Sort};
use rustc_hash::FxHashSet as HashSet;

/// Commits in history order (parents first) by libgit2's walk; `hide` and what it reaches
/// are left out.
pub(super) fn revwalk(
    repo: &Repository,
    tips: Tips,
    hide: Option<Oid>,
) -> Result<Vec<Oid>, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    match tips {
        Tips::One(id) => walk.push(id)?,
        Tips::AllRefs => {
            // Every ref: branches, tags, remotes, notes and the stash. Refs that do not peel
            // to a commit (a tag of a blob) are skipped by libgit2's glob push.
            walk.push_glob("*")?;
            if repo.head().is_ok() {
                walk.push_head()?;
            }
        }
    }
    if let Some(h) = hide {
        walk.hide(h)?;
    }
    walk.collect()
}

/// Where a history walk starts.
#[derive(Clone, Copy)]
pub(super) enum Tips {
    /// One commit.
    One(Oid),
    /// Every ref and HEAD.
    AllRefs,
}

/// The commits every ref and HEAD point at (tags peeled); a ref whose object cannot be
/// read is named.
pub(super) fn ref_tips(repo: &Repository, unreadable: &mut dyn FnMut(Bad, String)) -> Vec<Oid> {
    let mut targets = Vec::new();
    if let Ok(refs) = repo.references() {
        for r in refs.flatten() {
            if let Some(id) = r.resolve().ok().and_then(|r| r.target()) {
                targets.push((id, r.name().unwrap_or("?").to_string()));
            }
        }
    }
    if let Some(id) = repo.head().ok().and_then(|h| h.target()) {
        targets.push((id, "HEAD".to_string()));
    }
    let mut tips = Vec::new();
    for (id, name) in targets {
        match repo.find_object(id, None) {
            Ok(obj) => match obj.kind() {
                Some(ObjectType::Commit) => tips.push(id),
                // Tags of blobs or trees carry no history; an unreadable tag target is
                // named when the walk meets it, if any ref reaches it.
                _ => tips.extend(obj.peel_to_commit().ok().map(|c| c.id())),
            },
            Err(e) => unreadable(Bad::new("object", id, "", &e), format!(" (ref {name})")),
        }
    }
    tips
}

/// Walks history from `tips` reading one commit at a time, parents before children, and
/// without `hidden`. An unreadable commit is named and its ancestry (unknown) left out.
pub(super) fn walk_tolerant(
    repo: &Repository,
    tips: Vec<Oid>,
    hidden: &HashSet<Oid>,
    unreadable: &mut dyn FnMut(Bad, String),
) -> Vec<Oid> {
    let mut order = Vec::new();
    let mut visited: HashSet<Oid> = HashSet::default();
    // (commit, the child that led here, parents already pushed): a depth-first
    // post-order puts parents first.
    let mut stack: Vec<(Oid, Option<Oid>, bool)> =
        tips.into_iter().rev().map(|t| (t, None, false)).collect();
    while let Some((id, child, expanded)) = stack.pop() {
        if expanded {
            order.push(id);
            continue;
        }
        if hidden.contains(&id) || !visited.insert(id) {
            continue;
        }
        match repo.find_commit(id) {
            Ok(c) => {
                stack.push((id, child, true));
                let parents: Vec<Oid> = c.parent_ids().collect();
                for p in parents.into_iter().rev() {
                    if !visited.contains(&p) {
                        stack.push((p, Some(id), false));
                    }
                }
            }
            Err(e) => {
                let whence = child.map_or_else(String::new, |c| format!(" (parent of commit {c})"));
                unreadable(Bad::new("commit", id, "", &e), whence);
            }
        }
    }
    order
}
