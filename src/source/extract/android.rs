//! Android formats: the DEX string table, binary XML (AndroidManifest.xml, res/**.xml) and the
//! resources.arsc global string pool. All offsets are bounds-checked; bad ones end the read
//! with a warning.

use super::{Lines, Visitor};

fn u16_at(b: &[u8], o: usize) -> Option<usize> {
    b.get(o..o + 2)
        .map(|x| u16::from_le_bytes([x[0], x[1]]) as usize)
}

fn u32_at(b: &[u8], o: usize) -> Option<usize> {
    b.get(o..o + 4)
        .map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]) as usize)
}

fn uleb128(b: &[u8], mut o: usize) -> Option<(usize, usize)> {
    let mut v = 0usize;
    for shift in (0..35).step_by(7) {
        let byte = *b.get(o)?;
        o += 1;
        v |= ((byte & 0x7f) as usize) << shift;
        if byte & 0x80 == 0 {
            return Some((v, o));
        }
    }
    None
}

/// DEX strings are MUTF-8: UTF-8 with NUL as C0 80 and supplementary characters as surrogate
/// pairs; a lossy UTF-8 decode keeps every ASCII secret intact.
fn mutf8(b: &[u8]) -> String {
    String::from_utf8_lossy(&b.iter().copied().filter(|&c| c != 0xc0).collect::<Vec<_>>())
        .into_owned()
}

/// The string table of a DEX file, one string a line, labelled `dex string N`.
pub(super) fn dex(member: Option<&str>, b: &[u8], label: &str, visitor: &mut dyn Visitor) {
    const MAX_STRING: usize = 1 << 20;
    let (Some(count), Some(ids)) = (u32_at(b, 0x38), u32_at(b, 0x3c)) else {
        return visitor.warn(format!("{label}: truncated DEX header"));
    };
    let mut lines = Lines::new();
    for i in 0..count {
        let Some(off) = ids.checked_add(i * 4).and_then(|o| u32_at(b, o)) else {
            visitor.warn(format!(
                "{label}: DEX string id {i} outside the file; stopped"
            ));
            break;
        };
        let Some((_, start)) = uleb128(b, off) else {
            visitor.warn(format!(
                "{label}: DEX string {i} at bad offset {off:#x}; stopped"
            ));
            break;
        };
        let Some(rest) = b.get(start..) else { break };
        let end = memchr::memchr(0, &rest[..rest.len().min(MAX_STRING)])
            .unwrap_or(rest.len().min(MAX_STRING));
        lines.push(format!("dex string {i}"), &mutf8(&rest[..end]));
    }
    lines.emit(member, visitor);
}

/// A ResStringPool chunk at `o`: its strings (UTF-8 or UTF-16) and the chunk size.
fn string_pool(b: &[u8], o: usize) -> Option<(Vec<String>, usize)> {
    if u16_at(b, o)? != 0x0001 {
        return None;
    }
    let size = u32_at(b, o + 4)?;
    let count = u32_at(b, o + 8)?;
    let utf8 = u32_at(b, o + 16)? & 0x100 != 0;
    let strings_start = o + u32_at(b, o + 20)?;
    let header = u16_at(b, o + 2)?;
    let mut out = Vec::with_capacity(count.min(1 << 20));
    for i in 0..count.min(1 << 20) {
        let Some(rel) = u32_at(b, o + header + i * 4) else {
            break;
        };
        let Some(s) = strings_start
            .checked_add(rel)
            .and_then(|p| pool_string(b, p, utf8))
        else {
            break;
        };
        out.push(s);
    }
    Some((out, size))
}

fn pool_string(b: &[u8], p: usize, utf8: bool) -> Option<String> {
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
        let units: Vec<u16> = b
            .get(p..p + len * 2)?
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        Some(String::from_utf16_lossy(&units))
    }
}

/// resources.arsc: the global string pool (UTF-16 or UTF-8), one string a line.
pub(super) fn arsc(member: Option<&str>, b: &[u8], label: &str, visitor: &mut dyn Visitor) {
    let Some(header) = u16_at(b, 2) else {
        return visitor.warn(format!("{label}: truncated resource table"));
    };
    let Some((strings, _)) = string_pool(b, header) else {
        return visitor.warn(format!(
            "{label}: no string pool where the resource table says"
        ));
    };
    let mut lines = Lines::new();
    for (i, s) in strings.iter().enumerate() {
        lines.push(format!("resource string {i}"), s);
    }
    lines.emit(member, visitor);
}

/// Binary XML decoded to one line per element: `<name attr="value" …>`, so `meta-data`
/// values read like source (`android:value="…"`).
pub(super) fn xml(member: Option<&str>, b: &[u8], label: &str, visitor: &mut dyn Visitor) {
    let Some(header) = u16_at(b, 2) else {
        return visitor.warn(format!("{label}: truncated binary XML"));
    };
    let Some((strings, pool_size)) = string_pool(b, header) else {
        return visitor.warn(format!("{label}: binary XML without a string pool"));
    };
    let s = |i: usize| strings.get(i).map(String::as_str).unwrap_or("");
    let mut lines = Lines::new();
    let mut o = header + pool_size;
    while let (Some(kind), Some(head), Some(size)) =
        (u16_at(b, o), u16_at(b, o + 2), u32_at(b, o + 4))
    {
        if size < 8 {
            visitor.warn(format!("{label}: malformed XML chunk at {o:#x}; stopped"));
            break;
        }
        if kind == 0x0102 {
            if let Some(line) = start_element(b, o + head, &s) {
                lines.push(format!("xml offset {o:#x}"), &line);
            }
        }
        o += size;
    }
    lines.emit(member, visitor);
}

fn start_element<'s>(b: &[u8], o: usize, s: &impl Fn(usize) -> &'s str) -> Option<String> {
    let name = s(u32_at(b, o + 4)?);
    let attr_start = u16_at(b, o + 8)?;
    let attr_size = u16_at(b, o + 10)?.max(20);
    let count = u16_at(b, o + 12)?;
    let mut line = format!("<{name}");
    for i in 0..count.min(1024) {
        let a = o + attr_start + i * attr_size;
        let attr = s(u32_at(b, a + 4)?);
        let raw = u32_at(b, a + 8)?;
        let (kind, data) = (*b.get(a + 15)?, u32_at(b, a + 16)?);
        let value = if raw != 0xffff_ffff {
            s(raw).to_string()
        } else {
            match kind {
                0x03 => s(data).to_string(),
                0x12 => (data != 0).to_string(),
                _ => data.to_string(),
            }
        };
        line.push_str(&format!(" android:{attr}=\"{value}\""));
    }
    line.push('>');
    Some(line)
}
