//! What follows a name: an assignment, a call argument, an XML element or attribute, or an
//! environment lookup's fallback, and the literal it gives.

use super::{Shape, REACH};
use std::ops::Range;

/// What follows a name: the literal given to it and how, within [`REACH`] bytes.
pub(super) fn value_after(
    buf: &[u8],
    name: &Range<usize>,
    quoted: bool,
    code: bool,
) -> Option<(Range<usize>, Shape)> {
    let end = (name.end + REACH).min(buf.len());
    if let Some(found) = xml_forms(buf, name.start, name.end, end) {
        return Some(found);
    }
    if quoted {
        if let Some(r) = keyed_value(buf, name, end) {
            return Some((r, Shape::Attribute));
        }
    }
    let mut at = name.end + usize::from(quoted);
    while at < end && matches!(buf[at], b' ' | b'\t' | b']' | b')') {
        at += 1;
    }
    let op = &buf[at..end];
    let (skip, shape) = if op.starts_with(b"==") || op.starts_with(b"!=") || op.starts_with(b"::") {
        return None;
    } else if op.starts_with(b"||") || op.starts_with(b"??") {
        // `process.env.API_KEY || "…"`: the literal a lookup of this name falls back to.
        (2, Shape::Fallback)
    } else if op.starts_with(b":=") || op.starts_with(b"=>") || op.starts_with(b"?=") {
        (2, Shape::Assignment)
    } else if matches!(op.first(), Some(b'=' | b':')) {
        (1, Shape::Assignment)
    } else if op.first() == Some(&b',') && quoted {
        (1, Shape::Pair)
    } else if op.first() == Some(&b'(') && !quoted {
        (1, Shape::Setter)
    } else if !code && at > name.end && line_start(buf, name.start) {
        // `password "v"` (esmtprc), `password v` (.netrc): a key, spaces, its value.
        (0, Shape::Assignment)
    } else {
        return None;
    };
    let mut v = at + skip;
    while v < end && matches!(buf[v], b' ' | b'\t') {
        v += 1;
    }
    if let Some(r) = fallback(buf, v, end) {
        return Some((r, Shape::Fallback));
    }
    let allow_bare = !code && shape == Shape::Assignment;
    if let Some(r) = literal(buf, v, end, allow_bare) {
        return Some((r, shape));
    }
    // `const TOKEN: &str = "v"`, `val key: String = "v"`: a type between name and value.
    if skip == 1 && buf[at] == b':' {
        let line_end = buf[v..end]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(end, |i| v + i);
        let eq = buf[v..line_end].iter().take(64).position(|&b| b == b'=')?;
        let mut after = v + eq + 1;
        if buf.get(after) == Some(&b'=') {
            return None;
        }
        while after < line_end && buf[after] == b' ' {
            after += 1;
        }
        return literal(buf, after, line_end, false).map(|r| (r, shape));
    }
    None
}

/// `{"key": "apiKey", "value": "v"}` (Postman environments, name/value lists): the name is
/// the value of a `key` or `name` member and the secret is its sibling `value`.
fn keyed_value(buf: &[u8], name: &Range<usize>, end: usize) -> Option<Range<usize>> {
    let before = &buf[..name.start - 1];
    let trimmed = before.trim_ascii_end().strip_suffix(b":")?.trim_ascii_end();
    if !(trimmed.ends_with(b"\"key\"") || trimmed.ends_with(b"\"name\"")) {
        return None;
    }
    let rest = &buf[name.end + 1..end];
    let rest_trim = rest
        .trim_ascii_start()
        .strip_prefix(b",")?
        .trim_ascii_start();
    let after = rest_trim
        .strip_prefix(b"\"value\"")?
        .trim_ascii_start()
        .strip_prefix(b":")?;
    let v = end - after.trim_ascii_start().len();
    literal(buf, v, end, false)
}

/// Whether only spaces (or a `.netrc`-style `machine … login …` run) stand before `at` on
/// its line, so a space-separated `key value` is a setting, not prose.
fn line_start(buf: &[u8], at: usize) -> bool {
    let from = buf[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let before = &buf[from..at];
    before.iter().all(|b| *b == b' ' || *b == b'\t')
        || before.starts_with(b"machine ") && memchr::memmem::find(before, b" login ").is_some()
}

/// `<password>v</…>`, `name="api_key">v<`, `<key>ApiKey</key><string>v</string>` and
/// `key="ApiKey" value="v"`.
fn xml_forms(buf: &[u8], before: usize, after: usize, end: usize) -> Option<(Range<usize>, Shape)> {
    let rest = &buf[after..end];
    let prev = |s: &[u8]| buf[..before].ends_with(s);
    if prev(b"<") && matches!(rest.first(), Some(b'>' | b' ')) {
        // `<password>v</password>`, `<Pass encoding="base64">v</Pass>`
        let close = rest.iter().position(|&b| b == b'>' || b == b'\n')?;
        if rest[close] != b'>' || rest[..close].ends_with(b"/") {
            return None;
        }
        return element_text(buf, after + close + 1, end).map(|r| (r, Shape::Element));
    }
    if prev(b"<key>") && rest.starts_with(b"</key>") {
        let mut i = after + 6;
        while i < end && buf[i].is_ascii_whitespace() {
            i += 1;
        }
        if buf[i..end].starts_with(b"<string>") {
            return element_text(buf, i + 8, end).map(|r| (r, Shape::Element));
        }
        return None;
    }
    let named = prev(b"name=\"") || prev(b"key=\"") || prev(b"name='") || prev(b"key='");
    if named && (rest.starts_with(b"\">") || rest.starts_with(b"'>")) {
        return element_text(buf, after + 2, end).map(|r| (r, Shape::Element));
    }
    // The closing quote must be there: a name cut off by the end of the input has no value.
    if named && rest.first().is_some_and(|b| matches!(b, b'"' | b'\'')) {
        let tail = &buf[after + 1..end];
        let mut gap = tail.iter().take_while(|b| **b == b' ').count();
        // `android:name="…" android:value="…"`: a namespace prefix on the value attribute.
        let prefix = tail[gap..]
            .iter()
            .take(16)
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        if prefix > 0 && tail.get(gap + prefix) == Some(&b':') {
            gap += prefix + 1;
        }
        for attr in [&b"value="[..], b"content="] {
            if tail[gap..].starts_with(attr) {
                let v = after + 1 + gap + attr.len();
                return literal(buf, v, end, false).map(|r| (r, Shape::Attribute));
            }
        }
    }
    None
}

/// Element text up to the next `<`, when it is one token.
fn element_text(buf: &[u8], start: usize, end: usize) -> Option<Range<usize>> {
    let len = buf[start..end].iter().position(|&b| b == b'<')?;
    let r = start..start + len;
    let t = &buf[r.clone()];
    (!t.is_empty() && !t.iter().any(u8::is_ascii_whitespace)).then_some(r)
}

/// The literal an environment lookup falls back to: `getenv("X") || "v"`,
/// `process.env.X ?? "v"`, `os.environ.get("X", "v")`, `ENV.fetch("X", "v")`, `${X:v}`.
fn fallback(buf: &[u8], at: usize, end: usize) -> Option<Range<usize>> {
    let rest = &buf[at..end];
    if rest.starts_with(b"${") {
        let close = rest.iter().position(|&b| b == b'}')?;
        let colon = rest[..close].iter().position(|&b| b == b':')?;
        let r = at + colon + 1..at + close;
        let d = &buf[r.clone()];
        let d = d
            .strip_prefix(b"-")
            .map_or(r.clone(), |_| r.start + 1..r.end);
        return (!d.is_empty() && !buf[d.clone()].contains(&b'$')).then_some(d);
    }
    const LOOKUPS: &[&[u8]] = &[
        b"process.env",
        b"os.getenv(",
        b"os.environ",
        b"getenv(",
        b"System.getenv(",
        b"ENV[",
        b"ENV.fetch(",
        b"env(",
        b"Environment.GetEnvironmentVariable(",
        b"std::env::var(",
    ];
    if !LOOKUPS.iter().any(|l| rest.starts_with(l)) {
        return None;
    }
    let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let line = &rest[..line_end];
    for sep in [&b"||"[..], b"??", b"?:", b" or ", b"unwrap_or(", b","] {
        if let Some(i) = memchr::memmem::find(line, sep) {
            let mut v = at + i + sep.len();
            while v < at + line_end && buf[v] == b' ' {
                v += 1;
            }
            if let Some(r) = literal(buf, v, at + line_end, false) {
                return Some(r);
            }
        }
    }
    None
}

/// A quoted string at `at` (after an optional `b`/`r`/`f`/`@` prefix), or, where `bare` is
/// allowed (configuration files), an unquoted value to the end of the token.
fn literal(buf: &[u8], at: usize, end: usize, bare: bool) -> Option<Range<usize>> {
    let mut i = at;
    if i + 1 < end
        && matches!(buf[i], b'b' | b'r' | b'f' | b'@' | b'u')
        && matches!(buf[i + 1], b'"' | b'\'')
    {
        i += 1;
    }
    match buf.get(i) {
        Some(&q @ (b'"' | b'\'' | b'`')) if i < end => {
            let start = i + 1;
            let len = buf[start..end].iter().position(|&b| b == q || b == b'\n')?;
            let r = start..start + len;
            let body = &buf[r.clone()];
            let hole = q == b'`' && memchr::memmem::find(body, b"${").is_some();
            (buf.get(r.end) == Some(&q) && !hole && !body.contains(&b'\\')).then_some(r)
        }
        Some(_) if bare => {
            let len = buf[i..end]
                .iter()
                .position(|&b| {
                    // `#` starts a comment only after a space, which ends the value first.
                    b.is_ascii_whitespace()
                        || matches!(
                            b,
                            b',' | b';' | b'}' | b'(' | b')' | b']' | b'"' | b'\'' | b'<'
                        )
                })
                .unwrap_or(end - i);
            (len > 0).then_some(i..i + len)
        }
        _ => None,
    }
}
