//! Flutter's compiled Dart (`libapp.so`, `App.framework/App`): strings in an AOT snapshot
//! carry their own length, so each is cut exactly where it ends. Printable runs alone glue a
//! key to the next object's header bytes when they happen to be printable, and a rule that
//! wants the key to end there then misses it.
//!
//! Two layouts hold strings: objects in the read-only image (`tags`, then the length as a
//! Smi, 4 bytes with compressed pointers or 8 without, then the bytes) and clustered
//! snapshot data (the length shifted left once, as Dart's variable-length unsigned, then the
//! bytes). Both put the length right before the first byte, so each printable run is checked
//! for a length prefix that ends inside it.

use super::binary::{each_run, MIN_STRING};
use super::{Label, Lines};

/// True for a binary that embeds a Dart AOT snapshot.
pub(super) fn is_snapshot(b: &[u8]) -> bool {
    memchr::memmem::find(b, b"_kDartIsolateSnapshotData").is_some()
}

/// Pushes the ASCII strings of `b`: a run with a length prefix is cut at that length (the
/// rest, if long enough, is its own line), any other run is pushed whole, as
/// [`super::binary::ascii_runs`] does. False once the lines are full.
pub(super) fn runs(b: &[u8], lines: &mut Lines, at: impl Fn(usize) -> Label) -> bool {
    each_run(b, |s, e| run(b, s, e, lines, &at))
}

fn run(b: &[u8], s: usize, e: usize, lines: &mut Lines, at: &impl Fn(usize) -> Label) -> bool {
    let cut = declared(b, s, e - s).map_or(e, |n| s + n);
    // When the length covers the whole run, the second part is empty.
    for (from, to) in [(s, cut), (cut, e)] {
        if to - from >= MIN_STRING && !lines.push(at(from), &String::from_utf8_lossy(&b[from..to]))
        {
            return false;
        }
    }
    true
}

/// The longest string length the bytes before `s` declare that is at least [`MIN_STRING`]
/// and fits in the run (`len` bytes).
fn declared(b: &[u8], s: usize, len: usize) -> Option<usize> {
    let word = |back: usize| {
        let w = b.get(s.checked_sub(back)?..s - back + 4)?;
        Some(u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize)
    };
    let byte = |back: usize| s.checked_sub(back).map(|i| b[i] as usize);
    // Object layout: a Smi (value << 1) right before the bytes, or 8 bytes before them with
    // a zero upper half when pointers are not compressed.
    let smi = word(4)
        .into_iter()
        .chain(word(8).filter(|_| word(4) == Some(0)));
    // Clustered: the end byte of a Dart unsigned has its top bit set and carries the
    // highest 7 bits; earlier bytes carry the lower ones.
    let end = byte(1).filter(|&t| t >= 0x80).map(|t| t - 0x80);
    let two = end
        .zip(byte(2).filter(|&c| c < 0x80))
        .map(|(t, c)| c | t << 7);
    smi.chain(end)
        .chain(two)
        .filter(|v| v % 2 == 0)
        .map(|v| v / 2)
        .filter(|&n| (MIN_STRING..=len).contains(&n))
        .max()
}
