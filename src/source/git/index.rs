//! Git's index file, read for a pre-commit scan: each entry's path, mode and blob, and the
//! cache of tree ids (`TREE` extension) that `git commit` writes its trees from. A directory
//! whose cached tree id equals HEAD's holds no staged change, so only the directories on the
//! way to a change are compared, as `git diff --cached` does; libgit2's diff reads every tree
//! of HEAD instead.
//!
//! Only what this reader fully understands is read: versions 2 to 4 without a split index,
//! sparse directories, conflicts or intent-to-add entries. Anything else is `None`, and the
//! caller diffs through libgit2 (which also names a damaged index).

use git2::Oid;
use rustc_hash::FxHashMap as HashMap;

/// One stage-0 entry of the index.
pub(super) struct IndexEntry {
    pub path: String,
    pub mode: u32,
    pub oid: Oid,
}

/// The entries, in index (path) order, and each valid cached tree id by directory path
/// (`""` for the root).
pub(super) struct IndexFile {
    pub entries: Vec<IndexEntry>,
    pub trees: HashMap<String, Oid>,
}

const OID: usize = 20;
/// Bytes of paths the reader builds at most: version 4 and the tree cache spell each path
/// as a change to the one before, so a small crafted file could spell quadratically many.
const PATH_BUDGET: usize = 64 << 20;
/// ctime, mtime, dev, ino, mode, uid, gid, size: the fixed fields before the id.
const STAT: usize = 40;
const EXTENDED: u16 = 0x4000;
/// Extended flags: skip-worktree and intent-to-add.
const SKIP_OR_INTENT: u16 = 0x6000;

/// Reads the index bytes `raw`; `None` for anything outside what this reader handles.
pub(super) fn parse(raw: &[u8]) -> Option<IndexFile> {
    if raw.get(..4)? != b"DIRC" {
        return None;
    }
    let version = be32(raw, 4)?;
    let count = be32(raw, 8)?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let body = raw.len().checked_sub(OID)?;
    let mut at = 12;
    let mut entries = Vec::new();
    let mut previous = Vec::new();
    let mut budget = PATH_BUDGET;
    for _ in 0..count {
        let (entry, next) = entry(raw, at, version, &mut previous)?;
        budget = budget.checked_sub(entry.path.len())?;
        entries.push(entry);
        at = next;
    }
    let mut trees = HashMap::default();
    while at + 8 <= body {
        let (sig, size) = (raw.get(at..at + 4)?, be32(raw, at + 4)? as usize);
        let data = raw.get(at + 8..(at + 8).checked_add(size)?)?;
        match sig {
            b"TREE" => trees = cache_tree(data, budget)?,
            // A split index keeps its entries elsewhere; a sparse index folds directories.
            b"link" | b"sdir" => return None,
            _ => {}
        }
        at += 8 + size;
    }
    Some(IndexFile { entries, trees })
}

/// The entry at `at` and where the next starts; a conflict, a sparse directory or an entry
/// flagged skip-worktree or intent-to-add is `None`, as is the whole index then.
fn entry(
    raw: &[u8],
    at: usize,
    version: u32,
    previous: &mut Vec<u8>,
) -> Option<(IndexEntry, usize)> {
    let mode = be32(raw, at + 24)?;
    let oid = Oid::from_bytes(raw.get(at + STAT..at + STAT + OID)?).ok()?;
    let flags = u16::from_be_bytes(raw.get(at + 60..at + 62)?.try_into().ok()?);
    let mut pos = at + 62;
    if flags & EXTENDED != 0 {
        let extended = u16::from_be_bytes(raw.get(pos..pos + 2)?.try_into().ok()?);
        if version < 3 || extended & SKIP_OR_INTENT != 0 {
            return None;
        }
        pos += 2;
    }
    // Conflicts (stages 1-3) and sparse directory entries.
    if flags & 0x3000 != 0 || mode & 0o170000 == 0o040000 {
        return None;
    }
    let next = if version == 4 {
        let (strip, used) = varint(raw.get(pos..)?)?;
        pos += used;
        let nul = pos + raw.get(pos..)?.iter().position(|&b| b == 0)?;
        previous.truncate(previous.len().checked_sub(strip)?);
        previous.extend_from_slice(&raw[pos..nul]);
        nul + 1
    } else {
        let nul = pos + raw.get(pos..)?.iter().position(|&b| b == 0)?;
        previous.clear();
        previous.extend_from_slice(&raw[pos..nul]);
        // Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
        at + (nul - at + 8) / 8 * 8
    };
    let path = String::from_utf8(previous.clone()).ok()?;
    Some((IndexEntry { path, mode, oid }, next))
}

/// Git's offset varint (as in `OFS_DELTA`): seven bits a byte, each continuation adding one.
fn varint(raw: &[u8]) -> Option<(usize, usize)> {
    let mut value = 0usize;
    for (i, &b) in raw.iter().enumerate().take(9) {
        value = if i == 0 {
            usize::from(b & 0x7f)
        } else {
            value.checked_add(1)?.checked_mul(128)? | usize::from(b & 0x7f)
        };
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// The `TREE` extension: nodes in pre-order, each `name NUL entries SP subtrees LF [id]`,
/// with `entries` -1 for a directory invalidated since the tree was last written.
fn cache_tree(mut data: &[u8], mut budget: usize) -> Option<HashMap<String, Oid>> {
    let mut trees = HashMap::default();
    // (directory path, subtrees still to come) of the nodes being read.
    let mut open: Vec<(String, usize)> = Vec::new();
    while !data.is_empty() {
        let nul = data.iter().position(|&b| b == 0)?;
        let name = std::str::from_utf8(&data[..nul]).ok()?;
        let lf = nul + data[nul..].iter().position(|&b| b == b'\n')?;
        let counts = std::str::from_utf8(&data[nul + 1..lf]).ok()?;
        let (entries, subtrees) = counts.split_once(' ')?;
        let (entries, subtrees): (i64, usize) = (entries.parse().ok()?, subtrees.parse().ok()?);
        data = &data[lf + 1..];
        while open.last().is_some_and(|(_, left)| *left == 0) {
            open.pop();
        }
        let path = match open.last_mut() {
            None => String::new(),
            Some((parent, left)) => {
                *left -= 1;
                if parent.is_empty() {
                    name.to_string()
                } else {
                    format!("{parent}/{name}")
                }
            }
        };
        budget = budget.checked_sub(path.len())?;
        if entries >= 0 {
            trees.insert(path.clone(), Oid::from_bytes(data.get(..OID)?).ok()?);
            data = &data[OID..];
        }
        open.push((path, subtrees));
    }
    Some(trees)
}

fn be32(raw: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(raw.get(at..at + 4)?.try_into().ok()?))
}
