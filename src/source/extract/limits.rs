//! Every resource limit of extraction, in one place. A crafted input can claim anything (sizes,
//! counts, offsets, nesting), so each parser is bounded by what it is allowed to *produce*, and
//! each limit here is a named constant with the flag that sets it.

/// Resource limits for one top-level input. Each is a named constant and a flag.
#[derive(Debug, Clone)]
pub struct Limits {
    /// How deep containers may nest (`app.apk!lib.jar!x.zip` is depth 3).
    pub max_depth: usize,
    /// Entries read per archive.
    pub max_entries: usize,
    /// Bytes read per archive entry.
    pub max_entry_bytes: u64,
    /// Bytes extraction may produce per top-level input, all members and decoded text
    /// together: inflated members (skipped, over-cap and failed ones included), asar slices,
    /// and text decoded from DEX, binary XML, resource tables, plists and binaries.
    pub max_total_bytes: u64,
    /// Largest decompressed/compressed size ratio accepted for an entry (zip bombs).
    pub max_ratio: u64,
    /// Text decoded from one member may be this many times the member's size.
    pub max_decoded_ratio: u64,
    /// ... but a member may always decode to this many bytes.
    pub decoded_floor: u64,
    /// How deep plist containers and asar directories may nest.
    pub max_nesting: usize,
    /// Warnings shown per top-level input; the rest are counted in one line.
    pub max_warnings: usize,
}

/// Default nesting depth (`--archive-depth`).
pub const MAX_DEPTH: usize = 4;
/// Default entries per archive (`--max-archive-entries`).
pub const MAX_ENTRIES: usize = 100_000;
/// Default bytes per entry (`--max-entry-size`).
pub const MAX_ENTRY_BYTES: u64 = 256 * 1024 * 1024;
/// Default bytes produced per top-level input (`--max-archive-total`).
pub const MAX_TOTAL_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Default compression-ratio guard (`--max-ratio`).
pub const MAX_RATIO: u64 = 200;

/// Text decoded from one member (DEX strings, binary XML lines, resource strings, plist
/// values, printable runs) may be this many times the member's size. Real files decode to
/// about their own size; a crafted one points thousands of ids at one long string.
/// (`--max-decoded-ratio`)
pub const MAX_DECODED_RATIO: u64 = 8;
/// ... but a small member may always decode to this much, so the ratio never cuts a normal
/// manifest or plist short. (`--decoded-floor`)
pub const DECODED_FLOOR_BYTES: u64 = 16 * 1024 * 1024;
/// How deep plist containers and asar directories may nest before deeper values are
/// skipped. Walks keep their own stack, so this bounds output, not the call stack.
/// (`--max-nesting`)
pub const MAX_NESTING: usize = 64;
/// Warnings kept per top-level input; the rest are counted in one closing line, so a crafted
/// archive with 100,000 bad members gives a readable report. (`--max-warnings`)
pub const MAX_WARNINGS: usize = 32;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: MAX_DEPTH,
            max_entries: MAX_ENTRIES,
            max_entry_bytes: MAX_ENTRY_BYTES,
            max_total_bytes: MAX_TOTAL_BYTES,
            max_ratio: MAX_RATIO,
            max_decoded_ratio: MAX_DECODED_RATIO,
            decoded_floor: DECODED_FLOOR_BYTES,
            max_nesting: MAX_NESTING,
            max_warnings: MAX_WARNINGS,
        }
    }
}

impl Limits {
    /// How much text a decoder may produce from a member of `len` bytes.
    pub fn decoded_cap(&self, len: usize) -> u64 {
        (len as u64)
            .saturating_mul(self.max_decoded_ratio)
            .max(self.decoded_floor)
    }
}
