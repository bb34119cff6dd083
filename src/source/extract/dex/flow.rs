//! Which literals reach which calls. Each method's instructions are read once, in order,
//! keeping for every register the literal it holds (a string, a byte array, a parameter);
//! a call to a key, signing or header method with a literal argument becomes a line of
//! text shaped like the source it came from (`new SecretKeySpec("…", "AES")`), so the same
//! rules that read source read it. A method whose parameter reaches such a call is
//! summarised, and a literal passed to it from elsewhere is reported at the caller, through
//! at most [`ROUNDS`] calls.
//!
//! The walk follows no branches: the verifier lets a register be used as an object only
//! after an object was written to it on every path, so the last write seen in order is the
//! value in straight-line code, which is how compilers emit key set-up.

use super::insn::{Args, Code, Op, MAX_ARGS};
use super::sinks::Shape;
use super::{methods, u16_at, u32_at, Dex, Method};
use crate::source::extract::{Lines, Visitor};
use rustc_hash::FxHashMap;

/// Summaries kept per method.
const MAX_SUMMARIES: usize = 8;
/// Call sites kept for following parameters back to callers (each holds its arguments).
const MAX_SITES: usize = 1 << 20;
/// Longest byte array rendered.
const MAX_ARRAY: usize = 4096;

/// What a register holds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(super) enum Val {
    Unknown,
    /// String `i`, or something computed from it (its bytes, its decoding).
    Str(u32),
    /// Byte array `i` of [`Tracer::arrays`].
    Array(u32),
    /// The method's parameter in register unit `i` (`this` is 0 for instance methods).
    Param(u32),
    /// A static field read without a known literal (`SignatureAlgorithm.HS256`).
    Static(u32),
}

impl Val {
    pub(super) fn literal(self) -> bool {
        matches!(self, Val::Str(_) | Val::Array(_))
    }

    /// A literal, or a parameter a caller may pass one in.
    fn traced(self) -> bool {
        matches!(self, Val::Str(_) | Val::Array(_) | Val::Param(_))
    }
}

/// A call to a sink, with what each argument held.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) struct Call {
    pub(super) method: usize,
    pub(super) args: Vec<Val>,
}

pub(super) struct Tracer<'d, 'a> {
    pub(super) dex: &'d Dex<'a>,
    /// Method id → how a call to it is written, when it is a sink.
    pub(super) sinks: FxHashMap<usize, (Shape, String)>,
    /// Method id → what is known of it: [`KNOWN`], [`SINK`], [`CARRIES`], [`HAS_CODE`].
    pub(super) kinds: Vec<u8>,
    /// Field id → the literal stored in it.
    pub(super) fields: FxHashMap<usize, Val>,
    pub(super) arrays: Vec<String>,
    /// Method id → sink calls its parameters reach.
    pub(super) summaries: FxHashMap<usize, Vec<Call>>,
    /// Calls to methods of this DEX with a literal or parameter argument.
    pub(super) sites: Vec<Site>,
    /// The arguments of every site, one after another.
    pub(super) site_args: Vec<Val>,
    /// Registers of the method being walked (reused).
    state: Vec<Val>,
    /// Code units and registers still allowed to be walked.
    pub(super) work: usize,
}

/// A call from `caller` to `callee`, its arguments at `args` in [`Tracer::site_args`].
pub(super) struct Site {
    pub(super) caller: u32,
    pub(super) callee: u32,
    pub(super) args: std::ops::Range<u32>,
}

/// Bits of [`Tracer::kinds`]: classified yet, a sink, a call whose result carries its
/// argument, a method with code in this DEX (only those can pass a parameter on).
pub(super) const KNOWN: u8 = 1;
pub(super) const SINK: u8 = 2;
const CARRIES: u8 = 4;
const HAS_CODE: u8 = 8;

/// Reads every method's code and appends a line per call a literal reaches.
pub(super) fn calls(dex: &Dex<'_>, lines: &mut Lines, label: &str, visitor: &mut dyn Visitor) {
    let methods = methods(dex, label, visitor);
    // Method ids are 16-bit in every call, so this is at most 64 K entries.
    let mut kinds = vec![0u8; dex.methods.count.min(1 << 16)];
    for method in &methods {
        if let Some(k) = kinds.get_mut(method.id) {
            *k |= HAS_CODE;
        }
    }
    let mut t = Tracer {
        dex,
        sinks: FxHashMap::default(),
        kinds,
        fields: FxHashMap::default(),
        arrays: Vec::new(),
        summaries: FxHashMap::default(),
        sites: Vec::new(),
        site_args: Vec::new(),
        state: Vec::new(),
        // A real DEX's code and registers fit in its size twice over (two passes).
        work: dex.b.len().saturating_mul(2),
    };
    // The first pass learns which literals fields hold, the second follows them.
    for pass in 0..2 {
        for method in &methods {
            if !t.method(method, pass == 1, lines) {
                visitor.warn(format!(
                    "{label}: DEX code larger than the file allows; the rest not traced"
                ));
                return;
            }
            if lines.full() {
                return;
            }
        }
    }
    if t.sites.len() == MAX_SITES {
        visitor.warn(format!(
            "{label}: more than {MAX_SITES} DEX calls pass literals on; the rest not followed"
        ));
    }
    t.resolve(lines);
}

impl Tracer<'_, '_> {
    /// Walks one method; false when the work budget ran out.
    fn method(&mut self, method: &Method, follow: bool, lines: &mut Lines) -> bool {
        let (b, code_off) = (self.dex.b, method.code);
        let (Some(regs), Some(ins), Some(units)) = (
            u16_at(b, code_off),
            u16_at(b, code_off + 2),
            u32_at(b, code_off + 12),
        ) else {
            return true;
        };
        let start = code_off + 16;
        let Some(bytes) = units.checked_mul(2).and_then(|n| b.get(start..start + n)) else {
            return true;
        };
        let cost = regs + units;
        if cost > self.work {
            return false;
        }
        self.work -= cost;
        let mut state = std::mem::take(&mut self.state);
        state.clear();
        state.resize(regs, Val::Unknown);
        let ins = ins.min(regs);
        // `this` is never a literal, so it is not traced: calls on it are the most common.
        let this = usize::from(!method.is_static);
        for (p, slot) in state[regs - ins..].iter_mut().enumerate().skip(this) {
            *slot = Val::Param(p as u32);
        }
        self.walk(method.id, &Code { bytes }, &mut state, follow, lines);
        self.state = state;
        true
    }

    fn walk(
        &mut self,
        m: usize,
        code: &Code<'_>,
        state: &mut [Val],
        follow: bool,
        lines: &mut Lines,
    ) {
        let mut result = Val::Unknown;
        let mut pc = 0;
        let get = |state: &[Val], r: u16| state.get(r as usize).copied().unwrap_or(Val::Unknown);
        while let Some((op, next)) = code.decode(pc) {
            let (dst, val) = match op {
                Op::ConstString { dst, string } => (dst, Val::Str(string as u32)),
                Op::Move { dst, src } => (dst, get(state, src)),
                Op::MoveResult { dst } => (dst, result),
                Op::GetField { dst, field } => (dst, self.field(field)),
                Op::FillArray { dst, payload } => (dst, self.array(code, payload)),
                Op::Write { dst } => (dst, Val::Unknown),
                Op::PutField { src, field } => {
                    let v = get(state, src);
                    if v.literal() {
                        self.fields.entry(field).or_insert(v);
                    }
                    pc = next;
                    continue;
                }
                Op::Invoke { method, args } => {
                    result = self.invoke(m, method, state, &args, follow, lines);
                    pc = next;
                    continue;
                }
                Op::Other => {
                    pc = next;
                    continue;
                }
            };
            if let Some(slot) = state.get_mut(dst as usize) {
                *slot = val;
            }
            pc = next;
        }
    }

    fn field(&self, f: usize) -> Val {
        self.fields
            .get(&f)
            .copied()
            .unwrap_or(Val::Static(f as u32))
    }

    /// The byte array a `fill-array-data` payload at `pc` holds.
    fn array(&mut self, code: &Code<'_>, pc: usize) -> Val {
        let (Some(0x0300), Some(1), Some(lo), Some(hi)) = (
            code.unit(pc),
            code.unit(pc + 1),
            code.unit(pc + 2),
            code.unit(pc + 3),
        ) else {
            return Val::Unknown;
        };
        let n = lo | (hi << 16);
        let start = (pc + 4) * 2;
        let Some(bytes) = code.bytes.get(start..start.saturating_add(n)) else {
            return Val::Unknown;
        };
        if n == 0 || n > MAX_ARRAY {
            return Val::Unknown;
        }
        let text = if bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
            String::from_utf8_lossy(bytes).into_owned()
        } else {
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        };
        self.arrays.push(text);
        Val::Array((self.arrays.len() - 1) as u32)
    }

    /// Handles a call from method `m`; returns what its result holds.
    fn invoke(
        &mut self,
        m: usize,
        callee: usize,
        state: &[Val],
        args: &Args,
        follow: bool,
        lines: &mut Lines,
    ) -> Val {
        let regs = &args.regs[..args.len.min(MAX_ARGS)];
        let val = |r: &u16| state.get(*r as usize).copied().unwrap_or(Val::Unknown);
        // Most calls pass nothing traced: decided before anything is looked up or kept.
        let Some(first) = regs.iter().map(val).find(|v| v.traced()) else {
            return Val::Unknown;
        };
        let kind = self.kind(callee);
        if kind & SINK != 0 {
            if follow {
                let call = Call {
                    method: callee,
                    args: regs.iter().map(val).collect(),
                };
                if self.keyed(&call) {
                    self.emit(&self.dex.method_name(m), &call, lines);
                }
                if call.args.iter().any(|v| matches!(v, Val::Param(_))) {
                    self.summarise(m, call);
                }
            }
            return Val::Unknown;
        }
        if follow && kind & HAS_CODE != 0 && self.sites.len() < MAX_SITES {
            let start = self.site_args.len() as u32;
            self.site_args.extend(regs.iter().map(val));
            self.sites.push(Site {
                caller: m as u32,
                callee: callee as u32,
                args: start..self.site_args.len() as u32,
            });
        }
        if kind & CARRIES != 0 {
            first
        } else {
            Val::Unknown
        }
    }

    /// What is known of method `m`, classified on first use.
    pub(super) fn kind(&mut self, m: usize) -> u8 {
        let Some(&k) = self.kinds.get(m) else {
            return 0;
        };
        if k & KNOWN != 0 {
            return k;
        }
        let mut k = k | KNOWN;
        if let Some((class, name, returns)) = self.dex.method_bytes(m) {
            if let Some(shape) = super::sinks::sink(class, name) {
                self.sinks
                    .insert(m, (shape, String::from_utf8_lossy(name).into_owned()));
                k |= SINK;
            } else if carries(class, returns) {
                k |= CARRIES;
            }
        }
        self.kinds[m] = k;
        k
    }

    pub(super) fn summarise(&mut self, m: usize, call: Call) {
        let list = self.summaries.entry(m).or_default();
        if list.len() < MAX_SUMMARIES && !list.contains(&call) {
            list.push(call);
        }
    }
}

/// Whether a call's result is its argument in another form: a method returning bytes or
/// chars (`getBytes`, `Base64.decode`, an app's own hex decoder), or a `String` method
/// returning a string (`trim`). A lookup by name (`getString("key")`) returns neither.
fn carries(class: &[u8], returns: &[u8]) -> bool {
    match returns {
        b"[B" | b"[C" => true,
        b"Ljava/lang/String;" => class == b"Ljava/lang/String;",
        _ => false,
    }
}
