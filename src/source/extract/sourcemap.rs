//! Source maps: each `sourcesContent` entry is scanned as the original file, so a secret in
//! a bundle is reported at its original path and line (`main.js.map!webpack://app/src/x.ts`).

use super::json::{Scalar, StrList};
use super::{placed, Budget, Piece, Placement, Visitor};
use crate::source::member;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor as SerdeVisitor};
use std::ops::Range;

/// The three fields of a source map we use; `mappings`, `names` and the rest are skipped
/// unbuilt (see [`super::json`]).
#[derive(Default)]
struct Map {
    source_root: Scalar,
    sources: StrList,
    sources_content: StrList,
}

impl<'de> Deserialize<'de> for Map {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> SerdeVisitor<'de> for V {
            type Value = Map;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a source map object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Map, A::Error> {
                let mut out = Map::default();
                // A repeated key replaces the earlier value, as in a JSON object.
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "sourceRoot" => out.source_root = map.next_value()?,
                        "sources" => out.sources = map.next_value()?,
                        "sourcesContent" => out.sources_content = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

pub(super) fn scan(
    budget: &mut Budget<'_>,
    member: Option<&str>,
    b: &[u8],
    label: &str,
    visitor: &mut dyn Visitor,
) {
    let map: Map = match serde_json::from_slice(b) {
        Ok(v) => v,
        Err(e) => {
            visitor.warn(format!(
                "{label}: unreadable source map ({e}); scanned as text"
            ));
            return visitor.piece(Piece {
                member,
                bytes: b,
                detail: None,
                placement: placed(member),
                original: None,
            });
        }
    };
    let root = match &map.source_root {
        Scalar::Str(r) => r.as_str(),
        _ => "",
    };
    let sources = map.sources.0.as_deref();
    let Some(contents) = map.sources_content.0 else {
        return;
    };
    // A map opened at the top level is text a viewer shows: each source's findings are also
    // placed at their escaped bytes in the map. Inside an archive there is no such place.
    let spans = match member {
        None => content_spans(b),
        Some(_) => Vec::new(),
    };
    let in_map = |i: usize| match spans.get(i) {
        Some(Some(r)) if spans.len() == contents.len() => Placement::JsonString {
            input: b,
            at: r.start,
            len: r.len(),
        },
        _ => Placement::Opaque,
    };
    for (i, content) in contents.iter().enumerate() {
        let Some(text) = content else {
            continue;
        };
        // Each text is unescaped JSON, no larger than its part of the input; charging it
        // keeps one budget for everything an input produces.
        if !budget.take(text.len() as u64, visitor) {
            return;
        }
        let name = sources
            .and_then(|s| s.get(i))
            .and_then(|s| s.as_deref())
            .map_or_else(|| format!("source {i}"), |s| format!("{root}{s}"));
        let m = member::join(member, &member::sanitize(&name));
        visitor.piece(Piece {
            member: Some(&m),
            bytes: text.as_bytes(),
            detail: None,
            placement: in_map(i),
            original: Some(&name),
        });
    }
}

/// Where the entries of the top-level `sourcesContent` array are: for each, the range of
/// its escaped contents between the quotes (`None` for an entry that is not a string). One
/// pass over the map, no recursion; the last `sourcesContent` key wins, as it does when
/// serde reads the map, and anything unexpected gives an empty list.
fn content_spans(b: &[u8]) -> Vec<Option<Range<usize>>> {
    let mut out = Vec::new();
    let (mut depth, mut key_next, mut i) = (0usize, false, 0usize);
    while i < b.len() {
        match b[i] {
            b'"' => {
                let end = string_end(b, i + 1);
                if depth == 1 && key_next && &b[i + 1..end] == b"sourcesContent" {
                    match array_spans(b, end + 1) {
                        Some((items, next)) => {
                            out = items;
                            i = next;
                        }
                        None => return Vec::new(),
                    }
                } else {
                    i = end + 1;
                }
                key_next = false;
                continue;
            }
            b'{' | b'[' => {
                depth += 1;
                key_next = depth == 1 && b[i] == b'{';
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' => key_next = depth == 1,
            _ => {}
        }
        i += 1;
    }
    out
}

/// The index of the quote that closes a string whose contents start at `from`.
fn string_end(b: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(k) = memchr::memchr2(b'"', b'\\', &b[i.min(b.len())..]) {
        if b[i + k] == b'"' {
            return i + k;
        }
        i += k + 2;
    }
    b.len()
}

/// After a key ending before `from`: `: [ "…", null, … ]`, as the ranges of the strings'
/// contents and the index just past the array.
fn array_spans(b: &[u8], from: usize) -> Option<(Vec<Option<Range<usize>>>, usize)> {
    let ws = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    let mut i = ws(from);
    (b.get(i) == Some(&b':')).then_some(())?;
    i = ws(i + 1);
    (b.get(i) == Some(&b'[')).then_some(())?;
    let mut items = Vec::new();
    i = ws(i + 1);
    if b.get(i) == Some(&b']') {
        return Some((items, i + 1));
    }
    loop {
        if b.get(i) == Some(&b'"') {
            let end = string_end(b, i + 1);
            items.push(Some(i + 1..end));
            i = end + 1;
        } else if b.get(i..).is_some_and(|r| r.starts_with(b"null")) {
            items.push(None);
            i += 4;
        } else {
            return None;
        }
        i = ws(i);
        match b.get(i) {
            Some(b',') => i = ws(i + 1),
            Some(b']') => return Some((items, i + 1)),
            _ => return None,
        }
    }
}
