//! Every output format: structure, SARIF validity, and redaction.

use crate::helpers::*;
use serde_json::Value;
use std::path::Path;

fn scan_format(path: &Path, format: &str, extra: &[&str]) -> String {
    let p = path.to_string_lossy().into_owned();
    let mut args = vec!["scan", p.as_str(), "--format", format, "--now", NOW];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    stdout(&out)
}

/// The raw secrets of every finding in `fixtures/mixed`.
fn raw_secrets() -> Vec<String> {
    scan_format(&fixtures("mixed"), "jsonl", &["--show-secrets"])
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["secret"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn no_format_prints_a_raw_secret_unless_asked() {
    let secrets = raw_secrets();
    assert!(secrets.len() >= 40);
    for format in ["text", "json", "jsonl", "sarif"] {
        let redacted = scan_format(&fixtures("mixed"), format, &[]);
        for s in &secrets {
            // Redaction shows at most the first 4 characters; the tail must never appear.
            let tail = &s[s.len() - 8..];
            assert!(!redacted.contains(&s[4..]), "{format} leaks a secret");
            assert!(
                !redacted.contains(tail),
                "{format} leaks the end of a secret: {tail}"
            );
        }
        let shown = scan_format(&fixtures("mixed"), format, &["--show-secrets"]);
        for s in &secrets {
            let wanted = if format == "text" {
                s.lines().next().unwrap().to_string()
            } else {
                s.clone()
            };
            let as_json = serde_json::to_string(&wanted).unwrap();
            assert!(
                shown.contains(&wanted) || shown.contains(as_json.trim_matches('"')),
                "{format} --show-secrets misses {}…",
                &s[..4]
            );
        }
    }
}

#[test]
fn json_document_shape() {
    let (doc, _) = scan_json(&fixtures("mixed"), &[]);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["tool"]["name"], "leakhound");
    let f = &doc["findings"][0];
    for key in [
        "rule_id",
        "rule_name",
        "severity",
        "confidence",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "secret",
        "fingerprint",
        "message",
    ] {
        assert!(!f[key].is_null(), "finding has {key}");
    }
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 64);
    let s = &doc["summary"];
    assert_eq!(
        s["findings"].as_u64().unwrap() as usize,
        doc["findings"].as_array().unwrap().len()
    );
    assert!(s["files"].as_u64().unwrap() > 30);
    assert!(s["bytes"].as_u64().unwrap() > 1000);
    assert_eq!(s["errors"], serde_json::json!([]));
    let by: u64 = s["by_severity"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(by, s["findings"].as_u64().unwrap());
}

#[test]
fn jsonl_has_one_finding_per_line() {
    let (doc, _) = scan_json(&fixtures("mixed"), &[]);
    let lines = scan_format(&fixtures("mixed"), "jsonl", &[]);
    let parsed: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(parsed.len(), doc["findings"].as_array().unwrap().len());
    assert_eq!(parsed[0]["rule_id"], doc["findings"][0]["rule_id"]);
}

#[test]
fn text_groups_by_file_and_ends_with_a_summary() {
    let text = scan_format(&fixtures("mixed"), "text", &[]);
    assert!(
        text.contains("\nnode/auth.js\n  6:55  critical  jwt.hmac-key.node  "),
        "{text}"
    );
    let last = text.lines().last().unwrap();
    assert!(last.starts_with("scanned 38 files"), "{last}");
    assert!(
        last.contains("48 findings (38 critical, 7 high, 2 medium, 1 low)"),
        "{last}"
    );
    assert!(!text.contains('\x1b'), "no colour when not a terminal");
}

fn sarif_doc() -> Value {
    serde_json::from_str(&scan_format(&fixtures("mixed"), "sarif", &[])).unwrap()
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let schema: Value =
        serde_json::from_str(include_str!("../data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::draft4::new(&schema).expect("schema compiles");
    let doc = sarif_doc();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // A broken document must fail, or this test proves nothing.
    let mut bad = doc.clone();
    bad["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&bad));
}

#[test]
fn sarif_meets_github_ingestion_rules() {
    let doc = sarif_doc();
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let fired: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules.len(),
        fired.len(),
        "one rule entry per rule that fired"
    );
    for r in rules {
        let tags = r["properties"]["tags"].as_array().unwrap();
        assert!(tags.contains(&Value::from("security")) && tags.contains(&Value::from("secret")));
        let sev: f64 = r["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&sev));
        assert!(r["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("Remediation"));
        assert!(r["properties"]["precision"].is_string());
    }
    for res in results {
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.starts_with('/') && !uri.contains('\\'));
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(loc["region"][k].as_u64().unwrap() >= 1, "{k}");
        }
        let fp = res["partialFingerprints"]["leakhound/v1"].as_str().unwrap();
        assert_eq!(fp.len(), 64);
    }
}

#[test]
fn sarif_passes_sarif_check_py() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    std::fs::write(&sarif, scan_format(&fixtures("mixed"), "sarif", &[])).unwrap();
    let secrets = raw_secrets();
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    assert_eq!(sarif_check(&sarif, &secrets), "sarif problems=0");
}

#[test]
fn text_shows_a_short_excerpt_of_a_minified_line() {
    let text = scan_format(&fixtures("mixed/web/dist/app.min.js"), "text", &[]);
    let excerpt = text
        .lines()
        .find(|l| l.contains("Bearer «"))
        .expect("an excerpt line");
    assert_eq!(
        excerpt.trim(),
        ":{Authorization:\"Bearer «eyJh…(163)»\"}}).then(function(r){re"
    );
    assert!(
        text.lines().all(|l| l.len() < 200),
        "no whole minified line is printed"
    );
}

#[test]
fn sarif_for_archive_members_names_the_outer_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(
        "assets/config.env",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    std::io::Write::write_all(&mut w, b"JWT_SECRET=9c4e1a7f3b8d2e6a0c5f9b1d4e8a2c6f\n").unwrap();
    std::fs::write(dir.path().join("app.apk"), w.finish().unwrap().into_inner()).unwrap();
    let out = run_in(dir.path(), &["scan", "app.apk", "--format", "sarif"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let res = &doc["runs"][0]["results"][0];
    assert_eq!(
        res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "app.apk"
    );
    assert_eq!(res["properties"]["member"], "assets/config.env");
    assert!(res["message"]["text"]
        .as_str()
        .unwrap()
        .contains("in app.apk!assets/config.env:1:12"));
}

#[test]
fn sarif_from_every_mode_passes_sarif_check_py() {
    const KEY: &str = "4f9a8c7e2b1d6f3a0e5c9b8a7d6e5f4c";
    let dir = tree(&[("app.env", &format!("JWT_SECRET={KEY}\n"))]);
    git_ok(dir.path(), &["init", "-q", "-b", "main"]);
    git_ok(dir.path(), &["add", "."]);
    git_ok(dir.path(), &["commit", "-q", "-m", "one"]);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(
        "assets/config.env",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    std::io::Write::write_all(&mut w, format!("JWT_SECRET={KEY}\n").as_bytes()).unwrap();
    std::fs::write(dir.path().join("app.apk"), w.finish().unwrap().into_inner()).unwrap();
    git_ok(dir.path(), &["add", "app.apk"]);
    let p = dir.path().to_str().unwrap();
    let modes: [&[&str]; 3] = [&["scan", p], &["git", p], &["git", p, "--staged"]];
    for mode in modes {
        let sarif = dir.path().join("out.sarif");
        let mut args = mode.to_vec();
        args.extend(["--format", "sarif", "-o", sarif.to_str().unwrap()]);
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1), "{mode:?}: {}", stderr(&out));
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
        assert!(!doc["runs"][0]["results"].as_array().unwrap().is_empty());
        assert_eq!(sarif_check(&sarif, &[KEY]), "sarif problems=0", "{mode:?}");
        std::fs::remove_file(&sarif).unwrap();
    }
}

#[test]
fn sarif_stays_within_githubs_result_limit() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B;
    use base64::Engine;
    let head = B.encode(br#"{"alg":"HS256"}"#);
    let mut text = String::new();
    for i in 0..25_010 {
        let body = B.encode(format!(r#"{{"sub":"u{i}","exp":4102444800}}"#));
        text.push_str(&format!("t={head}.{body}.c2lnbmF0dXJlLW5vdC1yZWFs{i}\n"));
    }
    text.push_str("JWT_SECRET=4f9a8c7e2b1d6f3a0e5c9b8a7d6e5f4c\n");
    let dir = tree(&[("many.env", &text)]);
    let out = run(&[
        "scan",
        dir.path().to_str().unwrap(),
        "--format",
        "sarif",
        "--no-verify",
    ]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 25_000);
    assert!(
        results.iter().any(|r| r["ruleId"] == "jwt.hmac-key.config"),
        "the critical finding is kept; high-severity tokens are dropped first"
    );
    assert!(
        stderr(&out).contains("SARIF: left out 11 lowest-severity result(s) (11 high)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn gitlab_report_has_the_secret_detection_shape() {
    const KEY: &str = "4f9a8c7e2b1d6f3a0e5c9b8a7d6e5f4c";
    let dir = tree(&[("app.env", &format!("PORT=1\nJWT_SECRET={KEY}\n"))]);
    git_ok(dir.path(), &["init", "-q", "-b", "main"]);
    git_ok(dir.path(), &["add", "."]);
    git_ok(dir.path(), &["commit", "-q", "-m", "one"]);
    let commit = git_ok(dir.path(), &["rev-parse", "HEAD"]);
    let p = dir.path().to_str().unwrap();
    for (args, sha) in [
        (vec!["scan", p], "0000000".to_string()),
        (vec!["git", p], commit),
    ] {
        let mut all = args.clone();
        all.extend(["--format", "gitlab"]);
        let out = run(&all);
        let text = stdout(&out);
        assert!(!text.contains(KEY));
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["version"], "15.0.7");
        assert_eq!(doc["scan"]["type"], "secret_detection");
        assert_eq!(doc["scan"]["status"], "success");
        let ts = doc["scan"]["start_time"].as_str().unwrap();
        assert_eq!(ts.len(), 19, "{ts}");
        let v = &doc["vulnerabilities"][0];
        assert_eq!(doc["vulnerabilities"].as_array().unwrap().len(), 1);
        assert_eq!(v["severity"], "Critical");
        assert_eq!(v["location"]["file"], "app.env");
        assert_eq!(v["location"]["start_line"], 2);
        assert_eq!(v["location"]["commit"]["sha"], sha.as_str());
        assert_eq!(v["identifiers"][0]["value"], "jwt.hmac-key.config");
        assert_eq!(v["raw_source_code_extract"], "4f9a…(32)");
        assert_eq!(v["id"].as_str().unwrap().len(), 36);
    }
}
