//! Credentials found by the name they are given, in any language: one small scanner that
//! understands names, assignment operators, call arguments, XML elements and attributes,
//! quoted strings and environment fallbacks, instead of a regex per language and framework.
//!
//! A keyword hit (`password`, `Token`, `API_KEY`, …) sits inside a name. The name is
//! tokenised (camelCase, snake_case, kebab-case, dotted) and its words decide the kind of
//! credential, or that it is not one (`token_url`, `passwordField`, `client_id`). What follows
//! the name decides whether a literal is given to it, and the literal's shape (length,
//! character classes, entropy, known non-secret forms) decides whether it is a secret.
//! Everything is read within [`REACH`] bytes of the hit, so each hit costs a bounded amount
//! of work however long the line.

mod name;
mod shape;
mod usage;
mod value;

pub use name::{classify, words};
pub use usage::{Facts, Library, Use};

use super::{entropy, placeholder};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// How far around a hit the name and its value are looked for.
const REACH: usize = 512;

/// What a name says a credential is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// `password`, `passwd`, `pwd`, `passphrase`.
    Password,
    /// `secret`, `private_key`, `credentials`, `salt`, `hmac` keys.
    Secret,
    /// `api_key`, `apikey`, `access_key`, `subscription_key`.
    ApiKey,
    /// `token`, `auth_token`, `bearer`.
    Token,
}

impl Kind {
    /// The kind a rule's id names (`generic.password` → Password).
    pub fn of_rule(id: &str) -> Option<Kind> {
        match id.rsplit('.').next()? {
            "password" => Some(Kind::Password),
            "secret" => Some(Kind::Secret),
            "api-key" => Some(Kind::ApiKey),
            "token" => Some(Kind::Token),
            _ => None,
        }
    }
}

/// How a literal reached the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// `name = "v"`, `name: v`, `"name": "v"`, `name := "v"`, `name => "v"`.
    Assignment,
    /// `set("name", "v")`, `getenv("NAME", "v")`: a name and a value as two arguments.
    Pair,
    /// `setPassword("v")`, `.token("v")`: a setter named for the credential.
    Setter,
    /// `<password>v</password>`, `<string name="api_key">v</string>`, plist key and string.
    Element,
    /// `key="ApiKey" value="v"`.
    Attribute,
    /// `getenv("X") || "v"`, `${X:v}`: the literal a lookup falls back to.
    Fallback,
}

/// Why a value was taken as a credential, printed in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The name as written (at most 64 characters).
    pub name: String,
    /// What the name says.
    pub kind: Kind,
    /// How the value reached the name.
    pub shape: Shape,
    /// Shannon entropy of the value, bits per character (two decimals).
    pub entropy: f64,
    /// The value is a well-known demo or default value (`changeit`, `your-256-bit-secret`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo_value: bool,
    /// What the name is used for later in the file (a sign call, a header, a login).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_for: Option<Use>,
    /// JWT, crypto and HTTP libraries the file imports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imports: Vec<Library>,
}

/// A credential found by name: where its value is and why.
#[derive(Debug, Clone)]
pub struct Named {
    /// The value's bytes in the blob.
    pub value: Range<usize>,
    /// Why it counts.
    pub evidence: Evidence,
}

/// The credential of `kind` whose name holds the keyword hit at `hit`, if a literal is
/// given to it. `code` says the blob is source code, where values are quoted; `facts`
/// belong to `buf` and say how names are used later in it.
pub fn find<'b>(
    buf: &'b [u8],
    hit: Range<usize>,
    kind: Kind,
    code: bool,
    facts: &Facts<'b>,
) -> Option<Named> {
    let (name_at, quoted) = name_around(buf, hit)?;
    // What follows the name is read first: it is a few byte comparisons, and most keyword
    // hits in code (`tokens.next()`, `parse_secret(x)`) stop there, before any allocation.
    let (value, shape) = value::value_after(buf, &name_at, quoted, code)?;
    if value.len() < shape::MIN_LEN {
        return None;
    }
    let name = std::str::from_utf8(&buf[name_at.clone()]).ok()?;
    let element = name_at.start > 0 && buf[name_at.start - 1] == b'<';
    if name::classify_as(name, quoted || element)? != kind {
        return None;
    }
    let text = std::str::from_utf8(&buf[value.clone()]).ok()?;
    if placeholder::is_placeholder(text) || echoes(name, text) || sealed(buf, text, facts) {
        return None;
    }
    let demo = shape::is_demo(text);
    // A value the file later signs with, sends as a header or logs in with is the
    // credential, even when it is too plain to pass for one on its own. The file's uses are
    // indexed (a pass over the whole file) only for a value that can be reported.
    let strong = demo || shape::plausible(text, kind, code);
    if !(strong || code && shape::usable(text)) {
        return None;
    }
    let used_for = if code { facts.use_of(buf, name) } else { None };
    if !strong && used_for.is_none() {
        return None;
    }
    let e = entropy::shannon(text.as_bytes());
    Some(Named {
        value,
        evidence: Evidence {
            name: name.chars().take(64).collect(),
            kind,
            shape,
            entropy: (e * 100.0).round() / 100.0,
            demo_value: demo,
            used_for,
            imports: if code {
                facts.imports(buf).to_vec()
            } else {
                Vec::new()
            },
        },
    })
}

/// A SealedSecret's ciphertext: base64 of a version-2 envelope (`Ag…`) holding an RSA-wrapped
/// session key, so hundreds of characters long.
fn sealed<'b>(buf: &'b [u8], value: &str, facts: &Facts<'b>) -> bool {
    value.len() >= 256 && value.starts_with("Ag") && facts.sealed(buf)
}

/// A value that repeats its name with capitals (`"password": "Password"`, `token: "TOKEN"`):
/// a label or a key, as translation files and enums write them. All in lower case
/// (`password "password"`) it is a weak password, reported as a demo value.
fn echoes(name: &str, value: &str) -> bool {
    if !value.bytes().any(|b| b.is_ascii_uppercase()) {
        return false;
    }
    let squash = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let v = squash(value);
    v == squash(name) || words(name).contains(&v)
}

fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$')
}

/// The name holding `hit`, and whether it is quoted (`"password":`, `getenv("TOKEN", …)`).
fn name_around(buf: &[u8], hit: Range<usize>) -> Option<(Range<usize>, bool)> {
    let floor = hit.start.saturating_sub(REACH / 4);
    let mut start = hit.start;
    while start > floor && name_byte(buf[start - 1]) {
        start -= 1;
    }
    let ceil = (hit.end + REACH / 4).min(buf.len());
    let mut end = hit.end;
    while end < ceil && name_byte(buf[end]) {
        end += 1;
    }
    // A name runs into neither a longer word nor a value (`$password`, `a.b.password.`).
    let trimmed = trim_name(buf, start..end);
    let quoted = trimmed.start > 0
        && matches!(buf[trimmed.start - 1], b'"' | b'\'')
        && buf.get(trimmed.end) == Some(&buf[trimmed.start - 1]);
    (!trimmed.is_empty()).then_some((trimmed, quoted))
}

fn trim_name(buf: &[u8], mut r: Range<usize>) -> Range<usize> {
    while r.start < r.end && matches!(buf[r.start], b'.' | b'-' | b'$') {
        r.start += 1;
    }
    while r.end > r.start && matches!(buf[r.end - 1], b'.' | b'-') {
        r.end -= 1;
    }
    r
}

#[cfg(test)]
mod evidence_tests;
#[cfg(test)]
mod hostile_tests;
#[cfg(test)]
mod scope_tests;
#[cfg(test)]
mod tests;
