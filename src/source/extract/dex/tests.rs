//! DEX code tracing on small DEX files built here: which calls a literal reaches, through
//! conversions, fields, byte arrays and other methods, and what it must not follow.

use super::super::{expand, Limits, Piece, Visitor};
use super::builder::{op::*, DexBuilder};

/// The call lines extracted from a DEX (string-table lines dropped), and the warnings.
fn calls(dex: &[u8]) -> (Vec<String>, Vec<String>) {
    #[derive(Default)]
    struct Lines(Vec<String>, Vec<String>);
    impl Visitor for Lines {
        fn piece(&mut self, piece: Piece<'_>) {
            let text = String::from_utf8_lossy(piece.bytes);
            for (line, at) in text.lines().zip(line_starts(piece.bytes)) {
                if line.contains(": ") && line.contains('(') {
                    let detail = piece.detail.map(|d| d(at)).unwrap_or_default();
                    self.0.push(format!("{line} [{detail}]"));
                }
            }
        }
        fn warn(&mut self, message: String) {
            self.1.push(message);
        }
    }
    let mut v = Lines::default();
    expand("classes.dex", dex, &Limits::default(), &mut v);
    (v.0, v.1)
}

fn line_starts(b: &[u8]) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(memchr::memchr_iter(b'\n', b).map(|i| i + 1))
}

const SPEC: &str = "Ljavax/crypto/spec/SecretKeySpec;";
const CRYPTO: &str = "Lcom/acme/Crypto;";

/// `new SecretKeySpec(<v0>, "AES")` at the end of a method, v0 already set.
fn spec_call(d: &mut DexBuilder) -> Vec<u16> {
    let init = d.method(SPEC, "<init>", "V");
    let ty = d.ty(SPEC) as u16;
    let aes = d.string("AES");
    [
        new_instance(1, ty),
        const_string(2, aes),
        invoke(DIRECT, init, &[1, 0, 2]),
        return_void(),
    ]
    .concat()
}

/// `new PBEKeySpec("…".toCharArray(), salt, 10000, 256)`: the password fixes the key.
#[test]
fn a_password_turned_into_chars_reaches_the_pbe_key_spec() {
    const PBE: &str = "Ljavax/crypto/spec/PBEKeySpec;";
    let mut d = DexBuilder::default();
    let derive = d.method(CRYPTO, "derive", "V");
    let chars = d.method("Ljava/lang/String;", "toCharArray", "[C");
    let init = d.method(PBE, "<init>", "V");
    let ty = d.ty(PBE) as u16;
    let password = d.string("Acme-Vault-Passphrase-2024");
    let code = [
        const_string(0, password),
        invoke(VIRTUAL, chars, &[0]),
        move_result_object(0),
        new_instance(1, ty),
        invoke(DIRECT, init, &[1, 0, 2]),
        return_void(),
    ]
    .concat();
    d.code(CRYPTO, derive, 3, 0, code);
    let (lines, _) = calls(&d.build());
    assert_eq!(
        lines,
        [
            "com.acme.Crypto.derive: new PBEKeySpec(\"Acme-Vault-Passphrase-2024\", x) \
             [method com.acme.Crypto.derive]"
        ]
    );
}

#[test]
fn a_literal_turned_into_bytes_reaches_the_key_spec() {
    let mut d = DexBuilder::default();
    let decrypt = d.method(CRYPTO, "decrypt", "V");
    let get_bytes = d.method("Ljava/lang/String;", "getBytes", "[B");
    let key = d.string("This is the super secret key 123");
    let mut code = [
        const_string(0, key),
        invoke(VIRTUAL, get_bytes, &[0]),
        move_result_object(0),
    ]
    .concat();
    code.extend(spec_call(&mut d));
    d.code(CRYPTO, decrypt, 3, 0, code);
    let (lines, warnings) = calls(&d.build());
    assert_eq!(
        lines,
        [
            "com.acme.Crypto.decrypt: new SecretKeySpec(\"This is the super secret key 123\", \"AES\") \
             [method com.acme.Crypto.decrypt]"
        ]
    );
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn a_value_looked_up_by_a_literal_name_is_not_that_literal() {
    let mut d = DexBuilder::default();
    let decrypt = d.method(CRYPTO, "decrypt", "V");
    let lookup = d.method(
        "Landroid/content/SharedPreferences;",
        "getString",
        "Ljava/lang/String;",
    );
    let get_bytes = d.method("Ljava/lang/String;", "getBytes", "[B");
    let name = d.string("stored_aes_key_name");
    let mut code = [
        const_string(0, name),
        invoke(0x72, lookup, &[3, 0]),
        move_result_object(0),
        invoke(VIRTUAL, get_bytes, &[0]),
        move_result_object(0),
    ]
    .concat();
    code.extend(spec_call(&mut d));
    d.code(CRYPTO, decrypt, 4, 1, code);
    let (lines, _) = calls(&d.build());
    assert_eq!(lines, Vec::<String>::new());
}

#[test]
fn a_literal_in_a_field_reaches_a_helper_in_another_class() {
    let (lines, _) = calls(&sample());
    assert_eq!(
        lines,
        [
            "com.acme.App.start (via com.acme.App.wrap): new SecretKeySpec(\"field-held-key-0123456789\", \"AES\") \
             [method com.acme.App.start (via com.acme.App.wrap)]"
        ]
    );
}

/// A DEX whose code stores a key in a static field in `<clinit>`, reads it in `start`, and
/// passes it two calls deep to `new SecretKeySpec(p0, "AES")`: a seed for the property tests.
pub(in crate::source::extract) fn sample() -> Vec<u8> {
    let mut d = DexBuilder::default();
    let app = "Lcom/acme/App;";
    let clinit = d.method(app, "<clinit>", "V");
    let field = d.field(app, "KEY");
    let key = d.string("field-held-key-0123456789");
    d.code(
        app,
        clinit,
        1,
        0,
        [const_string(0, key), sput_object(0, field), return_void()].concat(),
    );
    // Crypto.helper(byte[] p0) { new SecretKeySpec(p0, "AES"); } with p0 in v0.
    let helper = d.method(CRYPTO, "helper", "V");
    let code = spec_call(&mut d);
    d.code(CRYPTO, helper, 3, 1, [vec![0x07 | 2 << 12], code].concat());
    let start = d.method(app, "start", "V");
    let wrap = d.method(app, "wrap", "V");
    // App.wrap(p0) { Crypto.helper(p0) }; App.start() { wrap(KEY) }: two calls deep.
    d.code(
        app,
        wrap,
        1,
        1,
        [invoke(STATIC, helper, &[0]), return_void()].concat(),
    );
    let code = [
        sget_object(0, field),
        invoke(STATIC, wrap, &[0]),
        return_void(),
    ]
    .concat();
    d.code(app, start, 1, 0, code);
    d.build()
}

#[test]
fn a_byte_array_literal_is_rendered_as_text_or_hex() {
    for (bytes, want) in [
        (&b"array-key-16byte"[..], "array-key-16byte"),
        (&[0x8d, 0x12, 0x76, 0x84, 0x00, 0x01][..], "8d1276840001"),
    ] {
        let mut d = DexBuilder::default();
        let m = d.method(CRYPTO, "k", "V");
        let ty = d.ty("[B") as u16;
        let n = bytes.len() as u16;
        // `new-array v0, v3, [B`, then `fill-array-data v0, payload`.
        let mut code = [const4(3, 0), vec![0x23 | 3 << 12, ty]].concat();
        let fill_at = code.len();
        code.extend([0x26, 0, 0]);
        code.extend(spec_call(&mut d));
        let payload = code.len();
        code[fill_at + 1] = (payload - fill_at) as u16;
        code.extend([0x0300, 1, n, 0]);
        code.extend(
            bytes
                .chunks(2)
                .map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)])),
        );
        d.code(CRYPTO, m, 4, 0, code);
        let (lines, _) = calls(&d.build());
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].contains(&format!("new SecretKeySpec(\"{want}\", \"AES\")")),
            "{lines:?}"
        );
    }
}

#[test]
fn header_and_jwt_calls_are_written_as_in_source() {
    let mut d = DexBuilder::default();
    let m = d.method("Lcom/acme/Api;", "call", "V");
    let add = d.method(
        "Lokhttp3/Request$Builder;",
        "addHeader",
        "Lokhttp3/Request$Builder;",
    );
    let hmac = d.method(
        "Lcom/auth0/jwt/algorithms/Algorithm;",
        "HMAC256",
        "Lcom/auth0/jwt/algorithms/Algorithm;",
    );
    let (auth, bearer, secret) = (
        d.string("Authorization"),
        d.string("Bearer abcdefghijklmnopqrstuvwxyz012345"),
        d.string("auth0-java-s3cret"),
    );
    let code = [
        const_string(1, auth),
        const_string(2, bearer),
        invoke(VIRTUAL, add, &[0, 1, 2]),
        const_string(1, secret),
        invoke(STATIC, hmac, &[1]),
        return_void(),
    ]
    .concat();
    d.code("Lcom/acme/Api;", m, 3, 1, code);
    let (lines, _) = calls(&d.build());
    let calls: Vec<&str> = lines
        .iter()
        .map(|l| l.split(" [").next().unwrap())
        .collect();
    assert_eq!(
        calls,
        [
            "com.acme.Api.call: .addHeader(\"Authorization\", \"Bearer abcdefghijklmnopqrstuvwxyz012345\")",
            "com.acme.Api.call: Algorithm.HMAC256(\"auth0-java-s3cret\")",
        ]
    );
}

/// A crafted DEX gives thousands of methods the most registers a method may have:
/// registers count as work, so the walk stops at a budget set by the file's size.
#[test]
fn huge_register_files_are_bounded() {
    let mut d = DexBuilder::default();
    for i in 0..2000 {
        let m = d.method(CRYPTO, &format!("m{i}"), "V");
        d.code(CRYPTO, m, u16::MAX, 0, return_void());
    }
    let dex = d.build();
    let started = std::time::Instant::now();
    let (lines, warnings) = calls(&dex);
    assert!(lines.is_empty());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("DEX code larger than the file allows"),
        "{warnings:?}"
    );
    assert!(started.elapsed().as_secs() < 5);
}
