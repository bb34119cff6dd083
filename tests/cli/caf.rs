//! CAF across files: client id and secret paired in one bundle, mobile tokens recognised by
//! their issuer, tokens minted in app code, personal claims masked.

use crate::helpers::*;
use crate::proof::{all_by_rule, by_rule, hs256};
use serde_json::Value;
use std::io::Write;

const CLIENT_ID: &str = "65a4b3c2d1e0f9a8b7c6d5e4";
const CLIENT_SECRET: &str = "Xq7mP2vR9sT4wY6zB1nC3dF5gH8jK0lL";

fn apk(members: &[(&str, &str)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in members {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn mobile_claims(iss: &str) -> String {
    format!(r#"{{"iss":"{iss}","peopleId":"52998224725","iat":1764000000,"exp":1764003600}}"#)
}

#[test]
fn client_id_and_secret_in_one_bundle_sign_a_mobile_token() {
    let token = hs256(&mobile_claims(CLIENT_ID), CLIENT_SECRET.as_bytes());
    let bundle = apk(&[
        ("assets/caf.json", &format!("{{\"cafClientId\": \"{CLIENT_ID}\"}}\n")),
        (
            "res/values/strings.xml",
            &format!("<resources>\n  <string name=\"client_secret\">{CLIENT_SECRET}</string>\n</resources>\n"),
        ),
        ("assets/session.txt", &format!("token={token}\n")),
    ]);
    // The same pair split over two unrelated files is not a pair.
    let dir = tree(&[
        (
            "web/auth.js",
            "export const auth = { clientSecret: \"Vb8nM2xC4zL6kJ9hG1fD3sA5\" };\n",
        ),
        ("ops/ids.env", &format!("CAF_CLIENT_ID={CLIENT_ID}\n")),
    ]);
    std::fs::write(dir.path().join("app.apk"), bundle).unwrap();
    let (doc, _) = scan_json(dir.path(), &[]);
    let secret = by_rule(&doc, "caf.client-secret");
    assert_eq!(secret["path"], "app.apk");
    assert_eq!(secret["member"], "res/values/strings.xml");
    assert_eq!(secret["line"], 2);
    assert_eq!(secret["severity"], "critical");
    let msg = secret["message"].as_str().unwrap();
    assert!(
        msg.starts_with("confirmed signing key: signs 1 token"),
        "{msg}"
    );
    assert!(
        msg.contains("paired with the CAF client id at app.apk!assets/caf.json:1"),
        "{msg}"
    );
    let t = by_rule(&doc, "caf.mobile-token");
    assert_eq!(t["member"], "assets/session.txt");
    assert_eq!(t["verified_by"]["fingerprint"], secret["fingerprint"]);
    assert_eq!(
        t["verified_by"]["location"],
        "app.apk!res/values/strings.xml"
    );
    assert_eq!(secret["signs"][0]["fingerprint"], t["fingerprint"]);
    assert_eq!(t["jwt"]["personal"]["peopleId"], "5…(11)");
    assert_eq!(
        triples(&doc),
        vec![
            ("caf.client-secret".into(), "app.apk".into(), 2),
            ("caf.mobile-token".into(), "app.apk".into(), 1),
            // Not paired with the id in ops/ids.env, but still a secret shipped to browsers.
            ("generic.secret".into(), "web/auth.js".into(), 1),
        ],
        "no client id, no unproven client secret"
    );

    let p = dir.path().to_str().unwrap();
    let text = stdout(&run(&["scan", p, "--now", NOW]));
    assert!(text.contains("verified: signed with the key at app.apk!res/values/strings.xml:2"));
    assert!(text.contains("peopleId=5…(11)"));
    assert!(!text.contains("52998224725") && !text.contains(CLIENT_SECRET));
    let sarif: Value =
        serde_json::from_slice(&run(&["scan", p, "--format", "sarif", "--now", NOW]).stdout)
            .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let token = results
        .iter()
        .find(|r| r["ruleId"] == "caf.mobile-token")
        .unwrap();
    let related = &token["relatedLocations"][0];
    assert_eq!(
        related["physicalLocation"]["artifactLocation"]["uri"],
        "app.apk"
    );
    // No line of a zip holds the key: the region is the file, the message says where.
    assert_eq!(related["physicalLocation"]["region"]["startLine"], 1);
    assert!(related["message"]["text"]
        .as_str()
        .unwrap()
        .contains("app.apk!res/values/strings.xml:2"));
    assert!(!serde_json::to_string(&sarif)
        .unwrap()
        .contains("52998224725"));
}

#[test]
fn a_jwt_whose_issuer_is_a_caf_client_id_is_a_caf_token() {
    let caf = hs256(&mobile_claims(CLIENT_ID), b"not-in-this-scan-1234");
    let other = hs256(
        &mobile_claims("some-other-issuer"),
        b"not-in-this-scan-1234",
    );
    let dir = tree(&[
        (".env", &format!("CAF_CLIENT_ID={CLIENT_ID}\n")),
        (
            "docs/howto.md",
            &format!("Try:\n\n    {caf}\n    {other}\n"),
        ),
    ]);
    let (doc, _) = scan_json(dir.path(), &[]);
    assert_eq!(
        triples(&doc),
        vec![
            ("caf.mobile-token".into(), "docs/howto.md".into(), 3),
            ("jwt.token".into(), "docs/howto.md".into(), 4),
        ]
    );
    let t = by_rule(&doc, "caf.mobile-token");
    assert!(t["message"]
        .as_str()
        .unwrap()
        .contains("its iss is the CAF client id seen at .env:1"));
    assert!(t.get("verified_by").is_none());
    // Expired by NOW + 1 day: the detector's lower severity survives reclassification.
    let p = dir.path().to_str().unwrap();
    let out = run(&["scan", p, "--format", "json", "--now", "1764090000"]);
    let later: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(by_rule(&later, "caf.mobile-token")["severity"], "medium");
}

#[test]
fn tokens_minted_in_app_code_with_caf_are_reported() {
    let app = r#"import { sign } from "react-native-pure-jwt";
import { PassiveFaceLiveness } from "@caf.io/react-native-passive-face-liveness";

export async function startLiveness(clientSecret) {
  const mobileToken = await sign({ iss: CAF_CLIENT_ID, exp: Date.now() + 60000 }, clientSecret, { alg: "HS256" });
  return PassiveFaceLiveness.start(mobileToken);
}
"#;
    let server = r#"const jwt = require("jsonwebtoken");
// CAF mobile tokens are minted here, on the server.
const mobileToken = jwt.sign({ iss: process.env.CAF_CLIENT_ID }, process.env.CAF_CLIENT_SECRET);
"#;
    let kotlin = r#"package com.acme.kyc
import com.combateafraude.passivefaceliveness.PassiveFaceLiveness
val token = Jwts.builder().setIssuer(BuildConfig.CAF_CLIENT_ID).signWith(key).compact()
"#;
    let dir = tree(&[
        ("mobile/src/liveness.js", app),
        ("server/mint.js", server),
        ("app/src/main/kotlin/Kyc.kt", kotlin),
    ]);
    let (doc, _) = scan_json(dir.path(), &[]);
    assert_eq!(
        triples(&doc),
        vec![
            (
                "caf.token-minted-client-side".into(),
                "app/src/main/kotlin/Kyc.kt".into(),
                3
            ),
            (
                "caf.token-minted-client-side".into(),
                "mobile/src/liveness.js".into(),
                5
            ),
        ]
    );
    let f = &all_by_rule(&doc, "caf.token-minted-client-side")[0];
    assert_eq!(f["severity"], "critical");
}

#[test]
fn a_literal_that_signs_a_caf_token_is_the_caf_client_secret() {
    let secret = "Hn4kT8wQ2mV6zR1xC9bL5pJ3";
    let token = hs256(&mobile_claims(CLIENT_ID), secret.as_bytes());
    let dir = tree(&[
        (
            "backend/settings.py",
            &format!("SIGNER_SECRET = \"{secret}\"\nOTHER_SECRET = \"Zx8cV6bN4mQ2wE9rT7yU5iO3\"\n"),
        ),
        (
            "app/lib/kyc.dart",
            &format!(
                "import 'package:caf_face_liveness/face_liveness.dart';\nconst t = \"{token}\";\n"
            ),
        ),
    ]);
    let (doc, _) = scan_json(dir.path(), &[]);
    assert_eq!(
        triples(&doc),
        vec![
            ("caf.client-secret".into(), "backend/settings.py".into(), 1),
            ("caf.jwt-context".into(), "app/lib/kyc.dart".into(), 2),
            // A literal named secret that signs nothing is a generic secret, not CAF's.
            ("generic.secret".into(), "backend/settings.py".into(), 2),
        ],
        "the literal that signs nothing is not a CAF secret"
    );
    let key = by_rule(&doc, "caf.client-secret");
    assert!(key["message"]
        .as_str()
        .unwrap()
        .ends_with("; identified by the CAF token it signs"));
    assert_eq!(
        by_rule(&doc, "caf.jwt-context")["verified_by"]["fingerprint"],
        key["fingerprint"]
    );
}
