//! Evidence from the rest of the file: a value whose name is later passed to a signing call,
//! keys an HMAC, goes into an `Authorization` header or a login, is a credential whatever
//! it looks like; a file that imports a JWT, crypto or HTTP library makes a secret-named value
//! more likely to be one. Both facts are computed once per file, on the first named hit.

use aho_corasick::{AhoCorasick, MatchKind};
use regex::bytes::Regex;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::cell::OnceCell;
use std::sync::OnceLock;

/// What a name is used for later in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Use {
    /// Passed to a signing or verifying call (`jwt.sign(p, KEY)`, `signWith(KEY)`).
    Sign,
    /// Keys an HMAC or a cipher (`createHmac("sha256", KEY)`, `SecretKeySpec(KEY…)`).
    Mac,
    /// Sent in an HTTP header (`Authorization: Bearer ${TOKEN}`, `"X-Api-Key": KEY`).
    Header,
    /// Given to a login or connection call (`connect(…, PASSWORD)`, `auth(user, PW)`).
    Login,
}

/// A library family a file imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Library {
    /// JWT libraries (`jsonwebtoken`, `jose`, `PyJWT`, `golang-jwt`, `jjwt`).
    Jwt,
    /// HMAC and cipher libraries (`crypto`, `hmac`, `javax.crypto`, `hashlib`).
    Crypto,
    /// HTTP clients (`axios`, `requests`, `okhttp`, `HttpClient`, `reqwest`).
    Http,
}

/// Calls and headers that consume a credential, matched without regard to case; a call
/// must not be the tail of a longer word (`design(` is not `sign(`).
const SINKS: &[(&str, Use)] = &[
    ("sign(", Use::Sign),
    ("verify(", Use::Sign),
    ("signwith(", Use::Sign),
    ("setsigningkey(", Use::Sign),
    ("signedstring(", Use::Sign),
    ("encode(", Use::Sign),
    ("createhmac(", Use::Mac),
    ("hmac(", Use::Mac),
    ("hmac.new(", Use::Mac),
    ("new_from_slice(", Use::Mac),
    ("hmacsha256(", Use::Mac),
    ("secretkeyspec(", Use::Mac),
    ("symmetricsecuritykey(", Use::Mac),
    ("authorization", Use::Header),
    ("bearer ", Use::Header),
    ("x-api-key", Use::Header),
    ("setrequestproperty(", Use::Header),
    ("basicauth(", Use::Login),
    ("auth(", Use::Login),
    ("login(", Use::Login),
    ("connect(", Use::Login),
    ("createconnection(", Use::Login),
    ("getconnection(", Use::Login),
];

/// How far after a sink its arguments are read, and how many sinks a file may have: the
/// index costs at most `MAX_SINKS * ARGS` bytes of reading, whatever the file.
const ARGS: usize = 256;
const MAX_SINKS: usize = 20_000;

/// Names are looked up around their own occurrences before a file's sinks are indexed: most
/// files ask about a few names, and finding a name (memchr) is many times faster than the
/// case-insensitive sink automaton over the whole file, which has no prefilter. The look-ups
/// may read (in sink windows, and a sixteenth of the file per name found by memchr) half as
/// many bytes as the file holds; past that the index is built, so the work stays linear.
const DIRECT_SHARE: usize = 2;
const MEMMEM_SHARE: usize = 16;

/// The longest sink word, so a window that holds a name's sink arguments holds the sink.
const LONGEST_SINK: usize = 24;

/// Facts about one file for named detection, each computed on first use.
#[derive(Default)]
pub struct Facts<'b> {
    uses: OnceCell<FxHashMap<&'b [u8], Use>>,
    /// Bytes the direct look-ups may still read (`None`: not yet set).
    direct: std::cell::Cell<Option<usize>>,
    imports: OnceCell<Vec<Library>>,
    sealed: OnceCell<bool>,
}

impl<'b> Facts<'b> {
    /// What `name` (or its last dotted segment) is used for later in `buf`.
    pub fn use_of(&self, buf: &'b [u8], name: &str) -> Option<Use> {
        let last = name.rsplit(['.', ':', '>']).next().unwrap_or(name);
        if self.uses.get().is_none() {
            let mut budget = self.direct.get().unwrap_or(buf.len() / DIRECT_SHARE);
            let found = direct_use(buf, name.as_bytes(), last.as_bytes(), &mut budget);
            self.direct.set(Some(budget));
            if let Some(found) = found {
                return found;
            }
        }
        let uses = self.uses.get_or_init(|| index_uses(buf));
        if uses.is_empty() {
            return None;
        }
        uses.get(name.as_bytes())
            .or_else(|| uses.get(last.as_bytes()))
            .copied()
    }

    /// Whether `buf` is a Bitnami SealedSecret manifest, whose `encryptedData` values are
    /// ciphertext for the cluster's key, safe to commit.
    pub fn sealed(&self, buf: &[u8]) -> bool {
        *self
            .sealed
            .get_or_init(|| memchr::memmem::find(buf, b"kind: SealedSecret").is_some())
    }

    /// The library families `buf` imports.
    pub fn imports(&self, buf: &[u8]) -> &[Library] {
        self.imports.get_or_init(|| imports(buf))
    }
}

fn sinks() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(SINKS.iter().map(|(s, _)| s))
            .expect("sink automaton builds")
    })
}

/// Every identifier read in the arguments of a sink (up to the end of the line), with the
/// first use it was seen in.
fn index_uses(buf: &[u8]) -> FxHashMap<&[u8], Use> {
    let mut out = FxHashMap::default();
    for m in sinks().find_iter(buf).take(MAX_SINKS) {
        let (word, use_) = SINKS[m.pattern().as_usize()];
        let glued = m.start() > 0 && is_ident(buf[m.start() - 1]);
        if word.ends_with('(') && glued {
            continue;
        }
        let end = (m.end() + ARGS).min(buf.len());
        let args = &buf[m.end()..end];
        let args = &args[..memchr::memchr(b'\n', args).unwrap_or(args.len())];
        for ident in identifiers(args) {
            out.entry(ident).or_insert(use_);
            // `config.jwtSecret` is also known as `jwtSecret`, and `KEY.encode()` uses `KEY`.
            if ident.contains(&b'.') {
                for part in ident.split(|&b| b == b'.') {
                    out.entry(part).or_insert(use_);
                }
            }
        }
    }
    out
}

/// What [`index_uses`] would say of `name`, then of `last`, found around their occurrences:
/// a sink whose arguments hold an occurrence starts at most `ARGS` bytes (plus the sink)
/// before it on its line, and the first sink of the file whose arguments hold the name is the
/// first found for its first occurrence that has one. `None` once `budget` bytes are read.
fn direct_use(buf: &[u8], name: &[u8], last: &[u8], budget: &mut usize) -> Option<Option<Use>> {
    if let Some(u) = sink_before(buf, name, budget)? {
        return Some(Some(u));
    }
    if last == name {
        return Some(None);
    }
    sink_before(buf, last, budget)
}

fn sink_before(buf: &[u8], key: &[u8], budget: &mut usize) -> Option<Option<Use>> {
    if key.is_empty() {
        return Some(None);
    }
    *budget = budget.checked_sub(buf.len() / MEMMEM_SHARE)?;
    for q in memchr::memmem::find_iter(buf, key) {
        // Only where an identifier (or a dotted part of one) is exactly the key.
        let before = q.checked_sub(1).map(|i| buf[i]);
        let after = buf.get(q + key.len()).copied();
        if before.is_some_and(|b| is_ident(b) && b != b'$') || after.is_some_and(is_ident) {
            continue;
        }
        let from = q.saturating_sub(ARGS + LONGEST_SINK);
        let from = memchr::memrchr(b'\n', &buf[from..q]).map_or(from, |nl| from + nl + 1);
        *budget = budget.checked_sub(q - from)?;
        for m in sinks().find_iter(&buf[from..q]) {
            let (start, end) = (from + m.start(), from + m.end());
            let (word, use_) = SINKS[m.pattern().as_usize()];
            if word.ends_with('(') && start > 0 && is_ident(buf[start - 1]) {
                continue;
            }
            let args = &buf[end..(end + ARGS).min(buf.len())];
            let args = &args[..memchr::memchr(b'\n', args).unwrap_or(args.len())];
            let holds = identifiers(args).any(|id| {
                id == key || (id.contains(&b'.') && id.split(|&b| b == b'.').any(|p| p == key))
            });
            if holds {
                return Some(Some(use_));
            }
        }
    }
    Some(None)
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

fn starts_ident(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'$'
}

/// Dotted identifiers in `s` (`a.b_c`, `$KEY`, `self.secret`).
fn identifiers(s: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < s.len() && !starts_ident(s[i]) {
            i += 1;
        }
        if i >= s.len() {
            return None;
        }
        let start = i;
        while i < s.len()
            && (is_ident(s[i]) || (s[i] == b'.' && s.get(i + 1).is_some_and(|&b| is_ident(b))))
        {
            i += 1;
        }
        let id = &s[start..i];
        Some(id.strip_prefix(b"$").unwrap_or(id))
    })
}

/// The library families a file's imports, `require`s, `using`s and `use`s name.
fn imports(buf: &[u8]) -> Vec<Library> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r"(?m)(?:^[ \t]*(?:import|from|using|use|require|#include|@import)\b|\brequire\s*\(|\bimport\s*\()[^\n]{0,200}",
        )
        .expect("import regex compiles")
    });
    const FAMILIES: &[(Library, &[&str])] = &[
        (
            Library::Jwt,
            &["jwt", "jose", "jsonwebtoken", "jjwt", "nimbus", "JWT"],
        ),
        (
            Library::Crypto,
            &[
                "crypto",
                "hmac",
                "Hmac",
                "HMAC",
                "hashlib",
                "Cryptography",
                "openssl",
                "sha2",
            ],
        ),
        (
            Library::Http,
            &[
                "axios",
                "requests",
                "okhttp",
                "retrofit",
                "HttpClient",
                "reqwest",
                "net/http",
                "faraday",
                "guzzle",
                "node-fetch",
                "urllib",
                "httpx",
            ],
        ),
    ];
    let mut out = Vec::new();
    for m in re.find_iter(buf) {
        let line = m.as_bytes();
        for (lib, names) in FAMILIES {
            if !out.contains(lib)
                && names
                    .iter()
                    .any(|n| memchr::memmem::find(line, n.as_bytes()).is_some())
            {
                out.push(*lib);
            }
        }
        if out.len() == FAMILIES.len() {
            break;
        }
    }
    out
}

#[cfg(test)]
#[path = "usage_tests.rs"]
mod tests;
