//! `leakhound merge` on what it must survive and keep: hostile inputs, `--label` and its
//! default for `git`, and a scan report read back field for field.

use crate::helpers::*;
use crate::merge::{entries, entry, merge_json, org, reports, WEB};
use serde_json::Value;

#[test]
fn hostile_inputs_are_one_line_errors_and_the_rest_is_merged() {
    let org = org();
    let dir = tempfile::tempdir().unwrap();
    let files = reports(&org, dir.path(), &[]);
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    write("garbage.json", b"\x00\xffnot json at all\n\x1b[2J{{{\n");
    // api's report (the token's line, then the shared secret's) cut inside its last line,
    // as a killed job leaves it.
    let api = std::fs::read_to_string(&files[0]).unwrap();
    write("cut.jsonl", &api.as_bytes()[..api.len() - 40]);
    let app = std::fs::read_to_string(&files[2]).unwrap();
    write(
        "v9.json",
        app.replacen("\"schema_version\": 1", "\"schema_version\": 9", 1)
            .as_bytes(),
    );
    write(
        "fp.jsonl",
        api.replacen("\"fingerprint\":\"", "\"fingerprint\":\"zz", 1)
            .as_bytes(),
    );
    let args = [
        "merge",
        "--format",
        "json",
        "garbage.json",
        "cut.jsonl",
        "v9.json",
        "fp.jsonl",
        "web.jsonl",
        "missing.jsonl",
    ];
    let run = run_hostile(dir.path(), &args);
    let out = &run.out;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    let err = stderr(out);
    let errors: Vec<&str> = err.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(errors.len(), 5, "{err}");
    assert!(
        errors[0].starts_with("leakhound: error: garbage.json: line 1: "),
        "{err}"
    );
    assert!(
        errors[0].ends_with(" (and 1 more)") && !errors[0].contains('\x1b'),
        "{err}"
    );
    assert!(
        errors[1].starts_with("leakhound: error: cut.jsonl: line 2: EOF while parsing"),
        "{err}"
    );
    assert_eq!(
        errors[2],
        "leakhound: error: v9.json: schema_version 9 is not supported (this leakhound reads 1)"
    );
    assert_eq!(
        errors[3],
        "leakhound: error: fp.jsonl: line 1: fingerprint is not 64 hex digits"
    );
    assert!(
        errors[4].starts_with("leakhound: error: missing.jsonl: cannot read: "),
        "{err}"
    );
    // Everything readable is merged: cut's first line, fp's second, all of web; inputs that
    // gave nothing add no label.
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        entries(&doc),
        vec![
            entry("acme/api", "jwt.token", "client/api.js", 1, &[]),
            entry(
                "acme/api",
                "jwt.hmac-key.config",
                "config/.env",
                2,
                &[(WEB, ".env", 1)]
            ),
            entry(WEB, "jwt.hmac-key.node", "server.js", 3, &[]),
        ]
    );
    assert_eq!(doc["labels"], serde_json::json!(["acme/api", WEB]));
}

#[test]
fn git_label_defaults_to_origin_without_credentials() {
    let org = org();
    let out = run(&[
        "git",
        &org.web.path().to_string_lossy(),
        "--format",
        "json",
        "--now",
        NOW,
    ]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["label"], WEB);
    assert!(findings(&doc).iter().all(|f| f["label"] == WEB));
    let text = stdout(&out);
    assert!(!text.contains("user") && !text.contains("pass@"), "{text}");
    // --label wins over the remote; scan has no default.
    let named = run(&[
        "git",
        &org.web.path().to_string_lossy(),
        "--format",
        "json",
        "--label",
        "web",
        "--now",
        NOW,
    ]);
    let named: Value = serde_json::from_slice(&named.stdout).unwrap();
    assert_eq!(named["label"], "web");
    let (plain, _) = scan_json(&org.web.path(), &[]);
    assert!(plain.get("label").is_none() && findings(&plain)[0].get("label").is_none());
    let (tagged, _) = scan_json(&org.web.path(), &["--label", "web-tree"]);
    assert_eq!(tagged["label"], "web-tree");
    assert_eq!(findings(&tagged)[0]["label"], "web-tree");
}

/// Drops the labels a merge adds (to findings and the links in them).
fn unlabelled(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| k.as_str() != "label")
                .map(|(k, v)| (k.clone(), unlabelled(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(unlabelled).collect()),
        other => other.clone(),
    }
}

#[test]
fn demo_scan_round_trips_through_merge() {
    for extra in [&[][..], &["--show-secrets"][..]] {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("demo.json");
        let (doc, _) = scan_json(&fixtures("demo"), extra);
        std::fs::write(&report, serde_json::to_vec(&doc).unwrap()).unwrap();
        let (merged, out) = merge_json(&[report.to_string_lossy().into_owned()], extra);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(merged["label"], "demo");
        // Every field a scan writes comes back (fixtures/demo has no secret twice).
        assert_eq!(unlabelled(&merged["findings"]), doc["findings"]);
        assert!(findings(&merged).iter().all(|f| f["label"] == "demo"));
    }
}

/// The HTML of a merge names each finding's repository and the other places its secret was
/// seen; a label is scanned input too, so a hostile one is escaped.
#[test]
fn merged_html_names_repositories_and_other_places() {
    let org = org();
    let dir = tempfile::tempdir().unwrap();
    let hostile = "<script>x</script>\"q";
    let mut files = reports(&org, dir.path(), &[]);
    let api = std::fs::read_to_string(&files[0]).unwrap();
    let renamed = dir.path().join("hostile.jsonl");
    std::fs::write(
        &renamed,
        api.replace("\"acme/api\"", &format!("{hostile:?}")),
    )
    .unwrap();
    files[0] = renamed.to_string_lossy().into_owned();
    let mut args = vec!["merge", "--format", "html"];
    args.extend(files.iter().map(String::as_str));
    let out = run(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let page = stdout(&out);
    let esc = "[&lt;script&gt;x&lt;/script&gt;&quot;q]";
    assert!(page.contains(&format!("{esc} config/.env:2:12")), "{page}");
    assert!(page.contains(&format!("also in [{WEB}] .env:1 commit ")));
    assert!(page.contains("[acme/app] settings.env:1:"));
    assert!(
        page.contains(&format!("{esc} config/")),
        "the per-area table"
    );
    assert!(!page.contains("<script>x"));
    assert_eq!(page.matches("<script").count(), 1, "only the page's own");
}

/// One JSONL finding of `rule` at `path` with the fingerprint `n`, labelled `label`.
fn wire_line(label: &str, rule: &str, path: &str, n: usize) -> String {
    serde_json::json!({
        "rule_id": rule, "rule_name": "JWT secret in a configuration value",
        "severity": "critical", "confidence": "high", "path": path, "line": 1,
        "column": 12, "end_line": 1, "end_column": 40, "secret": "benc…(28)",
        "redacted": true, "fingerprint": format!("{n:064x}"), "label": label,
    })
    .to_string()
        + "\n"
}

/// Past GitHub's 10 MB (gzip) limit, the SARIF of a merge keeps as many results as fit,
/// says how many it left out, and still parses; a label made to look like the log's own
/// structure stays a string.
#[test]
fn merged_sarif_fits_the_gzip_limit_and_hostile_labels_stay_strings() {
    let dir = tempfile::tempdir().unwrap();
    // Paths of random letters: about 6 bits each, so 30,000 of them cannot compress to 10 MB.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut random_path = || -> String {
        (0..800)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
                    [(seed % 64) as usize] as char
            })
            .collect()
    };
    let hostile = "x\n      \"results\": []\n]}";
    let mut big = String::new();
    for n in 0..30_000 {
        big.push_str(&wire_line(
            "acme/big",
            "jwt.hmac-key.config",
            &random_path(),
            n,
        ));
    }
    let small = wire_line(hostile, "jwt.hmac-key.config", "a.env", 99_999);
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    let (big, small) = (write("big.jsonl", &big), write("small.jsonl", &small));
    let out = run(&["merge", &small, &big, "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &out.stdout).unwrap();
    let compressed = gz.finish().unwrap().len();
    assert!(compressed <= 10 << 20, "{compressed} bytes gzipped");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let counts: Vec<(String, usize)> = doc["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let label = r["properties"]["label"].as_str().unwrap().to_string();
            (label, r["results"].as_array().unwrap().len())
        })
        .collect();
    // Runs in label order.
    assert_eq!(counts[1], (hostile.to_string(), 1));
    assert_eq!(counts[0].0, "acme/big");
    let kept = counts[0].1;
    // The budget is used, not thrown away: a result here is about 1 KB compressed.
    assert!((8_000..30_000).contains(&kept), "{kept} kept");
    let note = format!(
        "SARIF: left out {} lowest-severity result(s) ({} critical)",
        30_000 - kept,
        30_000 - kept
    );
    assert!(stderr(&out).contains(&note), "{}", stderr(&out));
}
