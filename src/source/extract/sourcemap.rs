//! Source maps: each `sourcesContent` entry is scanned as the original file, so a secret in
//! a bundle is reported at its original path and line (`main.js.map!webpack://app/src/x.ts`).

use super::{Piece, Visitor};

pub(super) fn scan(member: Option<&str>, b: &[u8], label: &str, visitor: &mut dyn Visitor) {
    let map: serde_json::Value = match serde_json::from_slice(b) {
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
    let root = map.get("sourceRoot").and_then(|r| r.as_str()).unwrap_or("");
    let sources = map.get("sources").and_then(|s| s.as_array());
    let Some(contents) = map.get("sourcesContent").and_then(|c| c.as_array()) else {
        return;
    };
    for (i, content) in contents.iter().enumerate() {
        let Some(text) = content.as_str() else {
            continue;
        };
        let name = sources
            .and_then(|s| s.get(i))
            .and_then(|s| s.as_str())
            .map(|s| format!("{root}{s}"))
            .unwrap_or_else(|| format!("source {i}"));
        let name = name.replace('!', "_");
        let m = match member {
            Some(m) => format!("{m}!{name}"),
            None => name,
        };
        visitor.piece(Piece {
            member: Some(&m),
            bytes: text.as_bytes(),
            detail: None,
        });
    }
}
