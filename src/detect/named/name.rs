//! Names: split into words, and the words decide what a name says a credential is.

use super::Kind;

/// The lower-case words of a name: `dbPassword` → db, password; `API_KEY` → api, key;
/// `spring.datasource.password` → spring, datasource, password; `XMLToken` → xml, token.
pub fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1);
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(char::is_ascii_lowercase))
            });
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Words that make a name something other than the credential itself: its id, where it
/// lives, what it looks like, how it is checked, or a public counterpart.
const NOT_THE_VALUE: &[&str] = &[
    "id",
    "ids",
    "uuid",
    "name",
    "names",
    "user",
    "username",
    "url",
    "uri",
    "urls",
    "endpoint",
    "host",
    "path",
    "file",
    "filename",
    "dir",
    "type",
    "types",
    "length",
    "len",
    "size",
    "count",
    "header",
    "field",
    "label",
    "placeholder",
    "hint",
    "pattern",
    "regex",
    "format",
    "prefix",
    "suffix",
    "alg",
    "algorithm",
    "method",
    "mode",
    "version",
    "expiry",
    "expires",
    "expiration",
    "ttl",
    "timeout",
    "enabled",
    "required",
    "min",
    "max",
    "policy",
    "hash",
    "hashed",
    "digest",
    "encrypted",
    "rounds",
    "public",
    "publishable",
    "env",
    "var",
    "key_id",
    "kid",
    "scope",
    "scopes",
    "provider",
    "service",
    "manager",
    "validator",
    "strategy",
    "generator",
    "helper",
    "util",
    "utils",
    "factory",
    "class",
    "component",
    "input",
    "form",
    "error",
    "errors",
    "message",
    "text",
    "title",
    "description",
    "reset",
    "forgot",
    "confirm",
    "confirmation",
    "new",
    "old",
    "current",
    "verify",
    "validate",
    "validation",
    "rule",
    "rules",
    "store",
    "storage",
    "cache",
    "source",
    "location",
    "param",
    "parameter",
    "arg",
    "option",
    "options",
    "config",
    "settings",
    "ref",
    "reference",
    "mask",
    "masked",
    "show",
    "visible",
    "visibility",
    "toggle",
    "icon",
    "button",
    "link",
    "route",
    "page",
    "view",
    "screen",
    "test",
    "mock",
    "fake",
    "dummy",
    "sample",
    "example",
    "lifetime",
    "refresh_url",
    "request",
    "response",
    "limit",
    "policy",
    "strength",
    "complexity",
    "changed",
    "updated",
    "created",
    "at",
    "date",
    "time",
    "index",
    "count",
    "status",
    "state",
    "flag",
    "check",
];

/// The kind of credential `name` names, if any. A bare `pass` counts only where the name
/// is clearly a key (`"pass":`, `<Pass>`): `strong_key`.
pub fn classify(name: &str) -> Option<Kind> {
    classify_as(name, false)
}

/// Lower-case compounds the case split cannot see (`dbpasswd`, `clientsecret`), by suffix.
const COMPOUND_HEADS: &[&str] = &["password", "passwd", "secret", "token", "apikey"];

/// Prefixes that mark a variable for the client bundle (Next.js, Vite, Create React App,
/// Expo, Nuxt): they say where the value ships, not that it is public information.
const CLIENT_PREFIXES: &[&[&str]] = &[
    &["next", "public"],
    &["expo", "public"],
    &["nuxt", "public"],
    &["react", "app"],
    &["vite"],
];

pub(super) fn classify_as(name: &str, strong_key: bool) -> Option<Kind> {
    let mut w = words(name);
    let prefixed = |p: &&&[&str]| w.len() > p.len() && p.iter().zip(&w).all(|(a, b)| a == b);
    if let Some(p) = CLIENT_PREFIXES.iter().find(prefixed) {
        w.drain(..p.len());
    }
    if let Some(last) = w.last_mut() {
        if let Some(head) = COMPOUND_HEADS
            .iter()
            .find(|h| last.len() > h.len() + 1 && last.ends_with(*h))
        {
            *last = (*head).to_string();
        }
    }
    let head = w.last()?;
    if NOT_THE_VALUE.contains(&head.as_str()) {
        return None;
    }
    // Words that make the value something other than the credential wherever they stand.
    if w.iter().any(|x| {
        matches!(
            x.as_str(),
            "public" | "publishable" | "pub" | "encrypted" | "hashed" | "masked" | "placeholder"
        )
    }) {
        return None;
    }
    let has = |s: &str| w.iter().any(|x| x == s);
    let pair = |a: &str, b: &str| w.windows(2).any(|p| p[0] == a && p[1] == b);
    let last = head.as_str();
    if matches!(last, "password" | "passwd" | "pwd" | "passphrase" | "pass")
        && (last != "pass" || w.len() > 1 || strong_key)
    {
        return Some(Kind::Password);
    }
    if last == "apikey"
        || pair("api", "key")
        || pair("access", "key")
        || pair("subscription", "key")
    {
        return Some(Kind::ApiKey);
    }
    if matches!(
        last,
        "secret" | "secrets" | "credential" | "credentials" | "salt"
    ) || (last == "key" && (has("secret") || has("private") || has("signing") || has("hmac")))
    {
        return Some(Kind::Secret);
    }
    if matches!(last, "token" | "bearer") || (last == "key" && has("auth")) {
        return Some(Kind::Token);
    }
    None
}
