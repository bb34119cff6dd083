//! Content inside content: archives (zip family, tar, gzip, asar), Android (DEX, binary XML,
//! resources.arsc), Apple (plists, Mach-O), source maps and other binaries. Everything is read
//! in memory, never written to disk, within the limits in [`Limits`].
//!
//! [`expand`] is the single place that decides how bytes are read: it hands every piece of
//! text it finds (the file itself, an archive member, text decoded from a binary format) to a
//! visitor, with the member path and, for decoded text, a way to describe an offset.

mod android;
mod archive;
mod binary;
mod sourcemap;

use crate::blob::looks_binary;
use std::sync::atomic::{AtomicU64, Ordering};

/// Resource limits for one top-level input. Each is a named constant and a flag.
#[derive(Debug, Clone)]
pub struct Limits {
    /// How deep containers may nest (`app.apk!lib.jar!x.zip` is depth 3).
    pub max_depth: usize,
    /// Entries read per archive.
    pub max_entries: usize,
    /// Bytes read per archive entry.
    pub max_entry_bytes: u64,
    /// Decompressed bytes read per top-level input, all members together.
    pub max_total_bytes: u64,
    /// Largest decompressed/compressed size ratio accepted for an entry (zip bombs).
    pub max_ratio: u64,
}

/// Default nesting depth.
pub const MAX_DEPTH: usize = 4;
/// Default entries per archive.
pub const MAX_ENTRIES: usize = 100_000;
/// Default bytes per entry.
pub const MAX_ENTRY_BYTES: u64 = 256 * 1024 * 1024;
/// Default decompressed bytes per top-level input.
pub const MAX_TOTAL_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Default compression-ratio guard.
pub const MAX_RATIO: u64 = 200;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: MAX_DEPTH,
            max_entries: MAX_ENTRIES,
            max_entry_bytes: MAX_ENTRY_BYTES,
            max_total_bytes: MAX_TOTAL_BYTES,
            max_ratio: MAX_RATIO,
        }
    }
}

/// A piece of text to scan.
pub struct Piece<'a> {
    /// Member chain inside the top-level input (`None` for the input itself).
    pub member: Option<&'a str>,
    /// The text.
    pub bytes: &'a [u8],
    /// For text decoded from a binary format: where in the member an offset of `bytes` came
    /// from (`dex string 12`, `offset 0x40`).
    pub detail: Option<&'a dyn Fn(usize) -> String>,
}

/// Receives pieces and warnings.
pub trait Visitor {
    /// A piece of text to scan.
    fn piece(&mut self, piece: Piece<'_>);
    /// Something was skipped: a limit was hit or a member is malformed. One line.
    fn warn(&mut self, message: String);
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
    } else if looks_binary(bytes) {
        Kind::Binary
    } else {
        Kind::Text
    }
}

/// Walks `bytes` (named `name`) and everything inside it, handing each piece of text to
/// `visitor`. Plain text costs one classification and nothing else.
pub fn expand(name: &str, bytes: &[u8], limits: &Limits, visitor: &mut dyn Visitor) {
    let total = AtomicU64::new(0);
    let mut budget = Budget {
        limits,
        total: &total,
        top: name,
    };
    expand_at(&mut budget, None, name, bytes, 0, visitor);
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
    archive::zip_parallel(
        bytes,
        name,
        limits,
        &total,
        make,
        |budget, member, data, visitor| {
            let m = safe_name(member);
            expand_at(budget, Some(&m), member, data, 1, visitor);
        },
    )
}

/// Shared state of one top-level expansion.
struct Budget<'a> {
    limits: &'a Limits,
    /// Decompressed bytes so far, shared by every worker expanding the same input.
    total: &'a AtomicU64,
    top: &'a str,
}

impl Budget<'_> {
    /// Accounts for `n` more decompressed bytes; false (and a warning) past the total limit.
    fn take(&mut self, n: u64, visitor: &mut dyn Visitor) -> bool {
        let total = self.total.fetch_add(n, Ordering::Relaxed) + n;
        if total > self.limits.max_total_bytes {
            visitor.warn(format!(
                "{}: stopped after {} decompressed bytes (--max-archive-total)",
                self.top, self.limits.max_total_bytes
            ));
            return false;
        }
        true
    }
}

fn join(member: Option<&str>, inner: &str) -> String {
    match member {
        Some(m) => format!("{m}!{inner}"),
        None => inner.to_string(),
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
        let at = member
            .map(|m| format!("{}!{m}", budget.top))
            .unwrap_or(budget.top.to_string());
        visitor.warn(format!(
            "{at}: not opened, nesting deeper than {} (--archive-depth)",
            budget.limits.max_depth
        ));
        return;
    }
    let mut child =
        |budget: &mut Budget<'_>, inner: &str, data: &[u8], visitor: &mut dyn Visitor| {
            let m = join(member, &safe_name(inner));
            expand_at(budget, Some(&m), inner, data, depth + 1, visitor);
        };
    let label = || {
        member
            .map(|m| format!("{}!{m}", budget.top))
            .unwrap_or(budget.top.to_string())
    };
    match kind {
        Kind::Text => visitor.piece(Piece {
            member,
            bytes,
            detail: None,
        }),
        Kind::Zip => archive::zip(budget, bytes, &label(), visitor, &mut child),
        Kind::Tar => archive::tar(budget, bytes, &label(), visitor, &mut child),
        Kind::Gzip => archive::gzip(budget, name, bytes, &label(), visitor, &mut child),
        Kind::Asar => archive::asar(budget, bytes, &label(), visitor, &mut child),
        Kind::Dex => android::dex(member, bytes, &label(), visitor),
        Kind::AndroidXml => android::xml(member, bytes, &label(), visitor),
        Kind::Arsc => android::arsc(member, bytes, &label(), visitor),
        Kind::Plist => binary::plist(member, bytes, &label(), visitor),
        Kind::SourceMap => sourcemap::scan(member, bytes, &label(), visitor),
        Kind::Binary => binary::strings(member, bytes, visitor),
    }
}

/// Member names are reported, never resolved on disk: control bytes are escaped and `..` or a
/// leading `/` is shown as written but cannot reach outside the archive because nothing is
/// written anywhere.
fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() || c == '!' { '_' } else { c })
        .collect()
}

/// Text lines built from decoded items, with where each line came from.
pub(crate) struct Lines {
    pub text: Vec<u8>,
    starts: Vec<usize>,
    labels: Vec<String>,
}

impl Lines {
    pub fn new() -> Self {
        Lines {
            text: Vec::new(),
            starts: Vec::new(),
            labels: Vec::new(),
        }
    }

    /// Appends one item as one line; line breaks inside it become spaces.
    pub fn push(&mut self, label: String, item: &str) {
        self.starts.push(self.text.len());
        self.labels.push(label);
        self.text.extend(
            item.bytes()
                .map(|b| if b == b'\n' || b == b'\r' { b' ' } else { b }),
        );
        self.text.push(b'\n');
    }

    /// The label of the line holding `offset`.
    pub fn describe(&self, offset: usize) -> String {
        let i = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        self.labels.get(i).cloned().unwrap_or_default()
    }

    /// Hands the lines to the visitor as one piece.
    pub fn emit(&self, member: Option<&str>, visitor: &mut dyn Visitor) {
        if self.text.is_empty() {
            return;
        }
        let describe = |o: usize| self.describe(o);
        visitor.piece(Piece {
            member,
            bytes: &self.text,
            detail: Some(&describe),
        });
    }
}
