//! The calls a literal may reach that make it a secret (key specs, JWT signing, headers),
//! how such a call is written back as source, and how a parameter that reaches one is
//! followed back to the literals callers pass.

use super::flow::{Call, Site, Tracer, Val};
use super::java_name;
use crate::source::extract::{Label, Lines};

/// How many calls deep a parameter is followed back to a literal.
const ROUNDS: usize = 4;

/// How a sink call is written in source.
pub(super) enum Shape {
    New(&'static str),
    Static(&'static str),
    Virtual,
}

/// Whether method `m` takes keys, signing secrets or headers, and how to write a call to it.
pub(super) fn sink(class: &[u8], name: &[u8]) -> Option<Shape> {
    Some(match (class, name) {
        (b"Ljavax/crypto/spec/SecretKeySpec;", b"<init>") => Shape::New("SecretKeySpec"),
        // A key derived from a constant password is as fixed as the password.
        (b"Ljavax/crypto/spec/PBEKeySpec;", b"<init>") => Shape::New("PBEKeySpec"),
        (b"Lcom/auth0/jwt/algorithms/Algorithm;", n) if n.starts_with(b"HMAC") => {
            Shape::Static("Algorithm")
        }
        (b"Lio/jsonwebtoken/security/Keys;", b"hmacShaKeyFor") => Shape::Static("Keys"),
        (c, b"signWith" | b"setSigningKey" | b"verifyWith")
            if c.starts_with(b"Lio/jsonwebtoken/") =>
        {
            Shape::Virtual
        }
        (
            _,
            b"addHeader" | b"header" | b"setHeader" | b"setRequestProperty" | b"addRequestProperty",
        ) => Shape::Virtual,
        _ => return None,
    })
}

impl Tracer<'_, '_> {
    /// Whether the argument that holds the secret is a literal: the first for a constructor
    /// or static call (`new SecretKeySpec(key, alg)`), the last for a method
    /// (`.addHeader(name, value)`, `.signWith(alg, key)`).
    pub(super) fn keyed(&self, call: &Call) -> bool {
        let key = match self.sinks.get(&call.method) {
            Some((Shape::New(_), _)) => call.args.get(1),
            Some((Shape::Static(_), _)) => call.args.first(),
            Some((Shape::Virtual, _)) if call.args.len() > 1 => call.args.last(),
            _ => None,
        };
        key.is_some_and(|v| v.literal())
    }

    /// Follows parameters back through calls to the literals passed in, then reports them.
    pub(super) fn resolve(&mut self, lines: &mut Lines) {
        let sites = std::mem::take(&mut self.sites);
        let args = std::mem::take(&mut self.site_args);
        let passed = |s: &Site| &args[s.args.start as usize..s.args.end as usize];
        for _ in 0..ROUNDS {
            let before: usize = self.summaries.values().map(Vec::len).sum();
            for site in &sites {
                for t in self.summaries_of(site.callee) {
                    let (inst, _) = instantiate(&t, passed(site));
                    if inst.args.iter().any(|v| matches!(v, Val::Param(_))) {
                        self.summarise(site.caller as usize, inst);
                    }
                }
            }
            if self.summaries.values().map(Vec::len).sum::<usize>() == before {
                break;
            }
        }
        for site in &sites {
            for t in self.summaries_of(site.callee) {
                let (inst, gained) = instantiate(&t, passed(site));
                if gained && self.keyed(&inst) && !self.keyed(&t) && !lines.full() {
                    let at = format!(
                        "{} (via {})",
                        self.dex.method_name(site.caller as usize),
                        self.dex.method_name(site.callee as usize)
                    );
                    self.emit(&at, &inst, lines);
                }
            }
        }
    }

    fn summaries_of(&self, m: u32) -> Vec<Call> {
        self.summaries
            .get(&(m as usize))
            .cloned()
            .unwrap_or_default()
    }

    /// Appends `at: call` as a line, `at` naming the method.
    pub(super) fn emit(&self, at: &str, call: &Call, lines: &mut Lines) {
        let Some((shape, name)) = self.sinks.get(&call.method) else {
            return;
        };
        let args = |from: usize| {
            call.args
                .iter()
                .skip(from)
                .map(|v| self.render(*v))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let text = match shape {
            Shape::New(class) => format!("new {class}({})", args(1)),
            Shape::Static(class) => format!("{class}.{name}({})", args(0)),
            Shape::Virtual => format!(".{name}({})", args(1)),
        };
        lines.push(Label::Method(at.len()), &format!("{at}: {text}"));
    }

    fn render(&self, v: Val) -> String {
        let quoted = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        match v {
            Val::Str(i) => quoted(&self.dex.string(i as usize).unwrap_or_default()),
            Val::Array(i) => quoted(&self.arrays[i as usize]),
            Val::Static(f) => match self.dex.field(f as usize) {
                Some((class, name)) => {
                    let class = java_name(&class);
                    format!("{}.{name}", class.rsplit('.').next().unwrap_or(&class))
                }
                None => "x".into(),
            },
            Val::Unknown | Val::Param(_) => "x".into(),
        }
    }
}

/// A summary's call with the callee's parameters replaced by what a caller passed; true when
/// a literal came in that way.
fn instantiate(summary: &Call, passed: &[Val]) -> (Call, bool) {
    let mut gained = false;
    let args = summary
        .args
        .iter()
        .map(|v| match *v {
            Val::Param(p) => {
                let v = passed.get(p as usize).copied().unwrap_or(Val::Unknown);
                gained |= v.literal();
                v
            }
            v => v,
        })
        .collect();
    (
        Call {
            method: summary.method,
            args,
        },
        gained,
    )
}
