//! Byte offsets → 1-based line and UTF-16 column, computed only for what is reported.

use crate::finding::Position;

/// Resolves many offsets in one forward pass: offsets are sorted, newlines are counted with
/// memchr from the previous point, and the column is counted from that line's start.
pub fn positions(buf: &[u8], offsets: &[usize]) -> Vec<Position> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_unstable_by_key(|&i| offsets[i]);
    let mut out = vec![Position { line: 1, column: 1 }; offsets.len()];
    // `col` is the 0-based column of `at`; on a long minified line each offset only counts
    // the bytes since the previous one, never the whole line again.
    let (mut at, mut line, mut col) = (0usize, 1usize, 0usize);
    for i in order {
        let off = offsets[i].min(buf.len());
        let chunk = &buf[at..off];
        match memchr::memrchr(b'\n', chunk) {
            Some(last) => {
                line += memchr::memchr_iter(b'\n', chunk).count();
                col = utf16_len(&chunk[last + 1..]);
            }
            None => col += utf16_len(chunk),
        }
        at = off;
        out[i] = Position {
            line,
            column: col + 1,
        };
    }
    out
}

/// Length in UTF-16 code units; bytes of invalid UTF-8 count one each.
fn utf16_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0xBF => 0, // continuation byte
            0xF0..=0xFF => 2, // four-byte sequence: a surrogate pair
            _ => 1,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let buf = "ab\ncd é𝄞x\n\nz".as_bytes();
        let x = buf.iter().position(|&b| b == b'x').unwrap();
        let z = buf.len() - 1;
        let p = positions(buf, &[z, 0, x, 4]);
        assert_eq!(p[0], Position { line: 4, column: 1 });
        assert_eq!(p[1], Position { line: 1, column: 1 });
        // "cd é𝄞" is 3 + 1 + 2 UTF-16 units before x.
        assert_eq!(p[2], Position { line: 2, column: 7 });
        assert_eq!(p[3], Position { line: 2, column: 2 });
    }
}
