//! Whether a literal given to a credential name is the credential: its length, character
//! classes and entropy, and the shapes that never are (references, paths, hashes, UUIDs).

use super::Kind;
use crate::detect::{entropy, placeholder};

/// The shortest value any kind accepts (a password).
pub(super) const MIN_LEN: usize = 6;

/// Values published as defaults or in documentation: a finding, but a `low` one.
const DEMO_VALUES: &[&str] = &[
    "secret",
    "your-256-bit-secret",
    "changeit",
    "changeme",
    "password",
    "passw0rd",
    "p@ssw0rd",
    "password123",
    "admin123",
    "12345678",
    "123456789",
    "keyboard cat",
    "mysecret",
    "mysecretkey",
    "my-secret-key",
    "supersecret",
    "supersecretkey",
    "secretkey",
    "s3cr3t",
    "topsecret",
    "shhhhh",
    "default",
    "letmein",
    "qwerty123",
];

pub(super) fn is_demo(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    DEMO_VALUES.contains(&lower.as_str())
        || ["example", "sample", "dummy", "test123"]
            .iter()
            .any(|w| lower.contains(w))
}

/// Whether a value given to a credential name looks like the credential rather than a
/// word, a reference, a hash or a setting.
pub(super) fn plausible(v: &str, kind: Kind, code: bool) -> bool {
    let min = if kind == Kind::Password { MIN_LEN } else { 16 };
    if v.len() < min || v.len() > 512 || placeholder::is_placeholder(v) || not_a_secret(v) {
        return false;
    }
    let classes = [
        v.bytes().any(|b| b.is_ascii_lowercase()),
        v.bytes().any(|b| b.is_ascii_uppercase()),
        v.bytes().any(|b| b.is_ascii_digit()),
        v.bytes().any(|b| b.is_ascii_punctuation()),
    ]
    .iter()
    .filter(|c| **c)
    .count();
    let e = entropy::shannon(v.as_bytes());
    match kind {
        // A configuration file's password is whatever it is set to (`swordfish`).
        Kind::Password => (classes >= 2 || !code && v.len() >= 8) && e >= 2.5,
        _ => classes >= 2 && e >= 3.2,
    }
}

/// The floor for a value whose use in the file says it is a credential: long enough to be
/// one and not a reference, placeholder or other known non-secret form.
pub(super) fn usable(v: &str) -> bool {
    v.len() >= 8
        && v.len() <= 512
        && !placeholder::is_placeholder(v)
        && !not_a_secret(v)
        && entropy::shannon(v.as_bytes()) >= 2.0
}

/// A UI label in any language (`Passwort:`, `Mot de passe :`, `Contraseña:`): words and a
/// closing colon, as compiled apps carry next to the fields they label.
fn is_prompt(v: &str) -> bool {
    v.strip_suffix(':').is_some_and(|words| {
        !words.trim().is_empty() && words.chars().all(|c| c.is_alphabetic() || c == ' ')
    })
}

/// Shapes that are never credentials: references, paths, URLs without credentials,
/// encrypted values, hashes with their prefix, UUIDs, versions, words joined by case.
fn not_a_secret(v: &str) -> bool {
    if is_prompt(v) {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    const PREFIXES: &[&str] = &[
        "http://",
        "https://",
        "file:",
        "/",
        "./",
        "../",
        "~/",
        "enc[",
        "$ansible_vault",
        "vault:",
        "arn:",
        "sha256:",
        "sha1:",
        "md5:",
        "$2a$",
        "$2b$",
        "$2y$",
        "$argon2",
        "{bcrypt}",
        "{noop}",
        "{sha",
        "secrets.",
        "env.",
        "ref+",
        "projects/",
        "sm://",
        "awssecretsmanager",
        "op://",
        "keyvault",
        "akv:",
        "classpath:",
        "sk-test",
        "pk_",
    ];
    if PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    let uuid = v.len() == 36
        && v.bytes().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        });
    let version = v
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'v');
    // A name written where a value goes (`CLIENT_SECRET`, `accessToken`), not a plain word.
    let humps = v
        .as_bytes()
        .windows(2)
        .any(|p| p[0].is_ascii_lowercase() && p[1].is_ascii_uppercase());
    let identifier = placeholder::is_identifier(v)
        && !v.bytes().any(|b| b.is_ascii_digit())
        && (v.contains('_') || humps || !v.bytes().any(|b| b.is_ascii_lowercase()));
    let dotted_name = v.contains('.')
        && v.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_'));
    uuid || version
        || identifier
        || dotted_name
        || is_scope(v)
        || is_file_path(v)
        || v.contains(' ')
}

/// A dotted name of lower-case words: a TextMate/Monaco scope (`keyword.operator.new`,
/// `punctuation.definition.string.begin.csound`, `markup.heading.2`, `@brackets.directive`,
/// `string.$S2.delim`), a package or a dotfile (`.htaccess`). Syntax highlighters in shipped
/// JavaScript hand thousands of these to a `token` key. Words may end in a short number
/// (`utf8`, `h1`) but never mix letters and digits further: random text does, so a secret
/// written with dots is not taken for a name.
fn is_scope(v: &str) -> bool {
    let v = v.strip_prefix('@').unwrap_or(v);
    let v = v.strip_suffix('!').unwrap_or(v);
    let word = |w: &str| {
        let digits = w.len() - w.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let letters = &w[..w.len() - digits];
        (letters.is_empty() && digits <= 3)
            || (!letters.is_empty()
                && letters.bytes().all(|b| b.is_ascii_lowercase())
                && digits <= 2)
    };
    let segment = |s: &str| {
        s.is_empty()
            || s.strip_prefix('$')
                .is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric()))
            || s.split(['-', '_']).all(|w| !w.is_empty() && word(w))
    };
    let named = v.split('.').filter(|s| !s.is_empty()).count();
    v.contains('.') && named >= 1 && v.split('.').all(segment)
}

/// `keys/signing.pem`, `config/secrets.json`: a relative path to a file, not its content.
fn is_file_path(v: &str) -> bool {
    let Some((dirs, file)) = v.rsplit_once('/') else {
        return false;
    };
    let ext = file.rsplit_once('.').map_or("", |(_, e)| e);
    let path_chars = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'))
    };
    (2..=5).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_alphabetic()) && path_chars(dirs)
}
