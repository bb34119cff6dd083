//! What is found, exactly, in the fixtures.

use crate::helpers::*;

/// Every planted secret in `fixtures/mixed`, by (rule, path, line). Anything else is noise.
const MIXED: &[(&str, &str, u64)] = &[
    ("bearer.postman", "postman/collection.json", 6),
    ("bearer.token", "http/api.http", 3),
    ("bearer.token", "python/client.py", 5),
    ("bearer.token", "scripts/deploy.sh", 4),
    ("bearer.token", "web/dist/app.min.js", 1),
    ("caf.api-token", "caf/report.sh", 2),
    ("caf.client-secret", "caf/.env", 2),
    ("caf.jwt-context", "caf/rn/App.js", 3),
    ("caf.mobile-token", "caf/android/MainActivity.kt", 7),
    ("caf.mobile-token", "caf/flutter/main.dart", 5),
    ("caf.mobile-token", "caf/ios/ViewController.swift", 6),
    ("caf.token", "caf/.env", 3),
    ("jwt.hmac-key.config", "config/.env", 3),
    ("jwt.hmac-key.config", "config/.env", 4),
    ("jwt.hmac-key.config", "config/config.yaml", 2),
    ("jwt.hmac-key.config", "config/settings.json", 3),
    ("jwt.hmac-key.config", "spring/application.properties", 3),
    ("jwt.hmac-key.config", "web/dist/app.min.js", 1),
    ("jwt.hmac-key.dotnet", "dotnet/Startup.cs", 8),
    ("jwt.hmac-key.dotnet-config", "dotnet/appsettings.json", 6),
    ("jwt.hmac-key.go", "go/main.go", 10),
    ("jwt.hmac-key.go", "go/main.go", 14),
    ("jwt.hmac-key.indirect", "java/JwtUtil.java", 8),
    ("jwt.hmac-key.indirect", "node/auth.js", 14),
    ("jwt.hmac-key.indirect", "python/auth.py", 4),
    ("jwt.hmac-key.java", "java/JwtUtil.java", 16),
    ("jwt.hmac-key.java", "kotlin/TokenService.kt", 7),
    ("jwt.hmac-key.jose", "node/jose.mjs", 3),
    ("jwt.hmac-key.jwk", "keys/jwks.json", 5),
    ("jwt.hmac-key.node", "node/auth.js", 6),
    ("jwt.hmac-key.node", "node/auth.js", 20),
    ("jwt.hmac-key.node-middleware", "node/auth.js", 23),
    ("jwt.hmac-key.node-middleware", "node/passport.js", 6),
    ("jwt.hmac-key.php", "php/auth.php", 6),
    ("jwt.hmac-key.python", "python/auth.py", 12),
    ("jwt.hmac-key.python-config", "python/flask_app.py", 5),
    ("jwt.hmac-key.python-config", "python/settings.py", 8),
    ("jwt.hmac-key.ruby", "ruby/auth.rb", 4),
    ("jwt.hmac-key.spring", "spring/application.yml", 6),
    ("jwt.token", "node/tokens.test.js", 2),
    ("jwt.token", "node/tokens.test.js", 3),
    ("jwt.token", "node/tokens.test.js", 4),
    ("jwt.token", "node/tokens.test.js", 5),
    ("private-key.jwk", "keys/jwks.json", 3),
    ("private-key.pem", "keys/service-account.json", 5),
    ("private-key.pem", "keys/test_only_deploy_key", 1),
    ("private-key.pem", "keys/test_only_id_rsa", 1),
    (
        "private-key.pem-encrypted",
        "keys/test_only_encrypted.pem",
        1,
    ),
];

fn expected(list: &[(&str, &str, u64)]) -> Vec<(String, String, u64)> {
    let mut v: Vec<_> = list
        .iter()
        .map(|(r, p, l)| (r.to_string(), p.to_string(), *l))
        .collect();
    v.sort();
    v
}

#[test]
fn mixed_fixture_gives_exactly_the_planted_findings() {
    let (doc, out) = scan_json(&fixtures("mixed"), &[]);
    assert_eq!(out.status.code(), Some(1), "findings exit 1");
    let got = triples(&doc);
    let want = expected(MIXED);
    let missing: Vec<_> = want.iter().filter(|t| !got.contains(t)).collect();
    let extra: Vec<_> = got.iter().filter(|t| !want.contains(t)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
}

#[test]
fn negative_fixture_gives_no_findings() {
    let (doc, out) = scan_json(&fixtures("negative"), &[]);
    assert_eq!(
        triples(&doc),
        vec![],
        "placeholders, public keys, hashes, images, lock files, lodash"
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        doc["summary"]["files"].as_u64().unwrap() >= 12,
        "every negative file was scanned"
    );
}

#[test]
fn jwt_claims_and_flags_are_attached() {
    let (doc, _) = scan_json(&fixtures("mixed/node/tokens.test.js"), &[]);
    let f = doc["findings"].as_array().unwrap();
    let by_line = |l: u64| f.iter().find(|x| x["line"] == l).expect("finding on line");
    let live = by_line(2);
    assert_eq!(live["severity"], "high");
    assert_eq!(live["jwt"]["alg"], "HS256");
    assert_eq!(live["jwt"]["typ"], "JWT");
    assert_eq!(live["jwt"]["iss"], "auth.example.com");
    assert_eq!(live["jwt"]["sub"], "svc-reports");
    assert_eq!(live["jwt"]["iat"], 1764000000);
    assert_eq!(live["jwt"]["exp"], 4102444800u64);
    assert_eq!(
        live["jwt"]["flags"],
        serde_json::json!(["long-lived"]),
        "exp is decades after iat"
    );
    let expired = by_line(3);
    assert_eq!(expired["severity"], "medium");
    assert_eq!(expired["jwt"]["flags"], serde_json::json!(["expired"]));
    assert_eq!(
        by_line(4)["jwt"]["flags"],
        serde_json::json!(["unsigned", "long-lived"])
    );
    let sample = by_line(5);
    assert_eq!(
        sample["severity"], "low",
        "jwt.io's sample token is low severity only"
    );
    assert_eq!(
        sample["jwt"]["flags"],
        serde_json::json!(["no-expiry", "public-sample"])
    );
}

#[test]
fn minified_bundle_reports_exact_columns() {
    let path = fixtures("mixed/web/dist/app.min.js");
    let (doc, _) = scan_json(&path, &["--show-secrets"]);
    let text = std::fs::read_to_string(&path).unwrap();
    let found: Vec<(&str, u64, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let rule = f["rule_id"].as_str().unwrap();
            (
                rule,
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    // One line of 49k characters: the columns are the secrets' own, not the line's start.
    assert_eq!(
        found,
        vec![
            ("jwt.hmac-key.config", 1, 24540),
            ("bearer.token", 1, 49086)
        ]
    );
    for f in doc["findings"].as_array().unwrap() {
        let col = f["column"].as_u64().unwrap() as usize;
        let secret = f["secret"].as_str().unwrap();
        // The bundle is ASCII, so UTF-16 columns are byte offsets + 1.
        assert_eq!(&text[col - 1..col - 1 + secret.len()], secret);
    }
}

#[test]
fn same_secret_on_another_line_keeps_its_fingerprint() {
    let a = tree(&[("a.env", "JWT_SECRET=9c4e1a7f3b8d2e6a0c5f9b1d4e8a2c6f\n")]);
    let b = tree(&[(
        "a.env",
        "\n\n# moved\nJWT_SECRET=9c4e1a7f3b8d2e6a0c5f9b1d4e8a2c6f\n",
    )]);
    let (da, _) = scan_json(a.path(), &[]);
    let (db, _) = scan_json(b.path(), &[]);
    assert_eq!(da["findings"][0]["line"], 1);
    assert_eq!(db["findings"][0]["line"], 4);
    assert_eq!(
        da["findings"][0]["fingerprint"],
        db["findings"][0]["fingerprint"]
    );
}

#[test]
fn prefilter_never_changes_findings() {
    use leakhound::matcher::Scratch;
    use leakhound::pipeline::{ScanOptions, Scanner};
    use leakhound::rules::RuleSet;
    use leakhound::source::blob::{Blob, Origin};
    let scanner = Scanner::new(
        RuleSet::builtin().unwrap(),
        ScanOptions {
            now: 1_764_000_000,
            prefilter: true,
        },
    );
    let mut scratch = Scratch::default();
    let mut compared = 0;
    for dir in ["mixed", "negative"] {
        for entry in walk_files(&fixtures(dir)) {
            let bytes = std::fs::read(&entry).unwrap();
            let blob = Blob {
                bytes: &bytes,
                origin: Origin::file(entry.display().to_string()),
            };
            let key = |fs: Vec<leakhound::finding::Finding>| {
                fs.into_iter()
                    .map(|f| (f.rule_id, f.offset, f.fingerprint))
                    .collect::<Vec<_>>()
            };
            let on = key(scanner.scan_with(&blob, &mut scratch, true));
            let off = key(scanner.scan_with(&blob, &mut scratch, false));
            assert_eq!(on, off, "{}", entry.display());
            compared += 1;
        }
    }
    assert!(compared > 40);
}

fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// On Unix `\` is a character of a file name, not a separator: the report names the file as
/// it is (it used to be rewritten to `/`, naming a file that does not exist).
#[cfg(unix)]
#[test]
fn a_backslash_in_a_unix_file_name_is_reported_as_is() {
    let dir = tree(&[(
        "dir/odd\\name.env",
        "JWT_SECRET=4f9a8c7e2b1d6f3a0e5c9b8a7d6e5f4c\n",
    )]);
    let (doc, _) = scan_json(dir.path(), &[]);
    assert_eq!(
        triples(&doc),
        vec![(
            "jwt.hmac-key.config".to_string(),
            "dir/odd\\name.env".to_string(),
            1
        )]
    );
}
