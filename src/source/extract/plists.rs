//! Property lists (binary or XML), flattened to `key.path = "value"` lines.

use super::{placed, Budget, Label, Lines, Piece, Placement, Visitor};

/// A plist flattened to `key.path = "value"` lines, so rules written for config files apply.
///
/// Binary plists are read here, walking the object graph with an explicit stack; XML ones by
/// the `plist` crate, whose builder recurses, so their nesting is measured on the tags first
/// and a plist nested too deep (or too dense to build within the member's limit) is scanned
/// as the text it is.
pub(super) fn plist(
    budget: &mut Budget<'_>,
    member: Option<&str>,
    b: &[u8],
    label: &str,
    visitor: &mut dyn Visitor,
) {
    let mut lines = Lines::new(budget.decoded_room(b.len()));
    let mut too_deep = false;
    let max_nesting = budget.limits.max_nesting;
    if b.starts_with(b"bplist00") {
        if let Err(e) = binary_plist(b, max_nesting, &mut lines, &mut too_deep) {
            visitor.warn(format!("{label}: unreadable plist: {e}"));
        }
    } else {
        let (depth, tags) = xml_shape(b);
        // A built value costs about this much per tag beyond the text it holds.
        const VALUE_BYTES_PER_TAG: u64 = 32;
        let cost = (tags as u64)
            .saturating_mul(VALUE_BYTES_PER_TAG)
            .saturating_add(b.len() as u64);
        if depth > max_nesting || cost > lines.room() {
            let why = if depth > max_nesting {
                format!("nested deeper than {max_nesting} (--max-nesting)")
            } else {
                format!("{tags} elements, too many to decode")
            };
            visitor.warn(format!("{label}: plist {why}; scanned as text"));
            return visitor.piece(Piece {
                member,
                bytes: b,
                detail: None,
                placement: placed(member),
                original: None,
            });
        }
        match plist::Value::from_reader(std::io::Cursor::new(b)) {
            Ok(v) => flatten(&v, String::new(), &mut lines, 0, max_nesting),
            Err(e) => return visitor.warn(format!("{label}: unreadable plist: {e}")),
        }
    }
    if too_deep {
        visitor.warn(format!(
            "{label}: plist nested deeper than {max_nesting} (--max-nesting); deeper values skipped"
        ));
    }
    // An XML plist is text a viewer opens; its values are found again there by their bytes.
    let placement = match member {
        None if !b.starts_with(b"bplist00") => Placement::Rebuilt { input: b },
        _ => Placement::Opaque,
    };
    budget.finish(lines, b.len(), member, label, placement, visitor);
}

/// The deepest `<array>`/`<dict>` nesting of an XML plist and its number of tags, in one
/// pass over the tags; each tag is looked at for a bounded number of bytes.
fn xml_shape(b: &[u8]) -> (usize, usize) {
    let (mut depth, mut max, mut tags) = (0usize, 0usize, 0usize);
    for i in memchr::memchr_iter(b'<', b) {
        tags += 1;
        let rest = &b[i + 1..];
        let (close, name) = match rest.strip_prefix(b"/") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let Some(after) = [&b"array"[..], b"dict"]
            .iter()
            .find_map(|t| name.strip_prefix(*t))
        else {
            continue;
        };
        match after.first() {
            Some(b'>') => {}
            Some(c) if c.is_ascii_whitespace() || *c == b'/' => {
                // `<array/>` opens nothing; look no further than a tag's worth.
                let window = &after[..after.len().min(64)];
                let end = memchr::memchr(b'>', window).unwrap_or(window.len());
                if !close && end > 0 && window[end - 1] == b'/' {
                    continue;
                }
            }
            _ => continue,
        }
        if close {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            max = max.max(depth);
        }
    }
    (max, tags)
}

/// An XML plist's values, depth first. Recursion is bounded: [`xml_shape`] refused anything
/// nested deeper than `max`.
fn flatten(v: &plist::Value, path: String, lines: &mut Lines, depth: usize, max: usize) {
    if depth > max || lines.full() {
        return;
    }
    let key = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        plist::Value::Dictionary(d) => {
            for (k, v) in d {
                flatten(v, key(k), lines, depth + 1, max);
            }
        }
        plist::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                flatten(v, key(&i.to_string()), lines, depth + 1, max);
            }
        }
        plist::Value::String(s) => {
            lines.push(Label::Key(path.len()), &format!("{path} = \"{s}\""));
        }
        plist::Value::Data(d) => {
            lines.push(
                Label::Key(path.len()),
                &format!("{path} = \"{}\"", String::from_utf8_lossy(d)),
            );
        }
        _ => {}
    }
}

/// A binary plist (`bplist00`): objects found through an offset table, containers holding
/// references to other objects.
struct Bplist<'a> {
    b: &'a [u8],
    /// Where the offset table starts, and its entries' and the references' widths.
    table: usize,
    offset_size: usize,
    ref_size: usize,
    /// Objects in the table; the table lies inside the file, so this is bounded by its size.
    count: usize,
    /// Where the trailer starts: no object lies past it.
    trailer: usize,
}

/// A big-endian unsigned integer of `n` (1 to 8) bytes at `at`.
fn be(b: &[u8], at: usize, n: usize) -> Option<u64> {
    let bytes = b.get(at..at.checked_add(n)?)?;
    Some(bytes.iter().fold(0u64, |v, &x| (v << 8) | u64::from(x)))
}

/// What an object is: its type nibble, and for sized types the length and where the content
/// starts.
struct Object {
    kind: u8,
    len: usize,
    content: usize,
}

impl<'a> Bplist<'a> {
    fn open(b: &'a [u8]) -> Result<(Self, usize), &'static str> {
        let trailer = b
            .len()
            .checked_sub(32)
            .filter(|&t| t >= 8)
            .ok_or("truncated")?;
        let offset_size = usize::from(b[trailer + 6]);
        let ref_size = usize::from(b[trailer + 7]);
        if !(1..=8).contains(&offset_size) || !(1..=8).contains(&ref_size) {
            return Err("bad trailer");
        }
        let field = |i: usize| be(b, trailer + 8 + 8 * i, 8).map_or(0, |v| v as usize);
        let (count, root, table) = (field(0), field(1), field(2));
        let fits = count
            .checked_mul(offset_size)
            .and_then(|n| n.checked_add(table))
            .is_some_and(|end| end <= trailer);
        if !fits || root >= count {
            return Err("offset table outside the file");
        }
        let p = Bplist {
            b,
            table,
            offset_size,
            ref_size,
            count,
            trailer,
        };
        Ok((p, root))
    }

    fn object(&self, id: usize) -> Option<Object> {
        if id >= self.count {
            return None;
        }
        let at = be(self.b, self.table + id * self.offset_size, self.offset_size)? as usize;
        if at >= self.trailer {
            return None;
        }
        let marker = self.b[at];
        let (kind, low) = (marker >> 4, marker & 0xf);
        let (len, content) = match kind {
            0x4 | 0x5 | 0x6 | 0xa | 0xc | 0xd if low == 0xf => {
                // The length is an integer object: 0x1n, then 2^n bytes.
                let int = *self.b.get(at + 1)?;
                if int >> 4 != 0x1 {
                    return None;
                }
                let n = 1usize << (int & 0x3);
                (be(self.b, at + 2, n)? as usize, at + 2 + n)
            }
            _ => (usize::from(low), at + 1),
        };
        Some(Object { kind, len, content })
    }

    /// Reference `i` of the container whose references start at `content`.
    fn child(&self, content: usize, i: usize) -> Option<usize> {
        let at = i.checked_mul(self.ref_size)?.checked_add(content)?;
        if at >= self.trailer {
            return None;
        }
        be(self.b, at, self.ref_size).map(|v| v as usize)
    }

    /// The text of a string or data object, if it fits in `room` bytes.
    fn text(&self, o: &Object, room: u64) -> Result<Text, &'static str> {
        let width = match o.kind {
            0x4 | 0x5 => 1,
            0x6 => 2,
            _ => return Ok(Text::Absent),
        };
        let n = o.len.checked_mul(width).ok_or("string outside the file")?;
        if n as u64 > room {
            return Ok(Text::TooLong);
        }
        let bytes = o
            .content
            .checked_add(n)
            .filter(|&end| end <= self.trailer)
            .and_then(|end| self.b.get(o.content..end))
            .ok_or("string outside the file")?;
        Ok(Text::Fits(if width == 1 {
            String::from_utf8_lossy(bytes).into_owned()
        } else {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }))
    }
}

/// A string or data object's text, decoded only when it fits what the member may produce.
enum Text {
    Fits(String),
    TooLong,
    Absent,
}

/// An open array (or set) or dictionary of a binary plist.
struct Open {
    id: usize,
    dict: bool,
    /// Where its references start, how many elements (key/value pairs), the next one.
    content: usize,
    len: usize,
    next: usize,
    /// The key path's length before this container's own segment.
    restore: usize,
}

/// Walks a binary plist from its root object, depth first, in the order the `plist` crate's
/// values iterate. Every object visited is charged before it is decoded, because objects are
/// shared: a million references to one long string, or arrays of arrays of shared arrays,
/// stream far more than the file holds. An object inside itself is an error, as in the
/// crate, and also bounds the stack by the number of objects.
fn binary_plist(
    b: &[u8],
    max_nesting: usize,
    lines: &mut Lines,
    too_deep: &mut bool,
) -> Result<(), &'static str> {
    let (p, root) = Bplist::open(b)?;
    let mut path = String::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut open = vec![false; p.count];
    let mut next = Some((root, None::<String>));
    loop {
        if let Some((id, segment)) = next.take() {
            if !lines.charge(1) {
                return Ok(());
            }
            let o = p.object(id).ok_or("object outside the file")?;
            let depth = stack.len();
            if depth > max_nesting {
                *too_deep = true;
            } else {
                let restore = path.len();
                if let Some(s) = segment {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&s);
                }
                match o.kind {
                    0xa | 0xc | 0xd => {
                        if open[id] {
                            return Err("an object contains itself");
                        }
                        open[id] = true;
                        stack.push(Open {
                            id,
                            dict: o.kind == 0xd,
                            content: o.content,
                            len: o.len,
                            next: 0,
                            restore,
                        });
                        continue;
                    }
                    _ => match p.text(&o, lines.room())? {
                        Text::Fits(t) => {
                            if !lines.push(Label::Key(path.len()), &format!("{path} = \"{t}\"")) {
                                return Ok(());
                            }
                        }
                        Text::Absent => {}
                        Text::TooLong => {
                            lines.charge(lines.room() + 1);
                            return Ok(());
                        }
                    },
                }
                path.truncate(restore);
            }
        }
        let Some(top) = stack.last_mut() else {
            return Ok(());
        };
        if top.next >= top.len {
            open[top.id] = false;
            path.truncate(top.restore);
            stack.pop();
            continue;
        }
        let i = top.next;
        top.next += 1;
        let (content, len, dict) = (top.content, top.len, top.dict);
        if dict {
            let key = p.child(content, i).ok_or("reference outside the file")?;
            let value = p
                .child(content, len + i)
                .ok_or("reference outside the file")?;
            if !lines.charge(1) {
                return Ok(());
            }
            let k = p.object(key).ok_or("object outside the file")?;
            let name = match (k.kind, p.text(&k, lines.room())?) {
                (0x5 | 0x6, Text::Fits(name)) => name,
                (_, Text::TooLong) => {
                    lines.charge(lines.room() + 1);
                    return Ok(());
                }
                _ => return Err("a dictionary key is not a string"),
            };
            if !lines.charge(name.len() as u64) {
                return Ok(());
            }
            next = Some((value, Some(name)));
        } else {
            let child = p.child(content, i).ok_or("reference outside the file")?;
            next = Some((child, Some(i.to_string())));
        }
    }
}
