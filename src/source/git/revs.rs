//! Which commits a walk starts from, and libgit2's walk over them in history order.

use git2::{Oid, Repository, Sort};

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
