//! A sign call that takes a variable: find the literal that variable is assigned in the same
//! file, so `const SECRET = "…"; jwt.sign(p, SECRET)` is reported at the literal.

use regex::bytes::Regex;
use std::ops::Range;

/// How far from an assignment's `=` a fallback literal may sit (`process.env.X || "…"`).
const FALLBACK_SPAN: usize = 120;

/// The range of the string literal assigned to `ident` in `buf`: the nearest assignment
/// before `call_at`, else the first one after it.
pub fn resolve(buf: &[u8], ident: &str, call_at: usize) -> Option<Range<usize>> {
    let name = last_segment(ident)?;
    let re = assignment_re(name)?;
    let mut before = None;
    for caps in re.captures_iter(buf) {
        let v = caps.name("v")?;
        if v.start() < call_at {
            before = Some(v.range());
        } else {
            return before.or(Some(v.range()));
        }
    }
    before
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

fn assignment_re(name: &str) -> Option<Regex> {
    let pattern = format!(
        r#"(?x)
        (?:^|[^A-Za-z0-9_$@.])
        ["']?{name}["']?
        \s* (?: : \s* [A-Za-z_][A-Za-z0-9_<>\[\]]* \s* )?      # type annotation
        (?: := | = | : | => ) \s*
        (?: [^;\n]{{0,{span}}}? (?: \|\| | \?\? | \bor\b | (?:getenv|get|fetch)\s*\([^)\n]{{0,80}}, ) \s* )?
        (?: \[\]byte\s*\(\s* | @ | b                        # Go []byte("…"), Ruby @x, Python b"…"
          | Encoding\s*\.\s*[A-Za-z0-9]+\s*\.\s*GetBytes\s*\(\s*   # C#
          | Buffer\s*\.\s*from\s*\(\s* | new\s+TextEncoder\s*\(\s*\)\s*\.\s*encode\s*\(\s* )?
        ["'`](?P<v>[^"'`\r\n]{{6,256}})["'`]"#,
        name = regex::escape(name),
        span = FALLBACK_SPAN,
    );
    Regex::new(&pattern).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(buf: &[u8], r: Option<Range<usize>>) -> &str {
        std::str::from_utf8(&buf[r.expect("resolved")]).unwrap()
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
