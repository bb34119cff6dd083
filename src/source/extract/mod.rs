//! Content inside content: archives (zip family, tar, gzip, asar), Android (DEX, binary XML,
//! resources.arsc), Apple (plists, Mach-O), source maps and other binaries. Everything is read
//! in memory, never written to disk, within the limits in [`Limits`].
//!
//! [`expand`] is the single place that decides how bytes are read: it hands every piece of
//! text it finds (the file itself, an archive member, text decoded from a binary format) to a
//! visitor, with the member path and, for decoded text, a way to describe an offset.

mod android;
mod app;
mod archive;
mod arsc;
mod binary;
mod dart;
mod der;
mod dex;
mod hermes;
mod json;
mod limits;
mod lines;
mod macho;
mod pgpass;
mod placement;
mod plists;
mod sourcemap;
#[cfg(test)]
mod tests;

pub use app::{sdk_of_rule, AppFact};
pub(crate) use der::pem_of;
pub use limits::*;
pub use placement::{Placement, Spot};

use crate::source::blob::looks_binary;
use crate::source::member;
use lines::{Label, Lines};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// A piece of text to scan.
pub struct Piece<'a> {
    /// Member chain inside the top-level input (`None` for the input itself).
    pub member: Option<&'a str>,
    /// The text.
    pub bytes: &'a [u8],
    /// For text decoded from a binary format: where in the member an offset of `bytes` came
    /// from (`dex string 12`, `offset 0x40`).
    pub detail: Option<&'a dyn Fn(usize) -> String>,
    /// Where these bytes are in the top-level input, so a finding can also be shown there.
    pub placement: Placement<'a>,
    /// For an original source in a source map: the name the map gives it.
    pub original: Option<&'a str>,
}

/// Receives pieces and warnings.
pub trait Visitor {
    /// A piece of text to scan.
    fn piece(&mut self, piece: Piece<'_>);
    /// Something was skipped: a limit was hit or a member is malformed. One line.
    fn warn(&mut self, message: String);
    /// A binary member (an image, a font, a stripped library) held no text at all.
    fn binary_skipped(&mut self) {}
    /// Something the app being read says about itself (its id, an SDK it embeds).
    fn app(&mut self, _fact: AppFact) {}
}

/// What the bytes are, by magic number first and name second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zip,
    Gzip,
    Tar,
    Asar,
    Dex,
    AndroidXml,
    Arsc,
    Plist,
    SourceMap,
    Pgpass,
    MachO,
    Hermes,
    Binary,
    Text,
}

fn classify(name: &str, bytes: &[u8]) -> Kind {
    let lower = name.to_ascii_lowercase();
    // A Chrome extension (`Cr24`) is a zip behind a signed header; the zip reader finds the
    // central directory from the end, so the prefix is harmless.
    if bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(b"PK\x05\x06")
        || bytes.starts_with(b"Cr24")
    {
        Kind::Zip
    } else if bytes.starts_with(&[0x1f, 0x8b]) {
        Kind::Gzip
    } else if bytes.len() > 262 && &bytes[257..262] == b"ustar" {
        Kind::Tar
    } else if bytes.starts_with(b"dex\n") {
        Kind::Dex
    } else if bytes.starts_with(&[0x03, 0x00, 0x08, 0x00]) {
        Kind::AndroidXml
    } else if bytes.starts_with(&[0x02, 0x00, 0x0c, 0x00]) {
        Kind::Arsc
    } else if bytes.starts_with(b"bplist00")
        || (lower.ends_with(".plist") && bytes.starts_with(b"<?xml"))
    {
        Kind::Plist
    } else if bytes.starts_with(&[4, 0, 0, 0]) && bytes.get(16..24) == Some(b"{\"files\"") {
        Kind::Asar
    } else if lower.ends_with(".map")
        && memchr::memmem::find(bytes, b"\"sourcesContent\"").is_some()
    {
        Kind::SourceMap
    } else if macho::is_macho(bytes) {
        Kind::MachO
    } else if bytes.starts_with(&hermes::MAGIC) {
        Kind::Hermes
    } else if looks_binary(bytes) {
        Kind::Binary
    } else if pgpass::is_pgpass(&lower) {
        Kind::Pgpass
    } else {
        Kind::Text
    }
}

/// Walks `bytes` (named `name`) and everything inside it, handing each piece of text to
/// `visitor`. Plain text costs one classification and nothing else.
pub fn expand(name: &str, bytes: &[u8], limits: &Limits, visitor: &mut dyn Visitor) {
    let total = AtomicU64::new(0);
    let warned = AtomicUsize::new(0);
    let mut budget = Budget {
        limits,
        total: &total,
        warned: &warned,
        top: name,
    };
    let mut capped = Capped {
        inner: visitor,
        warned: &warned,
        max: limits.max_warnings,
    };
    expand_at(&mut budget, None, name, bytes, 0, &mut capped);
    budget.close(capped.inner);
}

/// Zip files at least this large have their members inflated and scanned in parallel, so one
/// big APK or IPA does not run on a single core.
pub const PARALLEL_ZIP_BYTES: usize = 8 * 1024 * 1024;

/// Like [`expand`], but a large top-level zip is split across rayon workers, each with its
/// own visitor from `make`; the visitors are returned for the caller to merge.
pub fn expand_parallel<V, M>(name: &str, bytes: &[u8], limits: &Limits, make: M) -> Vec<V>
where
    V: Visitor + Send,
    M: Fn() -> V + Sync,
{
    if bytes.len() < PARALLEL_ZIP_BYTES
        || classify(name, bytes) != Kind::Zip
        || limits.max_depth == 0
    {
        let mut v = make();
        expand(name, bytes, limits, &mut v);
        return vec![v];
    }
    let total = AtomicU64::new(0);
    let warned = AtomicUsize::new(0);
    let budget = Budget {
        limits,
        total: &total,
        warned: &warned,
        top: name,
    };
    let mut out = archive::zip_parallel(bytes, &budget, make, |budget, member, data, visitor| {
        let m = member::sanitize(member);
        expand_at(budget, Some(&m), member, data, 1, visitor);
    });
    if let Some(last) = out.last_mut() {
        budget.close(last);
    }
    out
}

/// Shared state of one top-level expansion.
#[derive(Clone, Copy)]
struct Budget<'a> {
    limits: &'a Limits,
    /// Bytes produced so far, shared by every worker expanding the same input.
    total: &'a AtomicU64,
    /// Warnings so far, shared the same way (see [`Capped`]).
    warned: &'a AtomicUsize,
    top: &'a str,
}

impl Budget<'_> {
    /// Accounts for `n` more produced bytes; false past the total limit, with one warning for
    /// the whole input (the call that crosses the limit gives it).
    fn take(&mut self, n: u64, visitor: &mut dyn Visitor) -> bool {
        let max = self.limits.max_total_bytes;
        let before = self.total.fetch_add(n, Ordering::Relaxed);
        let total = before.saturating_add(n);
        if total > max {
            if before <= max {
                visitor.warn(format!(
                    "{}: stopped after {max} decompressed bytes (--max-archive-total)",
                    self.top
                ));
            }
            return false;
        }
        true
    }

    /// Bytes the input may still produce.
    fn left(&self) -> u64 {
        self.limits
            .max_total_bytes
            .saturating_sub(self.total.load(Ordering::Relaxed))
    }

    /// Text a decoder may produce from a member of `len` bytes: its own cap, or what is left
    /// of the input's budget if that is less.
    fn decoded_room(&self, len: usize) -> u64 {
        self.limits.decoded_cap(len).min(self.left())
    }

    /// Charges what a decoder produced from a member of `len` bytes, says in one line if it
    /// was cut short, and hands the text on.
    fn finish(
        &mut self,
        lines: Lines,
        len: usize,
        member: Option<&str>,
        label: &str,
        placement: Placement<'_>,
        visitor: &mut dyn Visitor,
    ) {
        if lines.full {
            let cap = self.limits.decoded_cap(len);
            if lines.limit < cap {
                // The input's budget ran out first: charging past it gives its warning.
                self.take(self.left().saturating_add(1), visitor);
            } else {
                visitor.warn(format!(
                    "{label}: decoded text reached {cap} bytes ({}x the member, at least {}; \
                     --max-decoded-ratio, --decoded-floor); the rest skipped",
                    self.limits.max_decoded_ratio, self.limits.decoded_floor
                ));
            }
        }
        if self.take(lines.text.len() as u64, visitor) {
            lines.emit(member, placement, visitor);
        }
    }

    /// The closing line for warnings [`Capped`] held back.
    fn close(&self, visitor: &mut dyn Visitor) {
        let n = self.warned.load(Ordering::Relaxed);
        let max = self.limits.max_warnings;
        if n > max {
            visitor.warn(format!(
                "{}: {} more warnings not shown (--max-warnings)",
                self.top,
                n - max
            ));
        }
    }
}

/// Passes pieces on and at most `max` warnings per top-level input; the rest are only
/// counted, for [`Budget::close`].
struct Capped<'v, 'w> {
    inner: &'v mut dyn Visitor,
    warned: &'w AtomicUsize,
    max: usize,
}

impl Visitor for Capped<'_, '_> {
    fn piece(&mut self, piece: Piece<'_>) {
        self.inner.piece(piece);
    }

    fn warn(&mut self, message: String) {
        if self.warned.fetch_add(1, Ordering::Relaxed) < self.max {
            self.inner.warn(message);
        }
    }

    fn binary_skipped(&mut self) {
        self.inner.binary_skipped();
    }

    fn app(&mut self, fact: AppFact) {
        self.inner.app(fact);
    }
}

/// Runs `read` with `visitor`, wrapped so it also learns the app's identity when `member`
/// is the manifest or Info.plist at an app's root.
fn identified(
    member: Option<&str>,
    visitor: &mut dyn Visitor,
    read: impl FnOnce(&mut dyn Visitor),
) {
    match app::identity_file(member) {
        Some(platform) => read(&mut app::Identify {
            inner: visitor,
            platform,
        }),
        None => read(visitor),
    }
}

/// A member's bytes are the input's only when there is no member: every container that
/// yields members byte for byte (zip, tar, gzip, asar) is binary.
fn placed(member: Option<&str>) -> Placement<'static> {
    match member {
        None => Placement::Input,
        Some(_) => Placement::Opaque,
    }
}

fn expand_at(
    budget: &mut Budget<'_>,
    member: Option<&str>,
    name: &str,
    bytes: &[u8],
    depth: usize,
    visitor: &mut dyn Visitor,
) {
    let kind = classify(name, bytes);
    let container = matches!(kind, Kind::Zip | Kind::Gzip | Kind::Tar | Kind::Asar);
    if container && depth >= budget.limits.max_depth {
        let at = member::display(budget.top, member);
        visitor.warn(format!(
            "{at}: not opened, nesting deeper than {} (--archive-depth)",
            budget.limits.max_depth
        ));
        return;
    }
    if let Some(sdk) = member.and_then(app::sdk_of_member) {
        visitor.app(AppFact::Sdk(sdk));
    }
    let mut child =
        |budget: &mut Budget<'_>, inner: &str, data: &[u8], visitor: &mut dyn Visitor| {
            let m = member::join(member, &member::sanitize(inner));
            expand_at(budget, Some(&m), inner, data, depth + 1, visitor);
        };
    let label = || member::display(budget.top, member);
    match kind {
        Kind::Text => visitor.piece(Piece {
            member,
            bytes,
            detail: None,
            placement: placed(member),
            original: None,
        }),
        Kind::Zip => archive::zip(budget, bytes, &label(), visitor, &mut child),
        Kind::Tar => archive::tar(budget, bytes, &label(), visitor, &mut child),
        Kind::Gzip => archive::gzip(budget, name, bytes, &label(), visitor, &mut child),
        Kind::Asar => archive::asar(budget, bytes, &label(), visitor, &mut child),
        Kind::Dex => {
            dex::dex(budget, member, bytes, &label(), visitor);
            der::keys(budget, member, bytes, &label(), visitor);
        }
        Kind::AndroidXml => {
            let l = label();
            identified(member, visitor, |v| {
                android::xml(budget, member, bytes, &l, v);
            });
        }
        Kind::Arsc => android::arsc(budget, member, bytes, &label(), visitor),
        Kind::Plist => {
            let l = label();
            identified(member, visitor, |v| {
                plists::plist(budget, member, bytes, &l, v);
            });
        }
        Kind::SourceMap => sourcemap::scan(budget, member, bytes, &label(), visitor),
        Kind::Pgpass => pgpass::pgpass(budget, member, bytes, &label(), visitor),
        Kind::MachO | Kind::Hermes | Kind::Binary => {
            let l = label();
            let text = match kind {
                Kind::MachO => macho::strings(budget, member, bytes, &l, visitor),
                Kind::Hermes => hermes::strings(budget, member, bytes, &l, visitor),
                _ => binary::strings(budget, member, bytes, &l, visitor),
            };
            let keys = der::keys(budget, member, bytes, &l, visitor);
            if !text && !keys {
                visitor.binary_skipped();
            }
        }
    }
}
