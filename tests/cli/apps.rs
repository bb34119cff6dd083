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

/// Each app among the inputs gets one summary entry: who it is (from its manifest), the SDKs
/// its code references, and its reported secrets by SDK or provider; in JSON, text and SARIF.
#[test]
fn the_app_summary_names_each_apk_its_sdks_and_secrets_per_sdk() {
    let (doc, _) = scan_json(&fixtures("android"), &[]);
    assert_eq!(
        doc["summary"]["apps"],
        serde_json::json!([
            {
                "path": "InsecureBankv2.apk",
                "platform": "android",
                "package": "com.android.insecurebankv2",
                "version": "1.0",
                // The app shows a map (com.google.android.gms.maps); no other SDK.
                "sdks": ["Google Maps"],
                "secrets": {"hardcoded keys": 2}
            },
            {
                "path": "UnCrackable-Level1.apk",
                "platform": "android",
                "package": "owasp.mstg.uncrackable1",
                "version": "1.0",
                "sdks": [],
                "secrets": {"hardcoded keys": 1}
            }
        ])
    );
    let dir = fixtures("android");
    let text = stdout(&run(&["scan", dir.to_str().unwrap()]));
    assert!(
        text.contains(
            "app UnCrackable-Level1.apk: android owasp.mstg.uncrackable1 1.0 · secrets: hardcoded keys 1\n"
        ),
        "{text}"
    );
    let sarif = stdout(&run(&["scan", dir.to_str().unwrap(), "--format", "sarif"]));
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(
        sarif["runs"][0]["properties"]["apps"],
        doc["summary"]["apps"]
    );
}

/// An IPA as shipped: the bundle's Info.plist names it, a framework shows Firebase, and
/// GoogleService-Info.plist carries its (public by design, so low) API key and database URL.
#[test]
fn an_ipa_says_its_bundle_id_version_frameworks_and_firebase_keys() {
    use std::io::Write;
    let plist = |pairs: &[(&str, &str)]| {
        let body: String = pairs
            .iter()
            .map(|(k, v)| format!("<key>{k}</key><string>{v}</string>"))
            .collect();
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict>{body}</dict></plist>\n"
        )
    };
    let info = plist(&[
        ("CFBundleIdentifier", "com.acme.shop"),
        ("CFBundleShortVersionString", "2.1"),
    ]);
    let google = plist(&[
        ("API_KEY", "AIzav6lxpDR2MJqId_W-nx9wBB_EfE7GJQxc4gt"),
        (
            "DATABASE_URL",
            "https://acme-shop-default-rtdb.firebaseio.com",
        ),
    ]);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, data) in [
        ("Payload/Shop.app/Info.plist", info.as_bytes()),
        (
            "Payload/Shop.app/GoogleService-Info.plist",
            google.as_bytes(),
        ),
        (
            "Payload/Shop.app/Frameworks/FirebaseCore.framework/FirebaseCore",
            b"\xcf\xfa\xed\xfe\x07\x00\x00\x01\x00\x00\x00\x00" as &[u8],
        ),
    ] {
        w.start_file(name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    let ipa = w.finish().unwrap().into_inner();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shop.ipa"), ipa).unwrap();
    let (doc, _) = scan_json(dir.path(), &[]);
    let got: Vec<[String; 3]> = findings(&doc)
        .iter()
        .map(|f| {
            [
                field(f, "rule_id"),
                field(f, "member"),
                field(f, "severity"),
            ]
        })
        .collect();
    let plist = "Payload/Shop.app/GoogleService-Info.plist".to_string();
    assert_eq!(
        got,
        [
            [
                "google.api-key".to_string(),
                plist.clone(),
                "low".to_string()
            ],
            [
                "firebase.database-url".to_string(),
                plist,
                "low".to_string()
            ],
        ]
    );
    assert_eq!(
        doc["summary"]["apps"],
        serde_json::json!([{
            "path": "shop.ipa",
            "platform": "ios",
            "package": "com.acme.shop",
            "version": "2.1",
            "sdks": ["Firebase"],
            "secrets": {"Firebase": 2}
        }])
    );
}

/// iOS `.strings` files ship as UTF-16 with a byte-order mark: each `"key" = "value";` line
/// is read as text, so named and provider rules judge it as in source.
#[test]
fn utf16_strings_files_are_read_line_by_line() {
    let text = "/* config */\n\"api_secret\" = \"Zq7Lm2Wx9Tp4Kv8Rn5Bc3Jh6\";\n\"google_api_key\" = \"AIzav6lxpDR2MJqId_W-nx9wBB_EfE7GJQxc4gt\";\n\"title\" = \"Welcome\";\n";
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Localizable.strings"), bytes).unwrap();
    let (doc, _) = scan_json(dir.path(), &[]);
    let got: Vec<[String; 2]> = findings(&doc)
        .iter()
        .map(|f| [field(f, "rule_id"), field(f, "detail")])
        .collect();
    assert_eq!(
        got,
        [
            [
                "generic.secret".to_string(),
                "offset 0x1c (UTF-16)".to_string()
            ],
            [
                "google.api-key".to_string(),
                "offset 0x72 (UTF-16)".to_string()
            ],
        ]
    );
}
