//! Accepting reviewed findings: inline markers, `.leakhound.toml`, baselines, and the counts
//! the summary shows for each.

use crate::helpers::*;
use serde_json::Value;

const KEY_A: &str = "4f9a8c7e2b1d6f3a0e5c9b8a7d6e5f4c";
const KEY_B: &str = "9b8a7d6e5f4c4f9a8c7e2b1d6f3a0e5c";

fn scan_doc(dir: &std::path::Path, extra: &[&str]) -> (Value, std::process::Output) {
    scan_json(dir, extra)
}

#[test]
fn inline_markers_in_any_comment_syntax_suppress_their_line_only() {
    let dir = tree(&[
        (
            "app.env",
            &format!("JWT_SECRET={KEY_A} # leakhound:allow\nSESSION_JWT_SECRET={KEY_B}\n"),
        ),
        (
            "server.js",
            &format!("const jwtSecret = \"{KEY_B}\"; // gitleaks:allow\n"),
        ),
        (
            "settings.py",
            &format!("JWT_SECRET = \"{KEY_A}\"  # pragma: allowlist secret\n"),
        ),
    ]);
    let (doc, out) = scan_doc(dir.path(), &[]);
    assert_eq!(
        triples(&doc),
        vec![("jwt.hmac-key.config".into(), "app.env".into(), 2)]
    );
    assert_eq!(doc["summary"]["suppressed"]["inline"], 3);
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(
        &run(&["scan", dir.path().to_str().unwrap(), "--format", "sarif"]).stdout,
    )
    .unwrap();
    assert_eq!(sarif["runs"][0]["properties"]["suppressed"]["inline"], 3);
    let text = stdout(&run(&["scan", dir.path().to_str().unwrap()]));
    assert!(
        text.contains("1 findings") && text.contains("3 suppressed (inline 3)"),
        "{text}"
    );
}

#[test]
fn config_allowlists_disables_rerates_and_adds_rules() {
    let cfg = r#"
# Reviewed 2026-11: fixtures hold fake keys.
disabled_rules = ["jwt.token"]

[allowlist]
paths = ["fixtures/**"]
values = ["^TESTONLY-"]
stopwords = ["notreal"]

[severity]
"jwt.hmac-key.config" = "medium"

[[rules]]
id = "acme.deploy-key"
name = "ACME deploy key"
description = "An ACME deploy key."
severity = "high"
confidence = "high"
keywords = ["acme_dk_"]
pattern = '(?P<secret>acme_dk_[a-z0-9]{20})'
remediation = "Rotate it in the ACME console."
examples = ["key = acme_dk_0123abcd4567efgh89ij", "acme_dk_a1b2c3d4e5f6g7h8i9j0"]
negative_examples = ["acme_dk_short", "acme_xx_0123abcd4567efgh89ij"]
"#;
    let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiaXNzIjoiYXBpLmV4YW1wbGUuY29tIiwiaWF0IjoxNzAwMDAwMDAwfQ.a9OpLc0d8kU2m6nXh1fY3RzQe5wT7vBj4sHgKiNl0Po";
    let dir = tree(&[
        (".leakhound.toml", cfg),
        ("fixtures/fake.env", &format!("JWT_SECRET={KEY_A}\n")),
        (
            "config/app.env",
            &format!("JWT_SECRET={KEY_B}\nAPI_JWT_SECRET=TESTONLY-{KEY_A}\nOLD_JWT_SECRET=notreal-{KEY_A}\n"),
        ),
        ("deploy.sh", &format!("TOKEN={token}\nDEPLOY=acme_dk_0123abcd4567efgh89ij\n")),
    ]);
    let (doc, _) = scan_doc(dir.path(), &[]);
    assert_eq!(
        triples(&doc),
        vec![
            ("acme.deploy-key".into(), "deploy.sh".into(), 2),
            // jwt.token is disabled; the token is still a literal given to `TOKEN`.
            ("generic.token".into(), "deploy.sh".into(), 1),
            ("jwt.hmac-key.config".into(), "config/app.env".into(), 1),
        ]
    );
    let config_finding = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "config/app.env")
        .unwrap();
    assert_eq!(config_finding["severity"], "medium");
    assert_eq!(doc["summary"]["suppressed"]["config-path"], 1);
    assert_eq!(doc["summary"]["suppressed"]["config-value"], 2);

    // --config points elsewhere; --fail-on high ignores the medium finding.
    let other = tree(&[("c.toml", "[allowlist]\npaths = [\"**/*.env\"]\n")]);
    let cfg_path = other.path().join("c.toml");
    let (doc, out) = scan_doc(
        dir.path(),
        &[
            "--config",
            cfg_path.to_str().unwrap(),
            "--fail-on",
            "critical",
        ],
    );
    assert!(triples(&doc).iter().all(|t| t.1 == "deploy.sh"), "{doc}");
    assert_eq!(out.status.code(), Some(0), "nothing critical left");
}

#[test]
fn config_check_names_file_line_and_cause() {
    let cases = [
        (
            "[allowlist]\npaths = [\"a/**\"]\nvalue = [\"x\"]\n",
            ":3: unknown field `value`",
        ),
        (
            "[allowlist]\nvalues = [\n  \"ok\",\n  \"(unclosed\",\n]\n",
            ":4: bad value regex",
        ),
        (
            "disabled_rules = [\"jwt.token\", \"no.such-rule\"]\n",
            ":1: unknown rule id `no.such-rule`",
        ),
        ("[allowlist]\npaths = [\"a/[b\"]\n", ":2: bad path glob"),
        (
            "[severity]\n\"jwt.token\" = \"urgent\"\n",
            ":2: unknown variant `urgent`",
        ),
        (
            "[[rules]]\nid = \"x.bad\"\nname = \"x\"\ndescription = \"x\"\nseverity = \"low\"\nconfidence = \"low\"\nkeywords = [\"k\"]\npattern = '(?P<secret>k['\nremediation = \"x\"\nexamples = [\"k\", \"k\"]\nnegative_examples = [\"a\", \"b\"]\n",
            ":2: rule x.bad: bad pattern regex",
        ),
    ];
    for (text, want) in cases {
        let dir = tree(&[(".leakhound.toml", text)]);
        let out = run_in(dir.path(), &["config", "check"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert!(
            err.contains(".leakhound.toml") && err.contains(want),
            "{text}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        // A scan with a broken configuration stops instead of reporting what it would hide.
        let scan = run_in(dir.path(), &["scan", "."]);
        assert_eq!(scan.status.code(), Some(2));
    }
    let dir = tree(&[(".leakhound.toml", "[allowlist]\nstopwords = [\"dummy\"]\n")]);
    let out = run_in(dir.path(), &["config", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("ok (0 extra rule(s), 0 disabled)"));
}

#[test]
fn baseline_survives_moves_and_catches_new_secrets() {
    let dir = tree(&[
        ("a.env", &format!("JWT_SECRET={KEY_A}\n")),
        ("b.env", &format!("PORT=1\nJWT_SECRET={KEY_B}\n")),
    ]);
    let base = dir.path().join("baseline.json");
    let base_s = base.to_str().unwrap().to_string();
    let p = dir.path().to_str().unwrap().to_string();
    let out = run(&["scan", &p, "--write-baseline", &base_s, "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(&base).unwrap();
    assert!(
        !written.contains(KEY_A) && !written.contains("\"line\""),
        "{written}"
    );
    let entries: Value = serde_json::from_str(&written).unwrap();
    assert_eq!(entries["entries"][0]["path"], "a.env");
    assert_eq!(entries["entries"][1]["path"], "b.env");

    // Moved lines stay accepted; a new secret on an old line and an old secret at a new
    // path are reported.
    std::fs::write(
        dir.path().join("a.env"),
        format!("# moved\n\nJWT_SECRET={KEY_A}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.env"),
        "PORT=1\nJWT_SECRET=5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("c.env"), format!("JWT_SECRET={KEY_A}\n")).unwrap();
    let (doc, _) = scan_doc(dir.path(), &["--baseline", &base_s]);
    assert_eq!(
        triples(&doc),
        vec![
            ("jwt.hmac-key.config".into(), "b.env".into(), 2),
            ("jwt.hmac-key.config".into(), "c.env".into(), 1),
        ]
    );
    assert_eq!(doc["summary"]["suppressed"]["baseline"], 1);

    let out = run(&["scan", &p, "--baseline", &base_s, "--baseline-report", "-q"]);
    let err = stderr(&out);
    assert!(
        err.contains("stale baseline entry: jwt.hmac-key.config b.env fp="),
        "{err}"
    );
    assert!(err.contains("1 of 2 baseline entries are stale"), "{err}");
    let out = run(&["scan", &p, "--baseline", &base_s, "--prune-baseline", "-q"]);
    assert!(stderr(&out).contains("pruned 1 stale entries"));
    let pruned: Value = serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    assert_eq!(pruned["entries"].as_array().unwrap().len(), 1);
    assert_eq!(pruned["entries"][0]["path"], "a.env");

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"version\": 1}").unwrap();
    let out = run(&["scan", &p, "--baseline", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.json: not a leakhound baseline"),
        "{}",
        stderr(&out)
    );
}
