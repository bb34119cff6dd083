//! Hermes bytecode (React Native's `index.android.bundle` / `main.jsbundle` when compiled):
//! the string table, each string whole and numbered as the bytecode numbers it, instead of
//! printable runs that glue a key to whatever bytes follow it. Identifiers (property and
//! variable names) are left out. A file whose table does not fit its header is read as
//! printable strings, with one warning.

use super::binary::MIN_STRING;
use super::{Budget, Label, Lines, Visitor};

/// `MAGIC` of a Hermes bytecode file, little-endian.
pub(super) const MAGIC: [u8; 8] = [0xc6, 0x1f, 0xbc, 0x03, 0xc1, 0x03, 0x19, 0x1f];
/// The header is 128 bytes in every version this reader knows.
const HEADER: usize = 128;
/// Oldest version whose string entries have the layout read here (`isUTF16:1 offset:23
/// length:8`, string kinds `count:31 kind:1`).
const MIN_VERSION: u32 = 71;
const FUNCTION_HEADER: usize = 16;
/// A small entry with this length is an index into the overflow table.
const OVERFLOWED: u32 = 0xff;

/// Where each part of the string table lies.
struct Table<'a> {
    kinds: &'a [u8],
    small: &'a [u8],
    overflow: &'a [u8],
    storage: &'a [u8],
}

/// The string table of a Hermes bytecode file, one string a line; false when it holds none.
pub(super) fn strings(
    budget: &mut Budget<'_>,
    member: Option<&str>,
    b: &[u8],
    label: &str,
    visitor: &mut dyn Visitor,
) -> bool {
    let parsed = table(b).map(|t| move |lines: &mut Lines| read(&t, lines));
    let kind = "Hermes bytecode file";
    super::binary::structured(budget, member, b, label, visitor, kind, parsed)
}

fn table(b: &[u8]) -> Result<Table<'_>, String> {
    let h = b.get(..HEADER).ok_or("header truncated")?;
    let field = |i: usize| le32(&h[i..i + 4]) as usize;
    let version = field(8) as u32;
    if version < MIN_VERSION {
        return Err(format!(
            "bytecode version {version} is older than {MIN_VERSION}"
        ));
    }
    let mut at = HEADER;
    let mut take = |len: usize| -> Result<&[u8], String> {
        let end = len.checked_add(at).ok_or("table sizes overflow")?;
        let part = b.get(at..end).ok_or("string table out of bounds")?;
        at = end;
        Ok(part)
    };
    take(
        field(40)
            .checked_mul(FUNCTION_HEADER)
            .ok_or("too many functions")?,
    )?;
    let kinds = take(field(44).saturating_mul(4))?;
    take(field(48).saturating_mul(4))?;
    let small = take(field(52).saturating_mul(4))?;
    let overflow = take(field(56).saturating_mul(8))?;
    let storage = take(field(60))?;
    Ok(Table {
        kinds,
        small,
        overflow,
        storage,
    })
}

/// Pushes every string that is not an identifier. The kinds run-length encode, in table
/// order, which entries are identifiers, so one walk over both tables is enough.
fn read(t: &Table<'_>, lines: &mut Lines) {
    let mut runs = t.kinds.chunks_exact(4).map(le32);
    let (mut left, mut identifier) = (0u32, false);
    for (i, entry) in t.small.chunks_exact(4).map(le32).enumerate() {
        while left == 0 {
            let Some(run) = runs.next() else {
                // Entries past the kinds' total are strings.
                (left, identifier) = (u32::MAX, false);
                break;
            };
            (left, identifier) = (run & 0x7fff_ffff, run >> 31 == 1);
        }
        left -= 1;
        if identifier {
            continue;
        }
        if let Some(s) = string(t, entry) {
            if s.len() >= MIN_STRING && !lines.push(Label::Str("hermes", i), &s) {
                return;
            }
        }
    }
}

/// The text of one small-table entry, or None when it points outside the storage.
fn string(t: &Table<'_>, entry: u32) -> Option<String> {
    let utf16 = entry & 1 == 1;
    let (mut offset, mut length) = ((entry >> 1) & 0x7f_ffff, entry >> 24);
    if length == OVERFLOWED {
        let o = t
            .overflow
            .get(offset as usize * 8..offset as usize * 8 + 8)?;
        (offset, length) = (le32(&o[..4]), le32(&o[4..]));
    }
    let bytes = if utf16 {
        length as usize * 2
    } else {
        length as usize
    };
    let raw = t
        .storage
        .get(offset as usize..(offset as usize).checked_add(bytes)?)?;
    Some(if utf16 {
        let units: Vec<u16> = raw
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        // ASCII strings are stored as Latin-1.
        raw.iter().map(|&c| c as char).collect()
    })
}

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

#[cfg(test)]
mod tests {
    use super::super::{expand, Limits, Piece, Visitor};

    struct Text(String);

    impl Visitor for Text {
        fn piece(&mut self, piece: Piece<'_>) {
            self.0 += &String::from_utf8_lossy(piece.bytes);
        }
        fn warn(&mut self, m: String) {
            panic!("{m}");
        }
    }

    /// Strings whole and in table order; the identifier `apiKey` and nothing else left out.
    #[test]
    fn the_string_table_gives_each_string_whole() {
        let b = include_bytes!("../../../fixtures/binaries/index.android.bundle");
        let mut t = Text(String::new());
        expand("index.android.bundle", b, &Limits::default(), &mut t);
        let lines: Vec<&str> = t.0.lines().collect();
        assert_eq!(lines.len(), 5, "{lines:?}");
        assert_eq!(lines[0], "https://api.acme.example/v2");
        assert_eq!(lines[1], "ghp_4Rt9YpQ2mZ8sLk3VwB7nXc1JfH6dG0aE5uT2");
        assert_eq!(lines[2], "Authorization");
        assert_eq!(lines[3], "Clé AKIA3TX5S5ZQ4W6QS3KR");
        assert!(lines[4].starts_with(r#"{"env":"production","stripe":"sk_live_"#));
        assert_eq!(lines[4].len(), 329);
    }
}
