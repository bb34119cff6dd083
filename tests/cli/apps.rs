//! Apps as shipped: what leakhound reports on the two real APK fixtures, each finding
//! explained, and what their DEX code shows of the calls literals reach.

use crate::helpers::*;

/// Every finding on the two real APKs, with its location inside the app and the method the
/// key is passed from. Nothing else: their UI strings, URLs and resource values are not
/// secrets.
///
/// - InsecureBankv2 keeps `This is the super secret key 123` in the field
///   `CryptoClass.key`; `aesDeccryptedString` and `aesEncryptedString` read it, call
///   `getBytes()` and pass the bytes to `aes256decrypt`/`aes256encrypt`, which give them to
///   `new SecretKeySpec(keyBytes, "AES")`. Two call sites, one key.
/// - UnCrackable-Level1's `sg.vantagepoint.uncrackable1.a.a` hex-decodes
///   `8d127684cbc37c17616d806cf50473cc` and passes it to `sg.vantagepoint.a.a.a`, which
///   builds `new SecretKeySpec(key, "AES/ECB/PKCS7Padding")` to decrypt the secret string.
#[test]
fn real_apks_report_the_aes_keys_their_code_gives_to_secret_key_spec() {
    let (doc, out) = scan_json(&fixtures("android"), &["--show-secrets"]);
    let got: Vec<[String; 5]> = findings(&doc)
        .iter()
        .map(|f| {
            [
                field(f, "rule_id"),
                field(f, "path"),
                field(f, "member"),
                field(f, "detail"),
                field(f, "secret"),
            ]
        })
        .collect();
    let want = |apk: &str, method: &str, via: &str, key: &str| {
        [
            "crypto.hardcoded-key.java".to_string(),
            apk.to_string(),
            "classes.dex".to_string(),
            format!("method {method} (via {via})"),
            key.to_string(),
        ]
    };
    let bank = "com.android.insecurebankv2.CryptoClass";
    assert_eq!(
        got,
        [
            want(
                "InsecureBankv2.apk",
                &format!("{bank}.aesDeccryptedString"),
                &format!("{bank}.aes256decrypt"),
                "This is the super secret key 123"
            ),
            want(
                "InsecureBankv2.apk",
                &format!("{bank}.aesEncryptedString"),
                &format!("{bank}.aes256encrypt"),
                "This is the super secret key 123"
            ),
            want(
                "UnCrackable-Level1.apk",
                "sg.vantagepoint.uncrackable1.a.a",
                "sg.vantagepoint.a.a.a",
                "8d127684cbc37c17616d806cf50473cc"
            ),
        ]
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(doc["summary"]["by_severity"]["high"], 3);
}

/// The same key written in Java source is the same rule, so an app and its source agree.
#[test]
fn the_source_form_of_the_dex_finding_is_the_same_rule() {
    let dir = tree(&[(
        "CryptoClass.java",
        "class CryptoClass {\n  byte[] k() throws Exception {\n    return new javax.crypto.spec.SecretKeySpec(\"This is the super secret key 123\".getBytes(\"UTF-8\"), \"AES\").getEncoded();\n  }\n}\n",
    )]);
    let (doc, _) = scan_json(dir.path(), &[]);
    assert_eq!(
        triples(&doc),
        [(
            "crypto.hardcoded-key.java".to_string(),
            "CryptoClass.java".to_string(),
            3
        )]
    );
}
