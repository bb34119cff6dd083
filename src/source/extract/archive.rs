//! Containers: the zip family (jar, apk, aab, ipa, whl, …), tar, gzip and Electron asar.
//! Every read is bounded with `take`; nothing is written to disk.

use super::json::{Entries, Scalar};
use super::{Budget, Capped, Visitor};
use serde::de::{
    Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor as SerdeVisitor,
};
use std::io::{Cursor, Read};

/// Called for each member: (budget, member name, member bytes, visitor).
pub(super) type Child<'c> = dyn FnMut(&mut Budget<'_>, &str, &[u8], &mut dyn Visitor) + 'c;

/// Reads at most `cap + 1` bytes so an over-long member is detected without reading it all.
fn read_capped(r: impl Read, cap: u64, out: &mut Vec<u8>) -> std::io::Result<bool> {
    out.clear();
    r.take(cap.saturating_add(1)).read_to_end(out)?;
    Ok(out.len() as u64 <= cap)
}

/// Reads one member (`at` names it) into `buf`, at most `cap` bytes: `Ok(false)` when it is
/// over the cap and skipped, `Err` when the read failed; both already warned.
fn read_member(
    r: impl Read,
    cap: u64,
    buf: &mut Vec<u8>,
    at: &str,
    visitor: &mut dyn Visitor,
) -> Result<bool, ()> {
    match read_capped(r, cap, buf) {
        Ok(true) => Ok(true),
        Ok(false) => {
            visitor.warn(format!("{at}: over --max-entry-size; skipped"));
            Ok(false)
        }
        Err(e) => {
            visitor.warn(format!("{at}: {e}"));
            Err(())
        }
    }
}

/// Charges `buf` to the input's budget and hands it to `child`; false once the budget is
/// spent and the archive should not be read further.
fn hand_over(
    budget: &mut Budget<'_>,
    name: &str,
    buf: &mut Vec<u8>,
    visitor: &mut dyn Visitor,
    child: &mut Child<'_>,
) -> bool {
    if !budget.take(buf.len() as u64, visitor) {
        return false;
    }
    let data = std::mem::take(buf);
    child(budget, name, &data, visitor);
    *buf = data;
    true
}

pub(super) fn zip(
    budget: &mut Budget<'_>,
    bytes: &[u8],
    label: &str,
    visitor: &mut dyn Visitor,
    child: &mut Child<'_>,
) {
    let mut archive = match open_zip(bytes, label, budget.limits.max_entries, visitor) {
        Some(a) => a,
        None => return,
    };
    let n = archive.len().min(budget.limits.max_entries);
    let shared = overlapping(&mut archive, n, label, visitor);
    let mut buf = Vec::new();
    for (i, &skip) in shared.iter().enumerate() {
        if skip {
            continue;
        }
        if !zip_entry(budget, &mut archive, i, label, visitor, child, &mut buf) {
            return;
        }
    }
}

/// Marks the entries (of the first `n`) whose compressed data overlaps an earlier entry's, and
/// says how many in one line. A real archive stores each member once; a crafted one points
/// thousands of central-directory entries at one stream, so that inflating "each member" once
/// inflates one stream thousands of times. The entry with the lowest data offset (then the
/// lowest index) is kept.
fn overlapping(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    n: usize,
    label: &str,
    visitor: &mut dyn Visitor,
) -> Vec<bool> {
    // (data start, data end, index); an entry whose local header cannot be read is left for
    // the read itself to report.
    let mut spans: Vec<(u64, u64, usize)> = (0..n)
        .filter_map(|i| {
            let e = archive.by_index_raw(i).ok()?;
            let start = e.data_start();
            Some((start, start.saturating_add(e.compressed_size()), i))
        })
        .collect();
    spans.sort_unstable();
    let mut shared = vec![false; n];
    let mut end = 0;
    let mut first = None;
    let mut count = 0usize;
    for (start, stop, i) in spans {
        // Empty members hold no data to share.
        if stop == start {
            continue;
        }
        if start < end {
            shared[i] = true;
            count += 1;
            first.get_or_insert(i);
        }
        end = end.max(stop);
    }
    if let Some(i) = first {
        let name = archive
            .name_for_index(i)
            .map(str::to_string)
            .unwrap_or_default();
        visitor.warn(format!(
            "{label}: {count} entries share compressed data with an earlier entry (overlapping \
             local headers, first {label}!{name}); not read"
        ));
    }
    shared
}

fn open_zip<'b>(
    bytes: &'b [u8],
    label: &str,
    max_entries: usize,
    visitor: &mut dyn Visitor,
) -> Option<zip::ZipArchive<Cursor<&'b [u8]>>> {
    match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(a) => {
            if a.len() > max_entries {
                visitor.warn(format!(
                    "{label}: only the first {max_entries} of {} entries read (--max-archive-entries)",
                    a.len()
                ));
            }
            Some(a)
        }
        Err(e) => {
            visitor.warn(format!("{label}: unreadable zip: {e}"));
            None
        }
    }
}

/// The members of a large top-level zip, inflated and scanned by rayon workers in runs of
/// consecutive entries; each run has its own visitor, and all share `budget`'s counters.
pub(super) fn zip_parallel<V, M>(
    bytes: &[u8],
    budget: &Budget<'_>,
    make: M,
    child: impl Fn(&mut Budget<'_>, &str, &[u8], &mut dyn Visitor) + Sync,
) -> Vec<V>
where
    V: Visitor + Send,
    M: Fn() -> V + Sync,
{
    use rayon::prelude::*;
    let (limits, label) = (budget.limits, budget.top);
    let mut first = make();
    let mut first_capped = Capped {
        inner: &mut first,
        warned: budget.warned,
        max: limits.max_warnings,
    };
    let Some(mut archive) = open_zip(bytes, label, limits.max_entries, &mut first_capped) else {
        return vec![first];
    };
    let n = archive.len().min(limits.max_entries);
    let shared = overlapping(&mut archive, n, label, &mut first_capped);
    let run = n.div_ceil(rayon::current_num_threads() * 8).max(1);
    let starts: Vec<usize> = (0..n).step_by(run).collect();
    let mut out: Vec<V> = starts
        .into_par_iter()
        .map(|start| {
            let mut visitor = make();
            let mut capped = Capped {
                inner: &mut visitor,
                warned: budget.warned,
                max: limits.max_warnings,
            };
            let mut archive = archive.clone();
            let mut budget = *budget;
            let mut buf = Vec::new();
            let mut child =
                |b: &mut Budget<'_>, m: &str, d: &[u8], v: &mut dyn Visitor| child(b, m, d, v);
            let mine = shared.iter().enumerate().take(start + run).skip(start);
            for (i, &skip) in mine {
                if skip {
                    continue;
                }
                if !zip_entry(
                    &mut budget,
                    &mut archive,
                    i,
                    label,
                    &mut capped,
                    &mut child,
                    &mut buf,
                ) {
                    break;
                }
            }
            visitor
        })
        .collect();
    out.push(first);
    out
}

/// Reads entry `i` within the limits and hands it to `child`; false when the input's total
/// budget is spent and the archive should not be read further.
fn zip_entry(
    budget: &mut Budget<'_>,
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    i: usize,
    label: &str,
    visitor: &mut dyn Visitor,
    child: &mut Child<'_>,
    buf: &mut Vec<u8>,
) -> bool {
    let limits = budget.limits.clone();
    let mut entry = match archive.by_index(i) {
        Ok(e) => e,
        Err(e) => {
            visitor.warn(format!("{label}: entry {i}: {e}"));
            return true;
        }
    };
    if entry.is_dir() {
        return true;
    }
    let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
    let (size, packed) = (entry.size(), entry.compressed_size());
    let at = format!("{label}!{name}");
    // A skipped member is charged what it occupies, an inflated one what came out of it
    // (kept or not), so no outcome is free.
    if size > limits.max_entry_bytes {
        visitor.warn(format!(
            "{at}: {size} bytes, over --max-entry-size; skipped"
        ));
        return budget.take(packed, visitor);
    }
    if packed > 0 && size / packed > limits.max_ratio {
        visitor.warn(format!(
            "{at}: compression ratio {}:1 over {}:1 (zip bomb guard); skipped",
            size / packed,
            limits.max_ratio
        ));
        return budget.take(packed, visitor);
    }
    // Inflation stops one byte past the declared size: the ratio guard above trusted it, so a
    // member that inflates further is lying and only its declared part is read.
    let read = read_capped(&mut entry, size, buf);
    drop(entry);
    match read {
        Ok(true) => {}
        Ok(false) => {
            visitor.warn(format!(
                "{at}: inflates past its declared {size} bytes; only those scanned"
            ));
            buf.truncate(size as usize);
        }
        Err(e) => {
            visitor.warn(format!("{at}: {e}"));
            return budget.take(buf.len() as u64, visitor);
        }
    }
    hand_over(budget, &name, buf, visitor, child)
}

pub(super) fn tar(
    budget: &mut Budget<'_>,
    bytes: &[u8],
    label: &str,
    visitor: &mut dyn Visitor,
    child: &mut Child<'_>,
) {
    let mut archive = tar::Archive::new(Cursor::new(bytes));
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => return visitor.warn(format!("{label}: unreadable tar: {e}")),
    };
    let limits = budget.limits.clone();
    let mut buf = Vec::new();
    for (i, entry) in entries.enumerate() {
        if i >= limits.max_entries {
            visitor.warn(format!(
                "{label}: only the first {} entries read (--max-archive-entries)",
                limits.max_entries
            ));
            break;
        }
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                visitor.warn(format!("{label}: entry {i}: {e}"));
                break;
            }
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        // A header may claim any size; one over the cap is passed over unread and charged
        // what it can occupy here.
        let size = entry.size();
        if size > limits.max_entry_bytes {
            visitor.warn(format!(
                "{label}!{name}: {size} bytes, over --max-entry-size; skipped"
            ));
            if !budget.take(size.min(bytes.len() as u64), visitor) {
                return;
            }
            continue;
        }
        let read = read_member(
            &mut entry,
            limits.max_entry_bytes,
            &mut buf,
            &format!("{label}!{name}"),
            visitor,
        );
        // What was read is charged whether or not it is scanned.
        let go_on = match read {
            Ok(true) => hand_over(budget, &name, &mut buf, visitor, child),
            Ok(false) => budget.take(buf.len() as u64, visitor),
            // A tar stream that fails mid-member cannot be followed further.
            Err(()) => {
                budget.take(buf.len() as u64, visitor);
                false
            }
        };
        if !go_on {
            return;
        }
    }
}

pub(super) fn gzip(
    budget: &mut Budget<'_>,
    name: &str,
    bytes: &[u8],
    label: &str,
    visitor: &mut dyn Visitor,
    child: &mut Child<'_>,
) {
    let limits = budget.limits.clone();
    let cap = limits
        .max_entry_bytes
        .min((bytes.len() as u64).saturating_mul(limits.max_ratio));
    let mut out = Vec::new();
    let read = read_capped(flate2::read::MultiGzDecoder::new(bytes), cap, &mut out);
    // What was inflated is charged whether or not it is scanned.
    if !budget.take(out.len() as u64, visitor) {
        return;
    }
    match read {
        Ok(true) => {}
        Ok(false) => {
            return visitor.warn(format!(
                "{label}: inflates past {cap} bytes (zip bomb guard or --max-entry-size); skipped"
            ));
        }
        Err(e) => return visitor.warn(format!("{label}: unreadable gzip: {e}")),
    }
    let base = name.rsplit('/').next().unwrap_or(name);
    let inner = base
        .strip_suffix(".gz")
        .map(str::to_string)
        .or_else(|| base.strip_suffix(".tgz").map(|b| format!("{b}.tar")))
        .unwrap_or_else(|| format!("{base}.gunzip"));
    child(budget, &inner, &out, visitor);
}

pub(super) fn asar(
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
            visitor.warn(format!("{label}!{name}: points outside the archive"));
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
            "{label}: {count} entries share bytes with an earlier entry (first {label}!{}); \
             not read",
            files[i].0
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
