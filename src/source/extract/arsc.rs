//! resources.arsc as the table it is: package → type → entry → value, so a compiled app's
//! `string/google_api_key` keeps its name and name-based rules work on it exactly as on
//! `res/values/strings.xml` in source. Every chunk is bounds-checked and walked in one
//! loop, never recursively; what the table holds is charged to the member's output limit.

use super::android::{string_pool, u16_at, u32_at, Pool};
use super::{Label, Lines};

const RES_TABLE_PACKAGE: usize = 0x0200;
const RES_TABLE_TYPE: usize = 0x0201;
const NO_ENTRY: usize = 0xFFFF_FFFF;
const FLAG_SPARSE: u8 = 0x01;
const FLAG_OFFSET16: u8 = 0x02;
const ENTRY_COMPLEX: usize = 0x0001;
const ENTRY_COMPACT: usize = 0x0008;
const TYPE_STRING: u8 = 0x03;

/// One package's name pools.
struct Package {
    types: Pool,
    keys: Pool,
}

/// Emits `type/name = "value"` for every entry whose value is a string of the global pool
/// `values`, in every configuration (`[de] string/greeting = "…"`), reading the chunks from
/// offset `from`. Returns which pool ids were emitted that way, so the caller can add the
/// rest of the pool as bare strings.
pub(super) fn entries(b: &[u8], from: usize, values: &Pool, lines: &mut Lines) -> Vec<bool> {
    let mut used = vec![false; values.len()];
    let mut o = from;
    // Top-level chunks after the global pool: packages.
    while let (Some(kind), Some(size)) = (u16_at(b, o), u32_at(b, o + 4)) {
        if size < 8 {
            break;
        }
        if kind == RES_TABLE_PACKAGE && !package(b, o, size, values, lines, &mut used) {
            break;
        }
        let Some(next) = o.checked_add(size) else {
            break;
        };
        o = next;
    }
    used
}

/// One package chunk at `p`; false once the output limit is reached.
fn package(
    b: &[u8],
    p: usize,
    size: usize,
    values: &Pool,
    lines: &mut Lines,
    used: &mut [bool],
) -> bool {
    let end = p.saturating_add(size).min(b.len());
    let (Some(header), Some(types_at), Some(keys_at)) =
        (u16_at(b, p + 2), u32_at(b, p + 268), u32_at(b, p + 276))
    else {
        return true;
    };
    let (Some(types), Some(keys)) = (
        string_pool(b, p + types_at, lines),
        string_pool(b, p + keys_at, lines),
    ) else {
        return true;
    };
    let pkg = Package { types, keys };
    let mut o = p + header;
    while o + 8 <= end {
        let (Some(kind), Some(chunk)) = (u16_at(b, o), u32_at(b, o + 4)) else {
            break;
        };
        if chunk < 8 {
            break;
        }
        if kind == RES_TABLE_TYPE && !type_chunk(b, o, chunk, &pkg, values, lines, used) {
            return false;
        }
        o = o.saturating_add(chunk);
    }
    true
}

/// A `ResTable_type` chunk at `t`: one configuration of one type.
fn type_chunk(
    b: &[u8],
    t: usize,
    size: usize,
    pkg: &Package,
    values: &Pool,
    lines: &mut Lines,
    used: &mut [bool],
) -> bool {
    let (Some(header), Some(&id), Some(&flags), Some(count), Some(start)) = (
        u16_at(b, t + 2),
        b.get(t + 8),
        b.get(t + 9),
        u32_at(b, t + 12),
        u32_at(b, t + 16),
    ) else {
        return true;
    };
    let type_name = pkg.types.get((id as usize).wrapping_sub(1));
    let qualifier = qualifier(b, t + 20);
    let offsets = t + header;
    let width = if flags & FLAG_OFFSET16 != 0 { 2 } else { 4 };
    // The offsets lie inside this chunk, and chunks do not overlap: the whole table is read
    // once however many entries each type claims.
    let room = size.saturating_sub(header) / width;
    for i in 0..count.min(room) {
        let off = if flags & FLAG_SPARSE != 0 {
            // (entry index, offset / 4) pairs; the index names nothing we report.
            match u16_at(b, offsets + i * 4 + 2) {
                Some(off) => off * 4,
                None => break,
            }
        } else if width == 2 {
            match u16_at(b, offsets + i * 2) {
                Some(0xFFFF) => continue,
                Some(off) => off * 4,
                None => break,
            }
        } else {
            match u32_at(b, offsets + i * 4) {
                Some(NO_ENTRY) => continue,
                Some(off) => off,
                None => break,
            }
        };
        let Some(at) = t.checked_add(start).and_then(|s| s.checked_add(off)) else {
            continue;
        };
        let Some((key, value)) = string_entry(b, at) else {
            continue;
        };
        let text = values.get(value);
        // File references (`res/layout/main.xml`) and empty ids name no secret; they stay
        // in the pool's plain lines.
        if text.is_empty() || text.starts_with("res/") {
            continue;
        }
        let Some(slot) = used.get_mut(value) else {
            continue;
        };
        *slot = true;
        // The qualifier goes first: between a name and its `=` it would hide the name.
        let name = format!("{qualifier}{type_name}/{}", pkg.keys.get(key));
        let line = format!("{name} = \"{text}\"");
        if !lines.push(Label::Entry(name.len()), &line) {
            return false;
        }
    }
    true
}

/// The key and global-pool string index of a simple entry whose value is a string.
fn string_entry(b: &[u8], at: usize) -> Option<(usize, usize)> {
    let size = u16_at(b, at)?;
    let flags = u16_at(b, at + 2)?;
    if flags & ENTRY_COMPACT != 0 {
        // Compact: the key is in the size field, the value type in the flags' high byte.
        return ((flags >> 8) as u8 == TYPE_STRING).then_some((size, u32_at(b, at + 4)?));
    }
    if flags & ENTRY_COMPLEX != 0 {
        return None;
    }
    let key = u32_at(b, at + 4)?;
    let value = at.checked_add(size)?;
    (*b.get(value + 3)? == TYPE_STRING).then_some((key, u32_at(b, value + 4)?))
}

/// `[de-rAT] ` for a localised configuration, empty for the default one. Other qualifiers
/// (density, night mode, API level) do not change what a string is.
fn qualifier(b: &[u8], config: usize) -> String {
    let code = |o: usize| -> Option<String> {
        let pair = b.get(config + o..config + o + 2)?;
        // Two ASCII letters; a packed three-letter code has the high bit set and is rare.
        pair.iter()
            .all(u8::is_ascii_alphabetic)
            .then(|| String::from_utf8_lossy(pair).into_owned())
    };
    match (code(8), code(10)) {
        (Some(lang), Some(region)) => format!("[{lang}-r{region}] "),
        (Some(lang), None) => format!("[{lang}] "),
        _ => String::new(),
    }
}
