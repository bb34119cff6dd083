//! A sign call that takes a variable: find the literal that variable is assigned in the same
//! file, so `const SECRET = "…"; jwt.sign(p, SECRET)` is reported at the literal.

use regex::bytes::Regex;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

/// How far from an assignment's `=` a fallback literal may sit (`process.env.X || "…"`).
const FALLBACK_SPAN: usize = 120;

/// Every string literal assigned to a name in one blob, by name in file order. Built with
/// one pass of one regex, so resolving any number of sign calls costs one pass over the
/// blob (a regex per call, each run over the whole blob, was quadratic).
pub struct Assignments<'b> {
    by_name: HashMap<&'b [u8], Vec<Range<usize>>>,
}

impl<'b> Assignments<'b> {
    /// Indexes the assignments in `buf`. Matches may overlap (`a: T = "…"` assigns to `a`,
    /// and `T = "…"` to `T`), as they could when each name had a regex of its own, so the
    /// search resumes right after each match's name.
    pub fn index(buf: &'b [u8]) -> Self {
        let re = assignment_re();
        let mut by_name: HashMap<&[u8], Vec<Range<usize>>> = HashMap::new();
        let mut at = 0;
        while at < buf.len() {
            let Some(caps) = re.captures_at(buf, at) else {
                break;
            };
            let (Some(name), Some(v)) = (caps.name("n"), caps.name("v")) else {
                break;
            };
            by_name.entry(name.as_bytes()).or_default().push(v.range());
            at = name.end();
        }
        Assignments { by_name }
    }

    /// The range of the string literal assigned to `ident`: the nearest assignment before
    /// `call_at`, else the first one after it.
    pub fn resolve(&self, ident: &str, call_at: usize) -> Option<Range<usize>> {
        let name = last_segment(ident)?;
        let found = self.by_name.get(name.as_bytes())?;
        let after = found.partition_point(|v| v.start < call_at);
        match after {
            0 => found.first().cloned(),
            i => Some(found[i - 1].clone()),
        }
    }
}

/// `this.config.secret` → `secret`; sigils (`$key`, `@secret`) are kept as written.
fn last_segment(ident: &str) -> Option<&str> {
    let seg = ident.rsplit('.').next()?.trim();
    let ok = !seg.is_empty()
        && seg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'@');
    ok.then_some(seg)
}

/// An assignment of a string literal to any name (`n`); the literal is `v`. A name is
/// every character [`last_segment`] accepts, and what may follow it cannot extend it, so the
/// name matched is the whole name.
fn assignment_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let pattern = format!(
            r#"(?x)
        (?:^|[^A-Za-z0-9_$@.])
        ["']?(?P<n>[A-Za-z0-9_$@]+)["']?
        \s* (?: : \s* [A-Za-z_][A-Za-z0-9_<>\[\]]* \s* )?      # type annotation
        (?: := | = | : | => ) \s*
        (?: [^;\n]{{0,{FALLBACK_SPAN}}}? (?: \|\| | \?\? | \bor\b | (?:getenv|get|fetch)\s*\([^)\n]{{0,80}}, ) \s* )?
        (?: \[\]byte\s*\(\s* | @ | b                        # Go []byte("…"), Ruby @x, Python b"…"
          | Encoding\s*\.\s*[A-Za-z0-9]+\s*\.\s*GetBytes\s*\(\s*   # C#
          | Buffer\s*\.\s*from\s*\(\s* | new\s+TextEncoder\s*\(\s*\)\s*\.\s*encode\s*\(\s* )?
        ["'`](?P<v>[^"'`\r\n]{{6,256}})["'`]"#,
        );
        Regex::new(&pattern).expect("assignment regex compiles")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(buf: &[u8], r: Option<Range<usize>>) -> &str {
        std::str::from_utf8(&buf[r.expect("resolved")]).unwrap()
    }

    fn resolve(buf: &[u8], ident: &str, call_at: usize) -> Option<Range<usize>> {
        Assignments::index(buf).resolve(ident, call_at)
    }

    #[test]
    fn resolves_constant_and_fallback() {
        let js = b"const SECRET = 'k3y-Of-The-Realm';\njwt.sign(p, SECRET);";
        assert_eq!(lit(js, resolve(js, "SECRET", 40)), "k3y-Of-The-Realm");
        let js = b"const key = process.env.JWT_KEY || 'dev-fallback-9';\njwt.sign(p, key)";
        assert_eq!(lit(js, resolve(js, "key", 60)), "dev-fallback-9");
        let py = b"SECRET_KEY = os.getenv('JWT', 'fallback-77x')\njwt.encode(p, SECRET_KEY)";
        assert_eq!(lit(py, resolve(py, "SECRET_KEY", 50)), "fallback-77x");
    }

    #[test]
    fn comparison_and_env_only_do_not_resolve() {
        let js = b"if (key == 'something-long') {}\nconst key = process.env.K;\njwt.sign(p, key)";
        assert_eq!(resolve(js, "key", 70), None);
    }
}
