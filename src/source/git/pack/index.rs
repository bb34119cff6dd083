//! A pack's `.idx` (version 2) and its objects' headers: where each object's data starts
//! and ends, its type and size, and which entry a delta's base is.

use git2::Oid;
use std::fs::File;
use std::path::Path;

/// An object's type as the pack stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A commit.
    Commit,
    /// A tree (directory listing).
    Tree,
    /// File content.
    Blob,
    /// An annotated tag.
    Tag,
    /// A delta; its base is [`Entry::base`].
    Delta,
}

/// One object of the pack.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub oid: Oid,
    pub offset: u64,
    /// Where the compressed data starts (after the header) and ends (the next object).
    pub data: u64,
    pub end: u64,
    pub kind: Kind,
    /// The inflated size the header declares (a delta's own size, not its result's).
    pub size: u64,
    /// For a delta, the entry of its base when the pack holds it.
    pub base: Option<u32>,
}

/// Why a pack cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// Reading the file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The index or pack is not laid out as git writes it.
    #[error("not a readable pack: {0}")]
    Corrupt(&'static str),
}

const IDX_MAGIC: [u8; 4] = [0xff, b't', b'O', b'c'];
/// SHA-1 ids; an index of another layout does not parse, and its blobs go the slow way.
const OID: usize = 20;
/// The pack's trailing checksum.
const TRAILER: u64 = 20;
/// Bytes read ahead when parsing headers: one read covers many small objects.
const CHUNK: usize = 1 << 20;
/// Longest object header: type and size (up to 10 bytes), a base offset (up to 10) or id.
const MAX_HEADER: usize = 32;

/// Every object of the pack at `idx`, in offset order, with delta bases resolved, and
/// (id, entry) sorted by id for look-ups.
pub(super) type Entries = (Vec<Entry>, Vec<(Oid, u32)>);

/// Reads the index at `idx` and the header of every object in `pack`.
pub(super) fn entries(pack: &File, idx: &Path) -> Result<Entries, IndexError> {
    let raw = std::fs::read(idx)?;
    let mut list = parse_idx(&raw)?;
    drop(raw);
    let pack_len = pack.metadata()?.len();
    if pack_len < 12 + TRAILER {
        return Err(IndexError::Corrupt("pack too short"));
    }
    list.sort_unstable_by_key(|&(off, _)| off);
    let ends: Vec<u64> = list
        .iter()
        .skip(1)
        .map(|&(off, _)| off)
        .chain([pack_len - TRAILER])
        .collect();
    let mut by_oid: Vec<(Oid, u32)> = list
        .iter()
        .enumerate()
        .map(|(i, &(_, oid))| (oid, i as u32))
        .collect();
    by_oid.sort_unstable();
    let mut reader = Chunked::new(pack);
    let mut out = Vec::with_capacity(list.len());
    let mut refs = Vec::with_capacity(list.len());
    for (i, &(offset, oid)) in list.iter().enumerate() {
        if offset < 12 || offset >= ends[i] {
            return Err(IndexError::Corrupt("object offsets overlap"));
        }
        let head = reader.at(offset, ends[i])?;
        let (entry, base) = header(head, oid, offset, ends[i])?;
        out.push(entry);
        refs.push(base);
    }
    let offsets: Vec<u64> = out.iter().map(|e| e.offset).collect();
    for (e, r) in out.iter_mut().zip(refs) {
        e.base = match r {
            BaseRef::None => None,
            BaseRef::Offset(o) => offsets.binary_search(&o).ok().map(|i| i as u32),
            BaseRef::Id(id) => by_oid
                .binary_search_by(|(o, _)| o.cmp(&id))
                .ok()
                .map(|i| by_oid[i].1),
        };
    }
    Ok((out, by_oid))
}

/// (offset, id) of every object the index lists.
fn parse_idx(raw: &[u8]) -> Result<Vec<(u64, Oid)>, IndexError> {
    let bad = |why| IndexError::Corrupt(why);
    if raw.get(..4) != Some(&IDX_MAGIC[..]) || raw.get(4..8) != Some(&[0, 0, 0, 2][..]) {
        return Err(bad("index is not version 2"));
    }
    let n = be32(raw, 8 + 255 * 4).ok_or(bad("index truncated"))? as usize;
    let names = 8 + 256 * 4;
    let offsets = names + n * (OID + 4);
    let large = offsets + n * 4;
    // The two trailing checksums fix the length unless large offsets follow.
    if raw.len() < large + 2 * OID || (raw.len() - large - 2 * OID) % 8 != 0 {
        return Err(bad("index length does not match its object count"));
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let oid = Oid::from_bytes(&raw[names + i * OID..names + (i + 1) * OID])
            .map_err(|_| bad("object id"))?;
        let small = be32(raw, offsets + i * 4).ok_or(bad("index truncated"))?;
        let offset = if small & 0x8000_0000 == 0 {
            u64::from(small)
        } else {
            let at = large + (small & 0x7fff_ffff) as usize * 8;
            let hi = be32(raw, at).ok_or(bad("large offset out of range"))?;
            let lo = be32(raw, at + 4).ok_or(bad("large offset out of range"))?;
            (u64::from(hi) << 32) | u64::from(lo)
        };
        out.push((offset, oid));
    }
    Ok(out)
}

fn be32(raw: &[u8], at: usize) -> Option<u32> {
    raw.get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// How a delta names its base before bases are resolved to entries.
#[derive(Clone, Copy)]
enum BaseRef {
    None,
    Offset(u64),
    Id(Oid),
}

/// Parses the header at the start of `head` (the bytes from `offset`).
fn header(head: &[u8], oid: Oid, offset: u64, end: u64) -> Result<(Entry, BaseRef), IndexError> {
    let bad = |why| IndexError::Corrupt(why);
    let mut pos = 0;
    let mut byte = || -> Result<u8, IndexError> {
        let b = *head.get(pos).ok_or(bad("object header truncated"))?;
        pos += 1;
        Ok(b)
    };
    let first = byte()?;
    let code = (first >> 4) & 7;
    let mut size = u64::from(first & 0x0f);
    let mut b = first;
    let mut shift = 4;
    while b & 0x80 != 0 {
        b = byte()?;
        if shift > 57 {
            return Err(bad("object size overflows"));
        }
        size |= u64::from(b & 0x7f) << shift;
        shift += 7;
    }
    let (kind, base_ref) = match code {
        1 => (Kind::Commit, BaseRef::None),
        2 => (Kind::Tree, BaseRef::None),
        3 => (Kind::Blob, BaseRef::None),
        4 => (Kind::Tag, BaseRef::None),
        6 => {
            let mut b = byte()?;
            let mut back = u64::from(b & 0x7f);
            while b & 0x80 != 0 {
                b = byte()?;
                if back > (u64::MAX >> 8) {
                    return Err(bad("base offset overflows"));
                }
                back = ((back + 1) << 7) | u64::from(b & 0x7f);
            }
            let base = offset
                .checked_sub(back)
                .filter(|_| back > 0)
                .ok_or(bad("base offset out of range"))?;
            (Kind::Delta, BaseRef::Offset(base))
        }
        7 => {
            let id = head.get(pos..pos + OID).ok_or(bad("base id truncated"))?;
            pos += OID;
            let id = Oid::from_bytes(id).map_err(|_| bad("base id"))?;
            (Kind::Delta, BaseRef::Id(id))
        }
        _ => return Err(bad("unknown object type")),
    };
    let data = offset + pos as u64;
    if data > end {
        return Err(bad("object header runs into the next object"));
    }
    let entry = Entry {
        oid,
        offset,
        data,
        end,
        kind,
        size,
        base: None,
    };
    Ok((entry, base_ref))
}

/// Whether each entry is a blob or a delta whose chain ends at a blob, following each chain
/// once (chains are resolved iteratively and remembered; a cycle resolves to false).
pub(super) fn blob_chains(entries: &[Entry]) -> Vec<bool> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Unknown,
        Visiting,
        Done(bool),
    }
    let mut state = vec![State::Unknown; entries.len()];
    let mut chain = Vec::new();
    for start in 0..entries.len() {
        let mut i = start;
        let answer = loop {
            match state[i] {
                State::Done(v) => break v,
                State::Visiting => break false,
                State::Unknown => {}
            }
            state[i] = State::Visiting;
            chain.push(i);
            match (entries[i].kind, entries[i].base) {
                (Kind::Delta, Some(b)) => i = b as usize,
                (Kind::Blob, _) => break true,
                _ => break false,
            }
        };
        for j in chain.drain(..) {
            state[j] = State::Done(answer);
        }
    }
    state
        .into_iter()
        .map(|s| matches!(s, State::Done(true)))
        .collect()
}

/// Reads pack bytes in large chunks, so headers of small consecutive objects cost one read.
struct Chunked<'f> {
    file: &'f File,
    start: u64,
    buf: Vec<u8>,
}

impl<'f> Chunked<'f> {
    fn new(file: &'f File) -> Self {
        Chunked {
            file,
            start: 0,
            buf: Vec::new(),
        }
    }

    /// Up to [`MAX_HEADER`] bytes from `offset`, not past `end`.
    fn at(&mut self, offset: u64, end: u64) -> Result<&[u8], IndexError> {
        let want = (end - offset).min(MAX_HEADER as u64) as usize;
        let have =
            offset >= self.start && offset + want as u64 <= self.start + self.buf.len() as u64;
        if !have {
            self.buf.resize(CHUNK.max(want), 0);
            let got = read_some_at(self.file, &mut self.buf, offset)?;
            self.buf.truncate(got);
            self.start = offset;
            if got < want {
                return Err(IndexError::Corrupt("pack truncated"));
            }
        }
        let from = (offset - self.start) as usize;
        Ok(&self.buf[from..from + want])
    }
}

/// Fills `buf` from `offset`, or fails.
pub(super) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> Result<(), IndexError> {
    let got = read_some_at(file, buf, offset)?;
    if got < buf.len() {
        return Err(IndexError::Corrupt("pack truncated"));
    }
    Ok(())
}

/// Reads from `offset` until `buf` is full or the file ends; returns how much was read.
fn read_some_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        let n = positioned_read(file, &mut buf[got..], offset + got as u64)?;
        if n == 0 {
            break;
        }
        got += n;
    }
    Ok(got)
}

#[cfg(unix)]
fn positioned_read(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn positioned_read(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}
