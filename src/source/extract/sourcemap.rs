//! Source maps: each `sourcesContent` entry is scanned as the original file, so a secret in
//! a bundle is reported at its original path and line (`main.js.map!webpack://app/src/x.ts`).

use super::json::{Scalar, StrList};
use super::{Budget, Piece, Visitor};
use crate::source::member;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor as SerdeVisitor};

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
        });
    }
}
