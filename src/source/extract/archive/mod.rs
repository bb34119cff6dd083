//! Containers: the zip family (jar, apk, aab, ipa, whl, …), tar, gzip and Electron asar.
//! Every read is bounded with `take`; nothing is written to disk.

mod asar;
mod zip;

pub(super) use asar::asar;
pub(super) use zip::{zip, zip_parallel};

use super::{Budget, Visitor};
use crate::source::member;
use std::io::{Cursor, Read};

/// Called for each member: (budget, member name, member bytes, visitor).
pub(super) type Child<'c> = dyn FnMut(&mut Budget<'_>, &str, &[u8], &mut dyn Visitor) + 'c;

/// Reads at most `cap + 1` bytes so an over-long member is detected without reading it all.
pub(super) fn read_capped(r: impl Read, cap: u64, out: &mut Vec<u8>) -> std::io::Result<bool> {
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
pub(super) fn hand_over(
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
                "{}: {size} bytes, over --max-entry-size; skipped",
                member::join(Some(label), &member::sanitize(&name))
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
            &member::join(Some(label), &member::sanitize(&name)),
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
