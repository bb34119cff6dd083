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

/// Facts about one file for named detection, each computed on first use.
#[derive(Default)]
pub struct Facts<'b> {
    uses: OnceCell<FxHashMap<&'b [u8], Use>>,
    imports: OnceCell<Vec<Library>>,
    sealed: OnceCell<bool>,
}

impl<'b> Facts<'b> {
    /// What `name` (or its last dotted segment) is used for later in `buf`.
    pub fn use_of(&self, buf: &'b [u8], name: &str) -> Option<Use> {
        let uses = self.uses.get_or_init(|| index_uses(buf));
        if uses.is_empty() {
            return None;
        }
        let last = name.rsplit(['.', ':', '>']).next().unwrap_or(name);
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
mod tests {
    use super::*;

    #[test]
    fn later_uses_are_found_by_name_and_last_segment() {
        let src = br#"
const jwt = require("jsonwebtoken");
const config = { jwtSecret: "x" };
const apiToken = "y";
const dbPass = "z";
function issue(p) { return jwt.sign(p, config.jwtSecret, { expiresIn: "1h" }); }
fetch(url, { headers: { Authorization: `Bearer ${apiToken}` } });
db.connect(host, "app", dbPass);
design(layout);
"#;
        let f = Facts::default();
        assert_eq!(f.use_of(src, "config.jwtSecret"), Some(Use::Sign));
        assert_eq!(f.use_of(src, "jwtSecret"), Some(Use::Sign));
        assert_eq!(f.use_of(src, "apiToken"), Some(Use::Header));
        assert_eq!(f.use_of(src, "dbPass"), Some(Use::Login));
        assert_eq!(f.use_of(src, "layout"), None);
        assert_eq!(f.use_of(src, "unused"), None);
        assert_eq!(f.imports(src), &[Library::Jwt]);
    }

    #[test]
    fn imports_in_several_languages() {
        for (src, want) in [
            (&b"import hmac, hashlib\n"[..], vec![Library::Crypto]),
            (
                b"using System.Security.Cryptography;\n",
                vec![Library::Crypto],
            ),
            (
                b"import io.jsonwebtoken.Jwts;\nimport okhttp3.OkHttpClient;\n",
                vec![Library::Jwt, Library::Http],
            ),
            (b"use hmac::{Hmac, Mac};\n", vec![Library::Crypto]),
            (b"const x = 1; // import nothing\n", vec![]),
        ] {
            assert_eq!(imports(src), want, "{}", String::from_utf8_lossy(src));
        }
    }
}
