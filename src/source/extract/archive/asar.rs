//! Electron asar archives: a JSON header read without building values, then slices of the
//! archive body, overlapping slices refused.

use super::Child;
use crate::source::extract::json::{Entries, Scalar};
use crate::source::extract::{Budget, Visitor};
use crate::source::member;
use serde::de::{
    Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor as SerdeVisitor,
};

pub(in crate::source::extract) fn asar(
    budget: &mut Budget<'_>,
    bytes: &[u8],
    label: &str,
    visitor: &mut dyn Visitor,
    child: &mut Child<'_>,
) {
    let u32_at = |o: usize| {
        bytes
            .get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let (Some(pickle), Some(json_len)) = (u32_at(4), u32_at(12)) else {
        return visitor.warn(format!("{label}: truncated asar header"));
    };
    let Some(json) = bytes.get(16..16 + json_len) else {
        return visitor.warn(format!("{label}: asar header runs past the end"));
    };
    let header: AsarNode = match serde_json::from_slice(json) {
        Ok(v) => v,
        Err(e) => return visitor.warn(format!("{label}: asar header: {e}")),
    };
    let base = 8 + pickle;
    let mut files = Vec::new();
    collect_asar(header, budget.limits.max_nesting, &mut files);
    let shared = asar_overlaps(&files, label, visitor);
    for (i, (name, offset, size)) in files.iter().enumerate() {
        if i >= budget.limits.max_entries {
            visitor.warn(format!(
                "{label}: only the first {} entries read (--max-archive-entries)",
                budget.limits.max_entries
            ));
            break;
        }
        if shared[i] {
            continue;
        }
        let Some(data) = base
            .checked_add(*offset)
            .and_then(|s| bytes.get(s..s.checked_add(*size)?))
        else {
            visitor.warn(format!(
                "{}: points outside the archive",
                member::join(Some(label), &member::sanitize(name))
            ));
            continue;
        };
        if !budget.take(data.len() as u64, visitor) {
            return;
        }
        child(budget, name, data, visitor);
    }
}

/// Marks the files whose bytes overlap an earlier file's, and says how many in one line: an
/// asar packs each file once, so the files together are never larger than the archive,
/// while a crafted header slices the same 10 MB hundreds of times.
fn asar_overlaps(
    files: &[(String, usize, usize)],
    label: &str,
    visitor: &mut dyn Visitor,
) -> Vec<bool> {
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_unstable_by_key(|&i| (files[i].1, i));
    let mut shared = vec![false; files.len()];
    let (mut end, mut count, mut first) = (0usize, 0usize, None);
    for i in order {
        let (_, offset, size) = files[i];
        if size == 0 {
            continue;
        }
        if offset < end {
            shared[i] = true;
            count += 1;
            first.get_or_insert(i);
        }
        end = end.max(offset.saturating_add(size));
    }
    if let Some(i) = first {
        visitor.warn(format!(
            "{label}: {count} entries share bytes with an earlier entry (first {}); not read",
            member::join(Some(label), &member::sanitize(&files[i].0))
        ));
    }
    shared
}

/// One node of an asar header: a directory (`files`) or a packed file, with only the fields
/// we use read (see [`super::json`]).
#[derive(Default)]
struct AsarNode {
    /// `Some` when the node has a `files` key (a directory), with its entries when that is an
    /// object.
    files: Option<Entries<AsarNode>>,
    offset: Scalar,
    size: Scalar,
    unpacked: Scalar,
}

impl<'de> Deserialize<'de> for AsarNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> SerdeVisitor<'de> for V {
            type Value = AsarNode;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an asar header node")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AsarNode, A::Error> {
                let mut node = AsarNode::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "files" => node.files = Some(map.next_value()?),
                        "offset" => node.offset = map.next_value()?,
                        "size" => node.size = map.next_value()?,
                        "unpacked" => node.unpacked = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(node)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AsarNode, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(AsarNode::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<AsarNode, E> {
                Ok(AsarNode::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<AsarNode, E> {
                Ok(AsarNode::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<AsarNode, E> {
                Ok(AsarNode::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<AsarNode, E> {
                Ok(AsarNode::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<AsarNode, E> {
                Ok(AsarNode::default())
            }
            fn visit_unit<E>(self) -> Result<AsarNode, E> {
                Ok(AsarNode::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// (path, offset, size) of every packed file in an asar header, directories walked with an
/// explicit stack down to `max_nesting` levels.
fn collect_asar(root: AsarNode, max_nesting: usize, out: &mut Vec<(String, usize, usize)>) {
    let Some(Entries(Some(top))) = root.files else {
        return;
    };
    // Each open directory: its path, its depth and the entries still to visit, in header
    // order, so files come out in the order a recursive walk gives.
    type Dir = (String, usize, std::vec::IntoIter<(String, AsarNode)>);
    let mut stack: Vec<Dir> = vec![(String::new(), 0, top.into_iter())];
    while let Some((prefix, depth, entries)) = stack.last_mut() {
        let Some((name, entry)) = entries.next() else {
            stack.pop();
            continue;
        };
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let depth = *depth;
        match entry.files {
            Some(Entries(Some(children))) => {
                if depth < max_nesting {
                    stack.push((path, depth + 1, children.into_iter()));
                }
            }
            // A `files` key that is not an object: a directory with nothing readable.
            Some(Entries(None)) => {}
            None => {
                if entry.unpacked == Scalar::Bool(true) {
                    continue;
                }
                let offset = entry.offset.into_string().and_then(|o| o.parse().ok());
                if let (Some(o), Scalar::U64(s)) = (offset, entry.size) {
                    out.push((path, o, s as usize));
                }
            }
        }
    }
}
