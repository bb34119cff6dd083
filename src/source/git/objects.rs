//! Commits and trees for the history walk, read as raw bytes and parsed in place: from the
//! packs through the caching pack reader when they are there, else through libgit2 (loose
//! objects, alternates, and objects the reader cannot resolve, whose damage libgit2 then
//! names). Nothing here allocates per tree entry.

use super::pack::{Cache, Kind, Pack};
use git2::{ErrorClass, ErrorCode, Oid, Repository};
use rustc_hash::FxHashSet as HashSet;
use std::sync::Arc;

/// Largest commit or tree read; a bigger one is reported unreadable.
const MAX_OBJECT: u64 = 64 << 20;

/// Where one worker reads commits and trees from.
pub(super) struct Objects<'a> {
    repo: &'a Repository,
    packs: &'a [Pack],
    cache: &'a mut Cache,
    /// A shallow clone's boundary commits, whose parents are not in the repository.
    shallow: &'a HashSet<Oid>,
}

/// What the walk needs of a commit.
pub(super) struct Commit {
    pub tree: Oid,
    pub parents: Vec<Oid>,
    /// `Name <email>` of the author.
    pub author: String,
    /// Author time, unix seconds.
    pub time: i64,
}

impl<'a> Objects<'a> {
    pub fn new(
        repo: &'a Repository,
        packs: &'a [Pack],
        cache: &'a mut Cache,
        shallow: &'a HashSet<Oid>,
    ) -> Self {
        Objects {
            repo,
            packs,
            cache,
            shallow,
        }
    }

    pub fn commit(&mut self, oid: Oid) -> Result<Commit, git2::Error> {
        let raw = self.raw(oid, Kind::Commit)?;
        let mut c = parse_commit(&raw).ok_or_else(|| malformed("commit", oid))?;
        if self.shallow.contains(&oid) {
            c.parents.clear();
        }
        Ok(c)
    }

    pub fn tree(&mut self, oid: Oid) -> Result<Tree, git2::Error> {
        Ok(Tree(self.raw(oid, Kind::Tree)?))
    }

    fn raw(&mut self, oid: Oid, want: Kind) -> Result<Arc<[u8]>, git2::Error> {
        if let Some((key, pack, i)) = self
            .packs
            .iter()
            .enumerate()
            .find_map(|(key, p)| p.find(&oid).map(|i| (key, p, i)))
        {
            if let Ok((kind, bytes)) = pack.object(key, i, MAX_OBJECT, self.cache) {
                return if kind == want {
                    Ok(bytes)
                } else {
                    Err(mismatch(oid, kind, want))
                };
            }
        }
        let odb = self.repo.odb()?;
        let (size, kind) = odb.read_header(oid)?;
        let kind = match kind {
            git2::ObjectType::Commit => Kind::Commit,
            git2::ObjectType::Tree => Kind::Tree,
            git2::ObjectType::Blob => Kind::Blob,
            _ => Kind::Tag,
        };
        if kind != want {
            return Err(mismatch(oid, kind, want));
        }
        if size as u64 > MAX_OBJECT {
            return Err(git2::Error::new(
                ErrorCode::GenericError,
                ErrorClass::Object,
                format!("object {oid} of {size} bytes is over the {MAX_OBJECT}-byte limit"),
            ));
        }
        let obj = odb.read(oid)?;
        let data: Arc<[u8]> = obj.data().into();
        Ok(data)
    }
}

fn mismatch(oid: Oid, kind: Kind, want: Kind) -> git2::Error {
    git2::Error::new(
        ErrorCode::GenericError,
        ErrorClass::Object,
        format!("object {oid} is a {kind:?}, not a {want:?}").to_lowercase(),
    )
}

fn malformed(what: &str, oid: Oid) -> git2::Error {
    git2::Error::new(
        ErrorCode::GenericError,
        ErrorClass::Object,
        format!("malformed {what} {oid}"),
    )
}

/// The header of a raw commit: its tree, parents and author (the first `author` line, read
/// as libgit2 reads a signature: name and e-mail around the last `<…>`, then the time).
fn parse_commit(raw: &[u8]) -> Option<Commit> {
    let mut tree = None;
    let mut parents = Vec::new();
    let mut author = None;
    for line in raw.split(|&b| b == b'\n') {
        if line.is_empty() {
            break;
        }
        if let Some(hex) = line.strip_prefix(b"tree ") {
            tree = tree.or(Some(hex_oid(hex)?));
        } else if let Some(hex) = line.strip_prefix(b"parent ") {
            parents.push(hex_oid(hex)?);
        } else if let Some(sig) = line.strip_prefix(b"author ") {
            author = author.or_else(|| Some(signature(sig)));
        }
    }
    let (author, time) = author.unwrap_or_default();
    Some(Commit {
        tree: tree?,
        parents,
        author,
        time,
    })
}

fn hex_oid(hex: &[u8]) -> Option<Oid> {
    Oid::from_str(std::str::from_utf8(hex).ok()?)
        .ok()
        .filter(|_| hex.len() == 40)
}

fn signature(sig: &[u8]) -> (String, i64) {
    let (Some(lt), Some(gt)) = (memchr::memrchr(b'<', sig), memchr::memrchr(b'>', sig)) else {
        return (String::new(), 0);
    };
    if gt <= lt {
        return (String::new(), 0);
    }
    let text = |b: &[u8]| {
        std::str::from_utf8(b.trim_ascii())
            .unwrap_or("")
            .to_string()
    };
    let time = sig[gt + 1..]
        .trim_ascii_start()
        .split(u8::is_ascii_whitespace)
        .next()
        .and_then(|t| std::str::from_utf8(t).ok()?.parse().ok())
        .unwrap_or(0);
    (
        format!("{} <{}>", text(&sig[..lt]), text(&sig[lt + 1..gt])),
        time,
    )
}

/// A tree's raw bytes, parsed as they are walked.
#[derive(Clone)]
pub(super) struct Tree(Arc<[u8]>);

/// One entry of a [`Tree`].
pub(super) struct Entry<'t> {
    pub mode: u32,
    pub name: &'t [u8],
    /// The raw 20-byte id: compared as bytes, turned into an [`Oid`] only when kept.
    pub id: &'t [u8],
}

/// File-type bits of a tree entry's mode.
const TYPE_BITS: u32 = 0o170000;

impl Entry<'_> {
    pub fn oid(&self) -> Oid {
        oid_of(self.id)
    }

    pub fn is_tree(&self) -> bool {
        self.mode & TYPE_BITS == 0o040000
    }

    /// A blob: not a subtree or a submodule (another repository's commit).
    pub fn is_blob(&self) -> bool {
        !matches!(self.mode & TYPE_BITS, 0o040000 | 0o160000)
    }

    /// A blob that is not a symlink (which holds a path, not content).
    pub fn is_file(&self) -> bool {
        self.is_blob() && self.mode & TYPE_BITS != 0o120000
    }
}

/// The id of 20 raw bytes (an entry's are always 20).
pub(super) fn oid_of(raw: &[u8]) -> Oid {
    Oid::from_bytes(raw).unwrap_or(Oid::ZERO_SHA1)
}

/// Reading a tree entry at a byte position.
pub(super) enum Next<'t> {
    /// The entry and where the next one starts.
    Entry(Entry<'t>, usize),
    /// The tree ends here.
    End,
    /// The bytes here are not a tree entry: the rest of the tree is unreadable.
    Malformed,
}

impl Tree {
    /// The bytes from `at` on (none past the end).
    pub fn rest(&self, at: usize) -> &[u8] {
        self.0.get(at..).unwrap_or_default()
    }

    /// The entry starting at byte `at`.
    pub fn entry(&self, at: usize) -> Next<'_> {
        if at >= self.0.len() {
            return Next::End;
        }
        match entry_at(&self.0, at) {
            Some((e, next)) => Next::Entry(e, next),
            None => Next::Malformed,
        }
    }
}

/// Tree entries are `<octal mode> <name>\0<20-byte id>`; names are short, so plain loops
/// beat a vectorised search's set-up here.
fn entry_at(raw: &[u8], at: usize) -> Option<(Entry<'_>, usize)> {
    let rest = raw.get(at..)?;
    let mut mode = 0u32;
    let mut i = 0;
    while let Some(&d @ b'0'..=b'7') = rest.get(i) {
        mode = mode * 8 + u32::from(d - b'0');
        i += 1;
        if i > 7 {
            return None;
        }
    }
    if i == 0 || rest.get(i) != Some(&b' ') {
        return None;
    }
    let name_at = i + 1;
    let nul = name_at + rest.get(name_at..)?.iter().position(|&b| b == 0)?;
    let id = rest.get(nul + 1..nul + 21)?;
    let entry = Entry {
        mode,
        name: &rest[name_at..nul],
        id,
    };
    Some((entry, at + nul + 21))
}

/// Git sorts tree entries by name, comparing a subtree's name as if it ended in `/`.
pub(super) fn git_order(a: &Entry<'_>, b: &Entry<'_>) -> std::cmp::Ordering {
    let n = a.name.len().min(b.name.len());
    a.name[..n].cmp(&b.name[..n]).then_with(|| {
        let next = |e: &Entry<'_>| {
            e.name
                .get(n)
                .copied()
                .unwrap_or(if e.is_tree() { b'/' } else { 0 })
        };
        next(a).cmp(&next(b))
    })
}

/// A shallow clone's boundary commits (`shallow` in the git directory), which libgit2
/// also reads as having no parents.
pub(super) fn shallow_commits(repo: &Repository) -> HashSet<Oid> {
    let Ok(text) = std::fs::read_to_string(repo.commondir().join("shallow")) else {
        return HashSet::default();
    };
    text.lines()
        .filter_map(|l| Oid::from_str(l.trim()).ok())
        .collect()
}

#[cfg(test)]
#[path = "objects_tests.rs"]
mod tests;
