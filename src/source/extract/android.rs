//! Android formats: binary XML (AndroidManifest.xml, res/**.xml) and the resources.arsc
//! global string pool (DEX is in `dex/`). All offsets are bounds-checked; bad ones end the read
//! with a warning.

use super::{Budget, Label, Lines, Placement, Visitor};
use rustc_hash::FxHashMap;

pub(super) fn u16_at(b: &[u8], o: usize) -> Option<usize> {
    b.get(o..o + 2)
        .map(|x| u16::from_le_bytes([x[0], x[1]]) as usize)
}

pub(super) fn u32_at(b: &[u8], o: usize) -> Option<usize> {
    b.get(o..o + 4)
        .map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]) as usize)
}

/// A ResStringPool chunk at `o`, read into `lines`' limit: each distinct offset is decoded
/// once, and every id is charged for its string so repeats count.
pub(super) struct Pool {
    /// Decoded strings, one per distinct offset.
    strings: Vec<String>,
    /// For each id: its string in `strings` and whether it is the first id with it.
    ids: Vec<(u32, bool)>,
    /// The chunk size.
    size: usize,
}

impl Pool {
    /// How many ids the pool has.
    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }

    /// String `i`, or "" for a bad index.
    pub(super) fn get(&self, i: usize) -> &str {
        self.ids
            .get(i)
            .and_then(|&(s, _)| self.strings.get(s as usize))
            .map_or("", String::as_str)
    }
}

pub(super) fn string_pool(b: &[u8], o: usize, lines: &mut Lines) -> Option<Pool> {
    if u16_at(b, o)? != 0x0001 {
        return None;
    }
    let size = u32_at(b, o + 4)?;
    let count = u32_at(b, o + 8)?;
    let utf8 = u32_at(b, o + 16)? & 0x100 != 0;
    let strings_start = o + u32_at(b, o + 20)?;
    let header = u16_at(b, o + 2)?;
    // Each id takes 4 bytes of the input, so the input bounds what is reserved.
    let mut pool = Pool {
        strings: Vec::new(),
        ids: Vec::with_capacity(count.min(b.len() / 4)),
        size,
    };
    let mut by_offset: FxHashMap<usize, u32> = FxHashMap::default();
    for i in 0..count {
        let Some(rel) = u32_at(b, o + header + i * 4) else {
            break;
        };
        let Some(p) = strings_start.checked_add(rel) else {
            break;
        };
        if let Some(&s) = by_offset.get(&p) {
            if !lines.charge(pool.strings[s as usize].len() as u64 + 1) {
                break;
            }
            pool.ids.push((s, false));
            continue;
        }
        let Some(s) = pool_string(b, p, utf8, lines.room()) else {
            break;
        };
        if !lines.charge(s.len() as u64 + 1) {
            break;
        }
        let n = pool.strings.len() as u32;
        by_offset.insert(p, n);
        pool.strings.push(s);
        pool.ids.push((n, true));
    }
    Some(pool)
}

/// The string at `p`, or `None` when it is malformed or longer than `room` bytes.
fn pool_string(b: &[u8], p: usize, utf8: bool, room: u64) -> Option<String> {
    if utf8 {
        // u8/u16 character count, then u8/u16 byte count, then the bytes.
        let skip = |p: usize| {
            if *b.get(p)? & 0x80 != 0 {
                Some(p + 2)
            } else {
                Some(p + 1)
            }
        };
        let p = skip(p)?;
        let (len, p) = if *b.get(p)? & 0x80 != 0 {
            (
                ((*b.get(p)? as usize & 0x7f) << 8) | *b.get(p + 1)? as usize,
                p + 2,
            )
        } else {
            (*b.get(p)? as usize, p + 1)
        };
        Some(String::from_utf8_lossy(b.get(p..p + len)?).into_owned())
    } else {
        let first = u16_at(b, p)?;
        let (len, p) = if first & 0x8000 != 0 {
            (((first & 0x7fff) << 16) | u16_at(b, p + 2)?, p + 4)
        } else {
            (first, p + 2)
        };
        // A UTF-16 unit decodes to at least one byte: a string that cannot fit is not decoded.
        if len as u64 > room {
            return None;
        }
        let units: Vec<u16> = b
            .get(p..p + len * 2)?
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        Some(String::from_utf16_lossy(&units))
    }
}

/// resources.arsc: every string resource as `type/name = "value"` (see [`super::arsc`]),
/// then the rest of the global string pool (styles, file paths, array items), one string a
/// line.
pub(super) fn arsc(
    budget: &mut Budget<'_>,
    member: Option<&str>,
    b: &[u8],
    label: &str,
    visitor: &mut dyn Visitor,
) {
    let Some(header) = u16_at(b, 2) else {
        return visitor.warn(format!("{label}: truncated resource table"));
    };
    // Decoding the pool and the lines share one limit.
    let mut lines = Lines::new(budget.decoded_room(b.len()));
    let Some(pool) = string_pool(b, header, &mut lines) else {
        return visitor.warn(format!(
            "{label}: no string pool where the resource table says"
        ));
    };
    let named = super::arsc::entries(b, header.saturating_add(pool.size), &pool, &mut lines);
    // A string shared by several entries, or already given with its name, is not repeated.
    let mut given: Vec<bool> = vec![false; pool.strings.len()];
    for (i, &(s, _)) in pool.ids.iter().enumerate() {
        if named.get(i).copied().unwrap_or(false) {
            given[s as usize] = true;
        }
    }
    for (i, &(s, first)) in pool.ids.iter().enumerate() {
        if first && !given[s as usize] && !lines.push(Label::Resource(i), &pool.strings[s as usize])
        {
            break;
        }
    }
    budget.finish(lines, b.len(), member, label, Placement::Opaque, visitor);
}

/// Binary XML decoded to one line per element: `<name attr="value" …>`, so `meta-data`
/// values read like source (`android:value="…"`).
pub(super) fn xml(
    budget: &mut Budget<'_>,
    member: Option<&str>,
    b: &[u8],
    label: &str,
    visitor: &mut dyn Visitor,
) {
    let Some(header) = u16_at(b, 2) else {
        return visitor.warn(format!("{label}: truncated binary XML"));
    };
    // The pool and the element lines have a limit each, so a pool that spends its own
    // still leaves the elements (where manifest values are) their share.
    let mut meter = Lines::new(budget.decoded_room(b.len()));
    let Some(pool) = string_pool(b, header, &mut meter) else {
        return visitor.warn(format!("{label}: binary XML without a string pool"));
    };
    let mut lines = Lines::new(budget.decoded_room(b.len()));
    let mut o = header + pool.size;
    while let (Some(kind), Some(head), Some(size)) =
        (u16_at(b, o), u16_at(b, o + 2), u32_at(b, o + 4))
    {
        if size < 8 || lines.full() {
            if size < 8 {
                visitor.warn(format!("{label}: malformed XML chunk at {o:#x}; stopped"));
            }
            break;
        }
        if kind == 0x0102 {
            let room = lines.room() as usize;
            if let Some(line) = start_element(b, o + head, &pool, room) {
                if !lines.push(Label::Xml(o), &line) {
                    break;
                }
            }
        }
        o += size;
    }
    lines.full |= meter.full();
    budget.finish(lines, b.len(), member, label, Placement::Opaque, visitor);
}

/// The element at `o` as one line, built no further than `room` bytes (past that the caller's
/// push fails and decoding stops): chunks may all point at one element with thousands of
/// attributes naming one long string.
fn start_element(b: &[u8], o: usize, pool: &Pool, room: usize) -> Option<String> {
    let name = pool.get(u32_at(b, o + 4)?);
    let attr_start = u16_at(b, o + 8)?;
    let attr_size = u16_at(b, o + 10)?.max(20);
    let count = u16_at(b, o + 12)?;
    let mut line = format!("<{name}");
    for i in 0..count {
        if line.len() > room {
            return Some(line);
        }
        let a = o + attr_start + i * attr_size;
        let attr = pool.get(u32_at(b, a + 4)?);
        let raw = u32_at(b, a + 8)?;
        let (kind, data) = (*b.get(a + 15)?, u32_at(b, a + 16)?);
        line.push_str(" android:");
        line.push_str(attr);
        line.push_str("=\"");
        if raw != 0xffff_ffff {
            line.push_str(pool.get(raw));
        } else {
            match kind {
                0x03 => line.push_str(pool.get(data)),
                0x12 => line.push_str(if data != 0 { "true" } else { "false" }),
                _ => line.push_str(&data.to_string()),
            }
        }
        line.push('"');
    }
    line.push('>');
    Some(line)
}
