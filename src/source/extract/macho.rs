//! Mach-O binaries (iOS and macOS executables, frameworks, dylibs) read by section: C string
//! sections as whole strings, `__ustring` as UTF-16, other data sections as printable runs,
//! each labelled with its section. Code, symbol tables and Objective-C/Swift metadata are
//! skipped: they hold names, never secrets, and are most of a binary's printable noise.
//! A file that does not parse is read as printable strings, with one warning.

use super::binary::{ascii_runs, utf16_runs, MIN_STRING};
use super::{Budget, Label, Lines, Visitor};

/// Sections read per binary; a real one has a few dozen.
const MAX_SECTIONS: usize = 512;
/// Architectures a fat header may list before it is taken for a Java class file (same magic).
const MAX_FAT_ARCHS: u32 = 16;

const MH_MAGIC: u32 = 0xfeed_face;
const MH_MAGIC_64: u32 = 0xfeed_facf;
const FAT_MAGIC: u32 = 0xcafe_babe;
const FAT_MAGIC_64: u32 = 0xcafe_babf;
const LC_SEGMENT: u32 = 0x1;
const LC_SEGMENT_64: u32 = 0x19;
const S_CSTRING_LITERALS: u32 = 0x2;
/// Section types that hold pointers, numbers or nothing at all.
const SKIPPED_TYPES: &[u32] = &[0x1, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0x9, 0xa, 0xc, 0xe, 0x12];
const S_ATTR_INSTRUCTIONS: u32 = 0x8000_0000 | 0x400;
/// Section name prefixes of metadata: selectors, class and type names, unwind tables.
const SKIPPED_NAMES: &[&str] = &["__objc_", "__swift5_", "__unwind_info", "__eh_frame"];

/// True for a Mach-O file or a fat (universal) one.
pub(super) fn is_macho(b: &[u8]) -> bool {
    match b.get(..4) {
        Some(&[0xce | 0xcf, 0xfa, 0xed, 0xfe]) => true,
        Some(m) if be32(m) == FAT_MAGIC || be32(m) == FAT_MAGIC_64 => b
            .get(4..8)
            .map(be32)
            .is_some_and(|n| (1..=MAX_FAT_ARCHS).contains(&n)),
        _ => false,
    }
}

/// One section worth reading: where it is in the file, what it holds, what to call it.
struct Section {
    name: String,
    offset: usize,
    size: usize,
    cstrings: bool,
}

/// The strings of a Mach-O binary, section by section; false when there is none.
pub(super) fn strings(
    budget: &mut Budget<'_>,
    member: Option<&str>,
    b: &[u8],
    label: &str,
    visitor: &mut dyn Visitor,
) -> bool {
    let parsed = thin(b)
        .and_then(|(base, image)| sections(image, base))
        .map(|sections| {
            move |lines: &mut Lines| {
                let dart = super::dart::is_snapshot(b);
                for s in &sections {
                    if !read_section(b, s, dart, lines) {
                        break;
                    }
                }
            }
        });
    super::binary::structured(budget, member, b, label, visitor, "Mach-O", parsed)
}

/// Pushes one section's strings; false once the lines are full. Reading is charged, so
/// sections a crafted file points at the same bytes cost no more than the budget.
/// A Flutter app's `App` binary (`dart`) has its snapshot's strings cut at their lengths.
fn read_section(b: &[u8], s: &Section, dart: bool, lines: &mut Lines) -> bool {
    let Some(data) = s
        .offset
        .checked_add(s.size)
        .and_then(|end| b.get(s.offset..end))
    else {
        return true;
    };
    if !lines.charge(data.len() as u64) {
        return false;
    }
    let name = lines.name(&s.name);
    let at = |o: usize| Label::Section(name, s.offset + o);
    if s.cstrings {
        cstrings(data, lines, at)
    } else if s.name.ends_with(",__ustring") {
        utf16_runs(data, lines, at)
    } else if dart {
        super::dart::runs(data, lines, at)
    } else {
        ascii_runs(data, lines, at)
    }
}

/// Each NUL-terminated string as one line, whatever bytes follow it.
fn cstrings(data: &[u8], lines: &mut Lines, at: impl Fn(usize) -> Label) -> bool {
    let mut start = 0;
    for piece in data.split(|&c| c == 0) {
        if piece.len() >= MIN_STRING && !lines.push(at(start), &String::from_utf8_lossy(piece)) {
            return false;
        }
        start += piece.len() + 1;
    }
    true
}

/// The first architecture of a fat file, or the file itself: every slice holds the same
/// strings, and reading them all would report each secret once per architecture.
fn thin(b: &[u8]) -> Result<(usize, &[u8]), String> {
    let magic = be32(&b[..4]);
    if magic != FAT_MAGIC && magic != FAT_MAGIC_64 {
        return Ok((0, b));
    }
    let (offset, size) = if magic == FAT_MAGIC {
        let arch = b.get(8..28).ok_or("fat header truncated")?;
        (
            u64::from(be32(&arch[8..12])),
            u64::from(be32(&arch[12..16])),
        )
    } else {
        let arch = b.get(8..40).ok_or("fat header truncated")?;
        (be64(&arch[8..16]), be64(&arch[16..24]))
    };
    let end = offset.checked_add(size).ok_or("fat slice out of bounds")?;
    let slice = usize::try_from(offset)
        .ok()
        .zip(usize::try_from(end).ok())
        .and_then(|(o, e)| b.get(o..e))
        .ok_or("fat slice out of bounds")?;
    match slice.get(..4) {
        Some(&[0xce | 0xcf, 0xfa, 0xed, 0xfe]) => Ok((offset as usize, slice)),
        _ => Err("fat slice is not a little-endian Mach-O".into()),
    }
}

/// The sections worth reading, with offsets in the whole file (`base` is the slice's start).
fn sections(image: &[u8], base: usize) -> Result<Vec<Section>, String> {
    let wide = match image.get(..4).map(le32) {
        Some(MH_MAGIC_64) => true,
        Some(MH_MAGIC) => false,
        _ => return Err("unknown magic".into()),
    };
    let header = if wide { 32 } else { 28 };
    let ncmds = image.get(16..20).map(le32).ok_or("header truncated")?;
    let mut at = header;
    let mut out = Vec::new();
    for _ in 0..ncmds {
        let cmd = image.get(at..at + 8).ok_or("load commands truncated")?;
        let size = le32(&cmd[4..8]) as usize;
        let body = image.get(at..at + size).filter(|_| size >= 8);
        let body = body.ok_or("load command size out of bounds")?;
        match le32(&cmd[..4]) {
            LC_SEGMENT_64 if wide => segment(body, true, base, &mut out)?,
            LC_SEGMENT if !wide => segment(body, false, base, &mut out)?,
            _ => {}
        }
        at += size;
    }
    Ok(out)
}

/// Adds the readable sections of one segment command.
fn segment(cmd: &[u8], wide: bool, base: usize, out: &mut Vec<Section>) -> Result<(), String> {
    let (head, entry) = if wide { (72, 80) } else { (56, 68) };
    let nsects = cmd
        .get(head - 8..head - 4)
        .map(le32)
        .ok_or("segment truncated")? as usize;
    for i in 0..nsects {
        let s = cmd
            .get(head + i * entry..head + (i + 1) * entry)
            .ok_or("section table truncated")?;
        if out.len() == MAX_SECTIONS {
            return Ok(());
        }
        out.extend(section(s, wide, base));
    }
    Ok(())
}

/// One `section`/`section_64` entry, if it is data worth reading.
fn section(s: &[u8], wide: bool, base: usize) -> Option<Section> {
    let (size, rest) = if wide {
        (le64(&s[40..48]), &s[48..])
    } else {
        (u64::from(le32(&s[36..40])), &s[40..])
    };
    let offset = le32(&rest[..4]) as usize;
    let flags = le32(&rest[16..20]);
    let sect = c_name(&s[..16]);
    let seg = c_name(&s[16..32]);
    let kind = flags & 0xff;
    let skipped = SKIPPED_TYPES.contains(&kind)
        || flags & S_ATTR_INSTRUCTIONS != 0
        || SKIPPED_NAMES.iter().any(|p| sect.starts_with(p))
        || offset == 0;
    (!skipped).then(|| Section {
        name: format!("{seg},{sect}"),
        offset: base + offset,
        size: usize::try_from(size).unwrap_or(usize::MAX),
        cstrings: kind == S_CSTRING_LITERALS,
    })
}

fn c_name(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be64(b: &[u8]) -> u64 {
    u64::from_be_bytes(b[..8].try_into().unwrap_or([0; 8]))
}

fn le64(b: &[u8]) -> u64 {
    u64::from_le_bytes(b[..8].try_into().unwrap_or([0; 8]))
}
