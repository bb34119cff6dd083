//! Containers: the zip family (jar, apk, aab, ipa, whl, …), tar, gzip and Electron asar.
//! Every read is bounded with `take`; nothing is written to disk.

use super::{Budget, Visitor};
use std::io::{Cursor, Read};

/// Called for each member: (budget, member name, member bytes, visitor).
pub(super) type Child<'c> = dyn FnMut(&mut Budget<'_>, &str, &[u8], &mut dyn Visitor) + 'c;

/// Reads at most `cap + 1` bytes so an over-long member is detected without reading it all.
fn read_capped(r: impl Read, cap: u64, out: &mut Vec<u8>) -> std::io::Result<bool> {
    out.clear();
    r.take(cap + 1).read_to_end(out)?;
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
    let mut buf = Vec::new();
    for i in 0..archive.len().min(budget.limits.max_entries) {
        if !zip_entry(budget, &mut archive, i, label, visitor, child, &mut buf) {
            return;
        }
    }
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
/// consecutive entries; each run has its own visitor.
pub(super) fn zip_parallel<V, M>(
    bytes: &[u8],
    label: &str,
    limits: &super::Limits,
    total: &std::sync::atomic::AtomicU64,
    make: M,
    child: impl Fn(&mut Budget<'_>, &str, &[u8], &mut dyn Visitor) + Sync,
) -> Vec<V>
where
    V: Visitor + Send,
    M: Fn() -> V + Sync,
{
    use rayon::prelude::*;
    let mut first = make();
    let Some(archive) = open_zip(bytes, label, limits.max_entries, &mut first) else {
        return vec![first];
    };
    let n = archive.len().min(limits.max_entries);
    let run = n.div_ceil(rayon::current_num_threads() * 8).max(1);
    let starts: Vec<usize> = (0..n).step_by(run).collect();
    let mut out: Vec<V> = starts
        .into_par_iter()
        .map(|start| {
            let mut visitor = make();
            let mut archive = archive.clone();
            let mut budget = Budget {
                limits,
                total,
                top: label,
            };
            let mut buf = Vec::new();
            let mut child =
                |b: &mut Budget<'_>, m: &str, d: &[u8], v: &mut dyn Visitor| child(b, m, d, v);
            for i in start..(start + run).min(n) {
                if !zip_entry(
                    &mut budget,
                    &mut archive,
                    i,
                    label,
                    &mut visitor,
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
    if size > limits.max_entry_bytes {
        visitor.warn(format!(
            "{label}!{name}: {size} bytes, over --max-entry-size; skipped"
        ));
        return true;
    }
    if packed > 0 && size / packed > limits.max_ratio {
        visitor.warn(format!(
            "{label}!{name}: compression ratio {}:1 over {}:1 (zip bomb guard); skipped",
            size / packed,
            limits.max_ratio
        ));
        return true;
    }
    if read_member(
        &mut entry,
        limits.max_entry_bytes,
        buf,
        &format!("{label}!{name}"),
        visitor,
    ) != Ok(true)
    {
        return true;
    }
    drop(entry);
    // The declared size can lie; the ratio is checked again on what was inflated.
    if packed > 0 && buf.len() as u64 / packed > limits.max_ratio {
        visitor.warn(format!(
            "{label}!{name}: compression ratio over {}:1 (zip bomb guard); skipped",
            limits.max_ratio
        ));
        return true;
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
        match read_member(
            &mut entry,
            limits.max_entry_bytes,
            &mut buf,
            &format!("{label}!{name}"),
            visitor,
        ) {
            Ok(true) => {}
            Ok(false) => continue,
            // A tar stream that fails mid-member cannot be followed further.
            Err(()) => break,
        }
        if !hand_over(budget, &name, &mut buf, visitor, child) {
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
    match read_capped(flate2::read::MultiGzDecoder::new(bytes), cap, &mut out) {
        Ok(true) => {}
        Ok(false) => {
            return visitor.warn(format!(
                "{label}: inflates past {cap} bytes (zip bomb guard or --max-entry-size); skipped"
            ));
        }
        Err(e) => return visitor.warn(format!("{label}: unreadable gzip: {e}")),
    }
    if !budget.take(out.len() as u64, visitor) {
        return;
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
    let header: serde_json::Value = match serde_json::from_slice(json) {
        Ok(v) => v,
        Err(e) => return visitor.warn(format!("{label}: asar header: {e}")),
    };
    let base = 8 + pickle;
    let mut files = Vec::new();
    collect_asar(&header, String::new(), &mut files, 0);
    for (i, (name, offset, size)) in files.into_iter().enumerate() {
        if i >= budget.limits.max_entries {
            visitor.warn(format!(
                "{label}: only the first {} entries read (--max-archive-entries)",
                budget.limits.max_entries
            ));
            break;
        }
        let Some(data) = base
            .checked_add(offset)
            .and_then(|s| bytes.get(s..s.checked_add(size)?))
        else {
            visitor.warn(format!("{label}!{name}: points outside the archive"));
            continue;
        };
        if !budget.take(data.len() as u64, visitor) {
            return;
        }
        child(budget, &name, data, visitor);
    }
}

/// (path, offset, size) of every packed file in an asar header.
fn collect_asar(
    node: &serde_json::Value,
    prefix: String,
    out: &mut Vec<(String, usize, usize)>,
    depth: usize,
) {
    const MAX_ASAR_DIR_DEPTH: usize = 64;
    let Some(files) = node.get("files").and_then(|f| f.as_object()) else {
        return;
    };
    if depth > MAX_ASAR_DIR_DEPTH {
        return;
    }
    for (name, entry) in files {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        if entry.get("files").is_some() {
            collect_asar(entry, path, out, depth + 1);
        } else if entry.get("unpacked").and_then(|u| u.as_bool()) != Some(true) {
            let offset = entry.get("offset").and_then(|o| o.as_str()?.parse().ok());
            let size = entry.get("size").and_then(|s| s.as_u64());
            if let (Some(o), Some(s)) = (offset, size) {
                out.push((path, o, s as usize));
            }
        }
    }
}
