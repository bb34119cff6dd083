//! Offline proof: tokens verified against keys found in the same scan.

use crate::helpers::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// An HS256 token over `claims`, signed with `key` (made here; nothing real).
pub fn hs256(claims: &str, key: &[u8]) -> String {
    let head = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims.as_bytes());
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(format!("{head}.{body}").as_bytes());
    format!(
        "{head}.{body}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

const KEY: &str = "proof-Signing-Key-For-Tests-42";
const CLAIMS: &str = r#"{"sub":"svc","iss":"auth.example.com","exp":4102444800}"#;

pub fn by_rule<'a>(doc: &'a Value, rule: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == rule)
        .expect(rule)
}

pub fn all_by_rule<'a>(doc: &'a Value, rule: &str) -> Vec<&'a Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .collect()
}

#[test]
fn token_and_its_key_in_different_files_are_linked() {
    let token = hs256(CLAIMS, KEY.as_bytes());
    let other = hs256(CLAIMS, b"some-other-key-not-in-this-scan");
    let dir = tree(&[
        ("config/.env", &format!("PORT=8080\nJWT_SECRET={KEY}\n")),
        ("client/api.js", &format!("const token = '{token}';\n")),
        ("client/stale.js", &format!("const old = '{other}';\n")),
    ]);
    let (doc, _) = scan_json(dir.path(), &[]);
    let key = by_rule(&doc, "jwt.hmac-key.config");
    assert_eq!(key["severity"], "critical");
    assert!(key["message"]
        .as_str()
        .unwrap()
        .starts_with("confirmed signing key: signs 1 token"));
    assert_eq!(key["signs"][0]["location"], "client/api.js");
    assert_eq!(key["signs"][0]["line"], 1);
    let tokens = all_by_rule(&doc, "jwt.token");
    let signed = tokens
        .iter()
        .find(|f| f["path"] == "client/api.js")
        .unwrap();
    assert_eq!(signed["verified_by"]["location"], "config/.env");
    assert_eq!(signed["verified_by"]["line"], 2);
    assert_eq!(signed["verified_by"]["fingerprint"], key["fingerprint"]);
    let unsigned = tokens
        .iter()
        .find(|f| f["path"] == "client/stale.js")
        .unwrap();
    assert!(
        unsigned.get("verified_by").is_none(),
        "no candidate verifies it: no link"
    );

    let (doc, _) = scan_json(dir.path(), &["--no-verify"]);
    assert!(doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f.get("verified_by").is_none() && f.get("signs").is_none()));

    let p = dir.path().to_string_lossy().into_owned();
    let sarif: Value =
        serde_json::from_slice(&run(&["scan", &p, "--format", "sarif"]).stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let key_result = results
        .iter()
        .find(|r| r["ruleId"] == "jwt.hmac-key.config")
        .unwrap();
    assert_eq!(
        key_result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "client/api.js"
    );
    let token_result = results
        .iter()
        .find(|r| {
            r["ruleId"] == "jwt.token"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    == "client/api.js"
        })
        .unwrap();
    assert_eq!(
        token_result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "config/.env"
    );
    assert_eq!(
        token_result["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
}

#[test]
fn rfc7515_a1_token_verifies_with_its_jwk_k() {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures("jwt-vectors/rfc7515-a1.json")).unwrap(),
    )
    .unwrap();
    let dir = tree(&[
        (
            "keys/jwks.json",
            &serde_json::json!({"keys": [v["key_jwk"]]}).to_string(),
        ),
        (
            "docs/example.txt",
            &format!("token: {}\n", v["token"].as_str().unwrap()),
        ),
    ]);
    let (doc, _) = scan_json(dir.path(), &[]);
    let token = by_rule(&doc, "jwt.token");
    assert_eq!(token["verified_by"]["location"], "keys/jwks.json");
    assert_eq!(token["verified_by"]["rule_id"], "jwt.hmac-key.jwk");
    assert_eq!(
        by_rule(&doc, "jwt.hmac-key.jwk")["signs"][0]["location"],
        "docs/example.txt"
    );
}

#[test]
fn jwt_io_sample_is_signed_with_a_public_secret() {
    let sample = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    let dir = tree(&[("t.txt", &format!("{sample}\n"))]);
    let (doc, _) = scan_json(dir.path(), &[]);
    let f = by_rule(&doc, "jwt.token");
    assert_eq!(f["verified_by"]["rule_id"], "public-secret");
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("signed with a publicly known secret"));
    assert!(!stdout(&run(&["scan", dir.path().to_str().unwrap()])).contains("your-256-bit-secret"));
}

#[test]
fn key_in_env_and_token_inside_an_apk_member() {
    let token = hs256(CLAIMS, KEY.as_bytes());
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(
        "assets/config.json",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    std::io::Write::write_all(&mut w, format!("{{\"apiToken\":\"{token}\"}}").as_bytes()).unwrap();
    let dir = tree(&[(".env", &format!("JWT_SECRET={KEY}\n"))]);
    std::fs::write(dir.path().join("app.apk"), w.finish().unwrap().into_inner()).unwrap();
    let (doc, _) = scan_json(dir.path(), &[]);
    let key = by_rule(&doc, "jwt.hmac-key.config");
    assert_eq!(key["signs"][0]["location"], "app.apk!assets/config.json");
    assert_eq!(
        by_rule(&doc, "jwt.token")["verified_by"]["location"],
        ".env"
    );
}

#[test]
fn token_signed_with_a_common_weak_secret() {
    let token = hs256(CLAIMS, b"supersecret");
    let dir = tree(&[("api.js", &format!("const t = '{token}';\n"))]);
    let (doc, _) = scan_json(dir.path(), &[]);
    let f = by_rule(&doc, "jwt.token");
    assert_eq!(
        f["severity"], "critical",
        "anyone with the public list can forge it"
    );
    assert_eq!(f["verified_by"]["rule_id"], "public-secret");
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("wallarm/jwt-secrets"));
    let text = stdout(&run(&[
        "scan",
        dir.path().to_str().unwrap(),
        "--show-secrets",
    ]));
    assert!(
        !text.contains("supersecret"),
        "the weak secret itself is never printed"
    );
}

#[test]
fn rs256_token_and_its_private_key_in_one_scan() {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::signature::{SignatureEncoding, Signer};
    let pem = std::fs::read_to_string(fixtures("mixed/keys/test_only_id_rsa")).unwrap();
    let key = rsa::RsaPrivateKey::from_pkcs1_pem(&pem).unwrap();
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key);
    let head = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(CLAIMS.as_bytes());
    let sig = signer.sign(format!("{head}.{body}").as_bytes()).to_vec();
    let token = format!("{head}.{body}.{}", URL_SAFE_NO_PAD.encode(sig));
    let forged = format!("{head}.{body}.{}", URL_SAFE_NO_PAD.encode([7u8; 256]));
    let json_pem = serde_json::to_string(&pem).unwrap();
    let dir = tree(&[
        (
            "deploy/sa.json",
            &format!("{{\"private_key\": {json_pem}}}\n"),
        ),
        (
            "web/token.js",
            &format!("export const t = '{token}';\nexport const u = '{forged}';\n"),
        ),
    ]);
    let (doc, _) = scan_json(dir.path(), &[]);
    let key = by_rule(&doc, "private-key.pem");
    assert_eq!(key["signs"].as_array().unwrap().len(), 1);
    assert_eq!(key["signs"][0]["location"], "web/token.js");
    assert_eq!(key["signs"][0]["line"], 1);
    let tokens = all_by_rule(&doc, "jwt.token");
    assert_eq!(tokens.len(), 2);
    assert_eq!(
        tokens
            .iter()
            .filter(|t| t["verified_by"]["location"] == "deploy/sa.json")
            .count(),
        1
    );
}

#[test]
fn weak_secret_budget_is_explicit_and_adjustable() {
    let a = hs256(r#"{"sub":"a","exp":4102444800}"#, b"supersecret");
    let b = hs256(r#"{"sub":"b","exp":4102444800}"#, b"supersecret");
    let dir = tree(&[("t.js", &format!("const a = '{a}';\nconst b = '{b}';\n"))]);
    let p = dir.path().to_str().unwrap();
    let verified = |args: &[&str]| {
        let mut all = vec!["scan", p, "--format", "json", "--now", NOW];
        all.extend_from_slice(args);
        let out = run(&all);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let n = all_by_rule(&doc, "jwt.token")
            .iter()
            .filter(|f| f.get("verified_by").is_some())
            .count();
        (n, stderr(&out))
    };
    let (n, err) = verified(&["--weak-secrets", "1"]);
    assert_eq!(n, 1);
    assert!(
        err.contains(
            "warning: 1 HS token(s) not checked against the common JWT secret list (budget 1"
        ),
        "{err}"
    );
    let (n, err) = verified(&["--weak-secrets", "all"]);
    assert_eq!(n, 2);
    assert!(!err.contains("not checked"), "{err}");
    assert_eq!(verified(&[]).0, 2, "a small scan checks at least 2 tokens");
    let bad = run(&["scan", p, "--weak-secrets", "lots"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("expected auto, all or a number"));
}

/// Every case of the proof issue in one tree, and the three formats must tell the same story:
/// each JSON link appears in the text line and as the SARIF related location, flags match,
/// and a token nothing verifies has no link anywhere.
#[test]
fn every_proof_case_agrees_in_text_json_and_sarif() {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::signature::{SignatureEncoding, Signer};
    let pem = std::fs::read_to_string(fixtures("mixed/keys/test_only_id_rsa")).unwrap();
    let signer =
        rsa::pkcs1v15::SigningKey::<Sha256>::new(rsa::RsaPrivateKey::from_pkcs1_pem(&pem).unwrap());
    let rs_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#),
        URL_SAFE_NO_PAD.encode(CLAIMS)
    );
    let rs = format!(
        "{rs_input}.{}",
        URL_SAFE_NO_PAD.encode(signer.sign(rs_input.as_bytes()).to_vec())
    );
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
        URL_SAFE_NO_PAD.encode(CLAIMS)
    );
    let expired = hs256(
        r#"{"sub":"old","exp":1600000000}"#,
        b"key-nowhere-in-this-scan-77",
    );
    let sample = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    let dir = tree(&[
        ("config/.env", &format!("PORT=8080\nJWT_SECRET={KEY}\n")),
        (
            "client/api.js",
            &format!("const token = '{}';\n", hs256(CLAIMS, KEY.as_bytes())),
        ),
        (
            "deploy/sa.json",
            &format!(
                "{{\"private_key\": {}}}\n",
                serde_json::to_string(&pem).unwrap()
            ),
        ),
        ("web/rs.js", &format!("const rs = '{rs}';\n")),
        ("docs/sample.md", &format!("{sample}\n")),
        ("tokens/none.txt", &format!("{none}\n")),
        ("tokens/expired.txt", &format!("{expired}\n")),
    ]);
    let p = dir.path().to_str().unwrap();
    let (doc, _) = scan_json(dir.path(), &[]);
    let text = stdout(&run(&["scan", p, "--now", NOW]));
    let sarif: Value =
        serde_json::from_slice(&run(&["scan", p, "--format", "sarif", "--now", NOW]).stdout)
            .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    let mut linked = 0;
    for f in findings {
        let line = f["line"].as_u64().unwrap();
        let r = results
            .iter()
            .find(|r| {
                let loc = &r["locations"][0]["physicalLocation"];
                r["ruleId"] == f["rule_id"]
                    && loc["artifactLocation"]["uri"] == f["path"]
                    && loc["region"]["startLine"] == line
            })
            .unwrap_or_else(|| panic!("a SARIF result for {f}"));
        let text_line = text
            .lines()
            .find(|l| {
                l.contains(&format!("  {}  ", f["rule_id"].as_str().unwrap()))
                    && l.trim_start().starts_with(&format!("{line}:"))
                    && l.contains(f["fingerprint"].as_str().unwrap().get(..12).unwrap())
            })
            .unwrap_or_else(|| panic!("a text line for {f}\n{text}"));
        assert_eq!(r["properties"]["severity"], f["severity"]);
        assert!(text_line.contains(f["severity"].as_str().unwrap()));
        if let Some(j) = f.get("jwt") {
            assert_eq!(r["properties"]["jwt"]["flags"], j["flags"]);
        }
        let links: Vec<&Value> = f
            .get("verified_by")
            .into_iter()
            .chain(
                f.get("signs")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            )
            .filter(|l| l["line"].as_u64() > Some(0))
            .collect();
        let related = r["relatedLocations"].as_array().map_or(0, Vec::len);
        assert_eq!(related, links.len(), "{f}");
        for (i, l) in links.iter().enumerate() {
            let rl = &r["relatedLocations"][i]["physicalLocation"];
            assert_eq!(rl["artifactLocation"]["uri"], l["location"]);
            assert_eq!(rl["region"]["startLine"], l["line"]);
            let at = format!("{}:{}", l["location"].as_str().unwrap(), l["line"]);
            assert!(text_line.contains(&at), "text names {at}: {text_line}");
            linked += 1;
        }
    }
    assert_eq!(linked, 4, "HS key<->token and RSA key<->token, both ways");
    let flags =
        |path: &str| findings.iter().find(|f| f["path"] == path).unwrap()["jwt"]["flags"].clone();
    assert_eq!(flags("tokens/none.txt")[0], "unsigned");
    assert_eq!(flags("tokens/expired.txt")[0], "expired");
    assert!(text.contains("unsigned (alg none)") && text.contains(", expired"));
    let sample_f = findings
        .iter()
        .find(|f| f["path"] == "docs/sample.md")
        .unwrap();
    assert_eq!(sample_f["verified_by"]["rule_id"], "public-secret");
    assert!(text.contains("signed with a publicly known secret (jwt.io's example secret)"));
    let expired_f = findings
        .iter()
        .find(|f| f["path"] == "tokens/expired.txt")
        .unwrap();
    assert!(expired_f.get("verified_by").is_none());
}
