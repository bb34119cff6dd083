//! A reader of git pack files that visits every blob in delta order: each base is inflated
//! once and each delta applied to it once (as `git index-pack` resolves a pack), instead of
//! asking the object database for blobs one by one, which re-applies a delta chain per
//! version. A visitor sees each blob with what its delta copied from its base, so work done
//! on the base can be carried over to the copied bytes.
//!
//! Only `objects/pack/*.pack` with a version-2 `.idx` (SHA-1) are read. Anything this reader
//! cannot resolve (a corrupt object, a base in another pack, an object over the size limit)
//! is simply not visited: callers read what was not visited through libgit2, which also
//! reports the damage.

pub mod delta;
mod index;
mod read;
#[cfg(test)]
mod tests;

pub use delta::{DeltaError, Op};
pub use index::{IndexError, Kind};
pub use read::Cache;

use git2::Oid;
use index::Entry;
use std::fs::File;
use std::path::{Path, PathBuf};

/// A blob as a walk reaches it.
pub struct Visit<'a, S> {
    /// Its id.
    pub oid: Oid,
    /// Its content.
    pub bytes: &'a [u8],
    /// For a delta: what visiting its base returned, and the delta's instructions.
    pub parent: Option<(&'a S, &'a [Op])>,
}

/// One pack and its index.
pub struct Pack {
    file: File,
    path: PathBuf,
    /// Objects by offset, with where each one's compressed data ends.
    entries: Vec<Entry>,
    /// (id, entry), sorted by id.
    by_oid: Vec<(Oid, u32)>,
    /// Delta children of each entry: `children[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    children: Vec<u32>,
    /// Blob entries stored whole, the roots of the delta trees this reader visits.
    roots: Vec<u32>,
}

/// One worker's zlib state and compressed-bytes buffer, reused object after object: a
/// fresh inflater per object allocated its window each time.
pub struct Inflater {
    z: flate2::Decompress,
    buf: Vec<u8>,
}

impl Default for Inflater {
    fn default() -> Self {
        Inflater {
            z: flate2::Decompress::new(true),
            buf: Vec::new(),
        }
    }
}

/// The packs of a repository whose objects live in `objects`, and one warning per pack
/// that could not be read (its blobs are then read the slow way).
pub fn open_all(objects: &Path) -> (Vec<Pack>, Vec<String>) {
    let mut packs = Vec::new();
    let mut warnings = Vec::new();
    let Ok(dir) = std::fs::read_dir(objects.join("pack")) else {
        return (packs, warnings);
    };
    let mut idx: Vec<PathBuf> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "idx"))
        .collect();
    idx.sort();
    for path in idx {
        match Pack::open(&path.with_extension("pack"), &path) {
            Ok(p) => packs.push(p),
            Err(e) => warnings.push(format!("{}: {e}", path.display())),
        }
    }
    (packs, warnings)
}

impl Pack {
    /// Reads the index and every object header, and links deltas to their bases.
    pub fn open(pack: &Path, idx: &Path) -> Result<Pack, IndexError> {
        let file = File::open(pack)?;
        let (entries, by_oid) = index::entries(&file, idx)?;
        let mut p = Pack {
            file,
            path: pack.to_path_buf(),
            entries,
            by_oid,
            starts: Vec::new(),
            children: Vec::new(),
            roots: Vec::new(),
        };
        p.link();
        Ok(p)
    }

    /// Roots of the blob delta trees, largest tree first so parallel workers finish
    /// together.
    pub fn roots(&self) -> &[u32] {
        &self.roots
    }

    /// How many objects the pack holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the pack holds no object.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn kids(&self, i: u32) -> &[u32] {
        let i = i as usize;
        &self.children[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    /// Builds the children lists of blob delta trees. A chain whose base is missing, not a
    /// blob, or part of a cycle (a hostile pack) is left out, so its objects go the slow way.
    fn link(&mut self) {
        let n = self.entries.len();
        let is_blob = index::blob_chains(&self.entries);
        let mut count = vec![0u32; n + 1];
        for (i, e) in self.entries.iter().enumerate() {
            if let (Some(b), true) = (e.base, is_blob[i]) {
                count[b as usize] += 1;
            }
        }
        let mut starts = Vec::with_capacity(n + 1);
        let mut total = 0u32;
        for c in &count[..n] {
            starts.push(total);
            total += c;
        }
        starts.push(total);
        let mut fill = starts.clone();
        let mut children = vec![0u32; total as usize];
        for (i, e) in self.entries.iter().enumerate() {
            if let (Some(b), true) = (e.base, is_blob[i]) {
                children[fill[b as usize] as usize] = i as u32;
                fill[b as usize] += 1;
            }
        }
        self.starts = starts;
        self.children = children;
        let mut roots: Vec<(u32, u32)> = (0..n as u32)
            .filter(|&i| self.entries[i as usize].kind == Kind::Blob)
            .map(|r| (r, self.tree_size(r)))
            .collect();
        roots.sort_by_key(|&(r, size)| (std::cmp::Reverse(size), r));
        self.roots = roots.into_iter().map(|(r, _)| r).collect();
    }

    /// How many objects the delta tree under `root` holds (trees are disjoint, so sizing
    /// every root is linear in the pack).
    fn tree_size(&self, root: u32) -> u32 {
        let mut size = 0u32;
        let mut todo = vec![root];
        while let Some(i) = todo.pop() {
            size = size.saturating_add(1);
            todo.extend_from_slice(self.kids(i));
        }
        size
    }

    /// Visits `root` and every blob delta tree below it, depth first without recursion.
    /// `visit` gets each blob's id and bytes, and for a delta its parent's value and the
    /// delta's instructions; what it returns is handed to the blob's children. Objects over
    /// `max` bytes, and everything below an object that cannot be read, are not visited. At
    /// most `held` bytes of bases are kept at once; children of a base that would not fit
    /// are not visited either.
    pub fn walk<S>(
        &self,
        root: u32,
        max: u64,
        held: usize,
        visit: &mut dyn FnMut(Visit<'_, S>) -> S,
    ) {
        struct Frame<S> {
            entry: u32,
            bytes: Vec<u8>,
            value: S,
            next: usize,
        }
        let mut inf = Inflater::default();
        let Ok(bytes) = self.inflate(root, max, &mut inf) else {
            return;
        };
        let value = visit(Visit {
            oid: self.entries[root as usize].oid,
            bytes: &bytes,
            parent: None,
        });
        let mut in_use = bytes.len();
        let mut stack = vec![Frame {
            entry: root,
            bytes,
            value,
            next: 0,
        }];
        while let Some(top) = stack.last_mut() {
            let Some(&child) = self.kids(top.entry).get(top.next) else {
                in_use -= top.bytes.len();
                stack.pop();
                continue;
            };
            top.next += 1;
            let Ok(delta) = self.inflate(child, max, &mut inf) else {
                continue;
            };
            let Ok((bytes, ops)) = delta::apply(&top.bytes, &delta, max) else {
                continue;
            };
            let value = visit(Visit {
                oid: self.entries[child as usize].oid,
                bytes: &bytes,
                parent: Some((&top.value, &ops)),
            });
            if !self.kids(child).is_empty() && in_use + bytes.len() <= held {
                in_use += bytes.len();
                stack.push(Frame {
                    entry: child,
                    bytes,
                    value,
                    next: 0,
                });
            }
        }
    }

    /// The inflated data of entry `i` (a whole object, or a delta's instructions), refused
    /// when it declares more than `max` bytes.
    fn inflate(&self, i: u32, max: u64, inf: &mut Inflater) -> Result<Vec<u8>, IndexError> {
        let Inflater { z, buf } = inf;
        z.reset(true);
        let e = &self.entries[i as usize];
        if e.size > max {
            return Err(IndexError::Corrupt("object over the size limit"));
        }
        let len = usize::try_from(e.end - e.data).map_err(|_| IndexError::Corrupt("size"))?;
        buf.resize(len, 0);
        index::read_at(&self.file, buf, e.data)?;
        let mut out = Vec::with_capacity(e.size as usize);
        loop {
            let before = (z.total_in(), z.total_out());
            let status = z
                .decompress_vec(
                    &buf[z.total_in() as usize..],
                    &mut out,
                    flate2::FlushDecompress::Finish,
                )
                .map_err(|_| IndexError::Corrupt("bad zlib data"))?;
            if out.len() as u64 == e.size || status == flate2::Status::StreamEnd {
                break;
            }
            if (z.total_in(), z.total_out()) == before {
                return Err(IndexError::Corrupt("truncated zlib data"));
            }
        }
        if out.len() as u64 != e.size {
            return Err(IndexError::Corrupt("object size does not match its header"));
        }
        Ok(out)
    }

    /// The pack file, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
