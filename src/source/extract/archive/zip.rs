//! The zip family (jar, apk, aab, ipa, whl, …): entries read within the limits, overlapping
//! entries refused, large top-level archives read by parallel workers.

use super::{hand_over, read_capped, Child};
use crate::source::extract::{Budget, Capped, Visitor};
use crate::source::member;
use std::io::Cursor;

pub(in crate::source::extract) fn zip(
    budget: &mut Budget<'_>,
    bytes: &[u8],
    label: &str,
    visitor: &mut dyn Visitor,
    child: &mut Child<'_>,
) {
    let Some(mut archive) = open_zip(bytes, label, budget.limits.max_entries, visitor) else {
        return;
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
             local headers, first {}); not read",
            member::join(Some(label), &member::sanitize(&name))
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
pub(in crate::source::extract) fn zip_parallel<V, M>(
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
    let at = member::join(Some(label), &member::sanitize(&name));
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
