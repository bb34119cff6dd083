//! Uses of a name found by the whole-file sink index and by the look-up around its
//! occurrences, and imports.
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

/// The look-up around a name's occurrences says what the whole-file index says.
#[test]
fn direct_look_up_agrees_with_the_index() {
    const PIECES: &[&str] = &[
        "jwt.sign(",
        "verify(",
        "design(",
        "Authorization: Bearer ",
        "connect(",
        "config.",
        "jwtSecret",
        "apiKey",
        "$apiKey",
        " ",
        ", ",
        ")",
        "\n",
        "x",
        "foo.apiKey",
        "apiKeyX",
        "hmac.new(",
        "(",
        "\"",
        "{",
        "}",
        "createHmac(",
        "HMAC(",
        "_apiKey",
        "apiKey.length",
    ];
    const NAMES: &[&str] = &["jwtSecret", "config.jwtSecret", "apiKey", "x", "foo.apiKey"];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    };
    for _ in 0..3000 {
        let len = 1 + next(60);
        let buf: String = (0..len).map(|_| PIECES[next(PIECES.len())]).collect();
        // Within one argument window: the index cuts arguments at `ARGS` bytes, which can
        // cut an identifier short and make a name of its head; the look-up does not.
        let buf = &buf.as_bytes()[..buf.len().min(ARGS)];
        let index = index_uses(buf);
        for name in NAMES {
            let last = name.rsplit('.').next().unwrap();
            let want = index
                .get(name.as_bytes())
                .or_else(|| index.get(last.as_bytes()))
                .copied();
            let got = direct_use(
                buf,
                name.as_bytes(),
                last.as_bytes(),
                &mut usize::MAX.clone(),
            );
            if let Some(got) = got {
                assert_eq!(got, want, "{name} in {:?}", String::from_utf8_lossy(buf));
            }
        }
    }
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
