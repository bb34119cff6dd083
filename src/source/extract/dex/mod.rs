//! DEX files: the string table, one string a line, then the code that uses those strings:
//! each literal that reaches a key, signing or header call is rendered as that call
//! (`new SecretKeySpec("…", "AES")`) on a line of its own, labelled with the method it is in.
//! Every offset is bounds-checked; a bad one ends that part of the read with a warning.

#[cfg(test)]
mod builder;
mod flow;
mod insn;
mod sinks;
#[cfg(test)]
pub(super) mod tests;

use super::android::{u16_at, u32_at};
use super::{Budget, Label, Lines, Placement, Visitor};
use rustc_hash::{FxHashMap, FxHashSet};

pub(super) fn uleb128(b: &[u8], mut o: usize) -> Option<(usize, usize)> {
    let mut v = 0usize;
    for shift in (0..35).step_by(7) {
        let byte = *b.get(o)?;
        o += 1;
        v |= ((byte & 0x7f) as usize) << shift;
        if byte & 0x80 == 0 {
            return Some((v, o));
        }
    }
    None
}

/// DEX strings are MUTF-8: UTF-8 with NUL as C0 80 and supplementary characters as surrogate
/// pairs; a lossy UTF-8 decode keeps every ASCII secret intact.
fn mutf8(b: &[u8]) -> String {
    String::from_utf8_lossy(&b.iter().copied().filter(|&c| c != 0xc0).collect::<Vec<_>>())
        .into_owned()
}

/// A table in the header: how many items, where they start, how long each is.
#[derive(Clone, Copy)]
struct Table {
    count: usize,
    off: usize,
    item: usize,
}

impl Table {
    fn at(b: &[u8], header: usize, item: usize) -> Option<Self> {
        Some(Table {
            count: u32_at(b, header)?,
            off: u32_at(b, header + 4)?,
            item,
        })
    }

    /// Where item `i` starts, if it is in the table.
    fn item(&self, i: usize) -> Option<usize> {
        (i < self.count).then(|| self.off.checked_add(i.checked_mul(self.item)?))?
    }
}

/// The id tables of a DEX file, read on demand.
pub(super) struct Dex<'a> {
    b: &'a [u8],
    strings: Table,
    types: Table,
    protos: Table,
    fields: Table,
    methods: Table,
    classes: Table,
}

/// The longest literal rendered into a call line: keys are short, and a crafted string must
/// not be copied once per use.
const MAX_RENDERED: usize = 1024;

impl<'a> Dex<'a> {
    fn new(b: &'a [u8]) -> Option<Self> {
        Some(Dex {
            b,
            strings: Table::at(b, 0x38, 4)?,
            types: Table::at(b, 0x40, 4)?,
            protos: Table::at(b, 0x48, 12)?,
            fields: Table::at(b, 0x50, 8)?,
            methods: Table::at(b, 0x58, 8)?,
            classes: Table::at(b, 0x60, 32)?,
        })
    }

    /// The bytes of string `i` (MUTF-8, without its NUL), at most `max` of them.
    fn string_bytes(&self, i: usize, max: usize) -> Option<&'a [u8]> {
        let off = u32_at(self.b, self.strings.item(i)?)?;
        let (_, start) = uleb128(self.b, off)?;
        let rest = self.b.get(start..)?;
        let window = &rest[..rest.len().min(max)];
        Some(&window[..memchr::memchr(0, window).unwrap_or(window.len())])
    }

    /// String `i` as text, cut at [`MAX_RENDERED`] bytes.
    pub(super) fn string(&self, i: usize) -> Option<String> {
        self.string_bytes(i, MAX_RENDERED).map(mutf8)
    }

    /// The descriptor of type `t` (`Ljavax/crypto/spec/SecretKeySpec;`).
    fn type_name(&self, t: usize) -> Option<String> {
        self.string(u32_at(self.b, self.types.item(t)?)?)
    }

    /// The descriptor of type `t` as stored, for comparing without decoding.
    fn type_bytes(&self, t: usize) -> Option<&'a [u8]> {
        self.string_bytes(u32_at(self.b, self.types.item(t)?)?, MAX_RENDERED)
    }

    /// Method `m` as stored: its class's descriptor, its name, and the descriptor of the
    /// type it returns. Classifying every called method this way allocates nothing.
    fn method_bytes(&self, m: usize) -> Option<(&'a [u8], &'a [u8], &'a [u8])> {
        let o = self.methods.item(m)?;
        let class = self.type_bytes(u16_at(self.b, o)?)?;
        let name = self.string_bytes(u32_at(self.b, o + 4)?, MAX_RENDERED)?;
        let proto = self.protos.item(u16_at(self.b, o + 2)?)?;
        Some((class, name, self.type_bytes(u32_at(self.b, proto + 4)?)?))
    }

    /// Method `m`: its class's descriptor and its name.
    fn method(&self, m: usize) -> Option<(String, String)> {
        let o = self.methods.item(m)?;
        let class = self.type_name(u16_at(self.b, o)?)?;
        Some((class, self.string(u32_at(self.b, o + 4)?)?))
    }

    /// Field `f`: its class's descriptor and its name.
    fn field(&self, f: usize) -> Option<(String, String)> {
        let o = self.fields.item(f)?;
        let class = self.type_name(u16_at(self.b, o)?)?;
        Some((class, self.string(u32_at(self.b, o + 4)?)?))
    }

    /// `com.acme.Crypto.decrypt` for method `m`.
    fn method_name(&self, m: usize) -> String {
        match self.method(m) {
            Some((class, name)) => format!("{}.{name}", java_name(&class)),
            None => format!("method {m}"),
        }
    }
}

/// Every method with code, once per code item.
pub(super) fn methods(dex: &Dex<'_>, label: &str, visitor: &mut dyn Visitor) -> Vec<Method> {
    let mut out = Vec::new();
    let mut seen = FxHashSet::default();
    for c in 0..dex.classes.count {
        let Some(data) = dex.classes.item(c).and_then(|o| u32_at(dex.b, o + 24)) else {
            visitor.warn(format!("{label}: DEX class {c} outside the file; stopped"));
            break;
        };
        if data != 0 && class_methods(dex.b, data, &mut seen, &mut out).is_none() {
            visitor.warn(format!(
                "{label}: DEX class {c} has bad class data; skipped"
            ));
        }
    }
    out
}

/// The methods of the class_data_item at `o`; every entry is read from the input, so the
/// list is bounded by the file's size.
fn class_methods(
    b: &[u8],
    o: usize,
    seen: &mut FxHashSet<usize>,
    out: &mut Vec<Method>,
) -> Option<()> {
    let mut sizes = [0usize; 4];
    let mut o = o;
    for s in &mut sizes {
        (*s, o) = uleb128(b, o)?;
    }
    for _ in 0..sizes[0].saturating_add(sizes[1]) {
        (_, o) = uleb128(b, o)?;
        (_, o) = uleb128(b, o)?;
    }
    for count in [sizes[2], sizes[3]] {
        let mut m = 0usize;
        for _ in 0..count {
            let (diff, o1) = uleb128(b, o)?;
            let (flags, o2) = uleb128(b, o1)?;
            let (code, o3) = uleb128(b, o2)?;
            o = o3;
            m = m.checked_add(diff)?;
            if code != 0 && seen.insert(code) {
                out.push(Method {
                    id: m,
                    code,
                    is_static: flags & ACC_STATIC != 0,
                });
            }
        }
    }
    Some(())
}

/// A method with code.
pub(super) struct Method {
    pub(super) id: usize,
    /// Offset of its code item.
    pub(super) code: usize,
    /// Static methods have no `this` in their first parameter register.
    pub(super) is_static: bool,
}

const ACC_STATIC: usize = 0x8;

/// `Lcom/acme/Crypto;` → `com.acme.Crypto`.
fn java_name(descriptor: &str) -> String {
    let inner = descriptor
        .strip_prefix('L')
        .and_then(|d| d.strip_suffix(';'))
        .unwrap_or(descriptor);
    inner.replace('/', ".")
}

/// The string table, then the calls its literals reach, as one piece.
pub(super) fn dex(
    budget: &mut Budget<'_>,
    member: Option<&str>,
    b: &[u8],
    label: &str,
    visitor: &mut dyn Visitor,
) {
    let Some(dex) = Dex::new(b) else {
        return visitor.warn(format!("{label}: truncated DEX header"));
    };
    sdks(&dex, visitor);
    let mut lines = Lines::new(budget.decoded_room(b.len()));
    strings(&dex, &mut lines, label, visitor);
    if !lines.full() {
        flow::calls(&dex, &mut lines, label, visitor);
    }
    budget.finish(lines, b.len(), member, label, Placement::Opaque, visitor);
}

/// The SDKs whose classes the DEX references, each said once. Every type id is 4 bytes of
/// the file, so the walk is bounded by the file's size whatever the header claims.
fn sdks(dex: &Dex<'_>, visitor: &mut dyn Visitor) {
    let mut seen: Vec<&'static str> = Vec::new();
    for t in 0..dex.types.count.min(dex.b.len() / 4) {
        let Some(descriptor) = dex.type_bytes(t) else {
            break;
        };
        if let Some(sdk) = super::app::sdk_of_class(descriptor) {
            if !seen.contains(&sdk) {
                seen.push(sdk);
                visitor.app(super::AppFact::Sdk(sdk));
            }
        }
    }
}

/// Every string, one a line, labelled `dex string N`. Each offset is read once: string ids
/// are unique in a real DEX, and a crafted one points thousands of ids at one long string.
/// A repeated id is still charged, so repeats end in a warning.
fn strings(dex: &Dex<'_>, lines: &mut Lines, label: &str, visitor: &mut dyn Visitor) {
    let b = dex.b;
    // Offset → length of the string there, for ids that repeat an offset.
    let mut seen: FxHashMap<usize, u64> = FxHashMap::default();
    for i in 0..dex.strings.count {
        let Some(off) = dex.strings.item(i).and_then(|o| u32_at(b, o)) else {
            visitor.warn(format!(
                "{label}: DEX string id {i} outside the file; stopped"
            ));
            break;
        };
        if let Some(&len) = seen.get(&off) {
            if !lines.charge(len) {
                break;
            }
            continue;
        }
        let Some((_, start)) = uleb128(b, off) else {
            visitor.warn(format!(
                "{label}: DEX string {i} at bad offset {off:#x}; stopped"
            ));
            break;
        };
        let Some(rest) = b.get(start..) else { break };
        // Looking for the NUL costs what the string will: never look further than fits.
        let window = &rest[..rest.len().min(lines.room() as usize)];
        let end = memchr::memchr(0, window).unwrap_or(window.len());
        if end == window.len() && window.len() < rest.len() {
            lines.charge(lines.room() + 1);
            break;
        }
        let text = mutf8(&rest[..end]);
        if !lines.push(Label::Dex(i), &text) {
            break;
        }
        seen.insert(off, text.len() as u64 + 1);
    }
}
