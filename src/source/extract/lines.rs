//! Text lines decoded from a binary format, each remembering where in the binary it came from.

use super::{Piece, Placement, Visitor};

/// Where a decoded line came from; rendered only for lines that hold a finding, so a line
/// costs no allocation beyond its text.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Label {
    /// `dex string N`
    Dex(usize),
    /// `resource string N`
    Resource(usize),
    /// `xml offset 0x…` (the element's chunk)
    Xml(usize),
    /// `key a.b.c`: the line starts with the key path, this many bytes long.
    Key(usize),
    /// `string/app_secret`: the line starts with a resource's name, this many bytes long.
    Entry(usize),
    /// `offset 0x…` of a printable run
    Offset(usize),
    /// `DER key at offset 0x…`: a private key stored as DER, given as PEM
    Der(usize),
    /// `offset 0x… (UTF-16)`
    Utf16(usize),
    /// `method com.acme.Crypto.decrypt`: the line starts with the method, this many bytes long.
    Method(usize),
    /// `hermes string N`, `dart string N`: an entry of a format's own string table.
    Str(&'static str, usize),
    /// `__TEXT,__cstring offset 0x…`: a file offset inside a named section; the name is the
    /// one [`Lines::name`] gave this number.
    Section(u32, usize),
}

/// Text lines built from decoded items, with where each line came from, within a byte
/// limit: a decoder stops when [`Lines::full`] says so.
pub(crate) struct Lines {
    pub text: Vec<u8>,
    starts: Vec<usize>,
    labels: Vec<Label>,
    /// The most text (plus charged work) these lines may hold.
    pub(super) limit: u64,
    /// Text and charged work so far.
    used: u64,
    /// Something did not fit.
    pub(super) full: bool,
    /// Section names [`Label::Section`] refers to.
    names: Vec<String>,
}

impl Lines {
    /// Empty lines that may hold `limit` bytes.
    pub fn new(limit: u64) -> Self {
        Lines {
            text: Vec::new(),
            starts: Vec::new(),
            labels: Vec::new(),
            limit,
            used: 0,
            full: false,
            names: Vec::new(),
        }
    }

    /// Bytes that still fit.
    pub fn room(&self) -> u64 {
        self.limit - self.used
    }

    /// True once an item or a charge did not fit; the decoder should stop.
    pub fn full(&self) -> bool {
        self.full
    }

    /// Counts `n` bytes of work that produces no new text (a repeated string, a skipped
    /// value) against the limit; false, and full, when it does not fit.
    pub fn charge(&mut self, n: u64) -> bool {
        if n > self.room() {
            self.full = true;
            return false;
        }
        self.used += n;
        true
    }

    /// The number [`Label::Section`] uses for `name`; a format has a handful of sections, so
    /// a linear search is cheapest.
    pub fn name(&mut self, name: &str) -> u32 {
        match self.names.iter().position(|n| n == name) {
            Some(i) => i as u32,
            None => {
                self.names.push(name.to_string());
                (self.names.len() - 1) as u32
            }
        }
    }

    /// Appends one item as one line (line breaks inside it become spaces); false, and
    /// nothing appended, when it does not fit.
    pub fn push(&mut self, label: Label, item: &str) -> bool {
        if !self.charge(item.len() as u64 + 1) {
            return false;
        }
        self.starts.push(self.text.len());
        self.labels.push(label);
        self.text.extend(
            item.bytes()
                .map(|b| if b == b'\n' || b == b'\r' { b' ' } else { b }),
        );
        self.text.push(b'\n');
        true
    }

    /// The label of the line holding `offset`.
    pub fn describe(&self, offset: usize) -> String {
        let i = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let Some(&label) = self.labels.get(i) else {
            return String::new();
        };
        match label {
            Label::Dex(n) => format!("dex string {n}"),
            Label::Resource(n) => format!("resource string {n}"),
            Label::Xml(o) => format!("xml offset {o:#x}"),
            Label::Key(len) => format!("key {}", self.prefix(i, len)),
            Label::Method(len) => format!("method {}", self.prefix(i, len)),
            Label::Entry(len) => self.prefix(i, len),
            Label::Offset(o) => format!("offset {o:#x}"),
            Label::Der(o) => format!("DER key at offset {o:#x}"),
            Label::Utf16(o) => format!("offset {o:#x} (UTF-16)"),
            Label::Str(kind, n) => format!("{kind} string {n}"),
            Label::Section(name, o) => {
                let name = self.names.get(name as usize).map_or("section", |n| n);
                format!("{name} offset {o:#x}")
            }
        }
    }

    /// The first `len` bytes of line `i`.
    fn prefix(&self, i: usize, len: usize) -> String {
        let s = self.starts[i];
        let end = (s + len).min(self.text.len());
        String::from_utf8_lossy(&self.text[s..end]).into_owned()
    }

    /// Hands the lines to the visitor as one piece.
    pub fn emit(&self, member: Option<&str>, placement: Placement<'_>, visitor: &mut dyn Visitor) {
        if self.text.is_empty() {
            return;
        }
        let describe = |o: usize| self.describe(o);
        visitor.piece(Piece {
            member,
            bytes: &self.text,
            detail: Some(&describe),
            placement,
            original: None,
        });
    }
}
