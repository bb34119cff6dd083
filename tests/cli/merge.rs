//! `leakhound merge` and `--label`: reports of three repositories built here, one secret
//! shared by two of them, a token in one signed by a key in another, and hostile inputs.

use crate::git::Repo;
use crate::helpers::*;
use crate::proof::hs256;
use serde_json::Value;
use std::path::Path;

const SHARED: &str = "shared-Jwt-Secret-Across-Repos-9";
const WEB_KEY: &str = "web-Signing-Key-From-Repo-B7";
const APP_SECRET: &str = "app-Only-Refresh-Secret-31";
const CLAIMS: &str = r#"{"sub":"svc","iss":"auth.example.com","exp":4102444800}"#;
/// What `git` makes of web's origin, `https://user:pass@host/acme/web.git`.
pub const WEB: &str = "https://host/acme/web.git";

/// Three repositories: api (the shared secret and a token web's key signs), web (the shared
/// secret, the key, and an origin remote with credentials) and app (a secret of its own).
pub struct Org {
    pub api: Repo,
    pub web: Repo,
    pub app: Repo,
    pub token: String,
}

pub fn org() -> Org {
    let token = hs256(CLAIMS, WEB_KEY.as_bytes());
    let api = Repo::new();
    api.write("config/.env", &format!("PORT=1\nJWT_SECRET={SHARED}\n"));
    api.write("client/api.js", &format!("const token = '{token}';\n"));
    api.commit("api");
    let web = Repo::new();
    web.write(
        "server.js",
        &format!("const jwt = require('jsonwebtoken');\nfunction issue(u) {{\n  return jwt.sign({{ sub: u.id }}, '{WEB_KEY}', {{ expiresIn: '1h' }});\n}}\n"),
    );
    web.write(".env", &format!("JWT_SECRET={SHARED}\n"));
    web.commit("web");
    web.git(&[
        "remote",
        "add",
        "origin",
        "https://user:pass@host/acme/web.git",
    ]);
    let app = Repo::new();
    app.write(
        "settings.env",
        &format!("REFRESH_TOKEN_SECRET={APP_SECRET}\n"),
    );
    app.commit("app");
    Org {
        api,
        web,
        app,
        token,
    }
}

/// `leakhound git REPO ARGS -o OUT` (a clean scan with findings exits 1).
fn git_report(repo: &Path, out: &Path, args: &[&str]) {
    let (r, o) = (repo.to_string_lossy(), out.to_string_lossy());
    let mut all = vec!["git", &*r, "--now", NOW, "-o", &*o];
    all.extend_from_slice(args);
    let run = run(&all);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
}

/// The org's reports in `dir`: api as JSONL with `--label`, web as JSONL labelled by its
/// origin, app as a JSON document with `--label`; `extra` goes to every scan.
pub fn reports(org: &Org, dir: &Path, extra: &[&str]) -> Vec<String> {
    let plan: [(&Repo, &str, Vec<&str>); 3] = [
        (
            &org.api,
            "api.jsonl",
            vec!["--format", "jsonl", "--label", "acme/api"],
        ),
        (&org.web, "web.jsonl", vec!["--format", "jsonl"]),
        (
            &org.app,
            "app.json",
            vec!["--format", "json", "--label", "acme/app"],
        ),
    ];
    plan.iter()
        .map(|(repo, name, args)| {
            let out = dir.join(name);
            let mut all = args.clone();
            all.extend_from_slice(extra);
            git_report(&repo.path(), &out, &all);
            out.to_string_lossy().into_owned()
        })
        .collect()
}

fn merge(files: &[String], args: &[&str]) -> std::process::Output {
    let mut all = vec!["merge"];
    all.extend(files.iter().map(String::as_str));
    all.extend_from_slice(args);
    run(&all)
}

pub fn merge_json(files: &[String], args: &[&str]) -> (Value, std::process::Output) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = merge(files, &all);
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("json: {e}\nstderr: {}", stderr(&out)));
    (doc, out)
}

/// `(label, rule, path, line, [(label, path, line) of also_in])` of every merged finding.
pub type Entry = (String, String, String, u64, Vec<(String, String, u64)>);

pub fn entries(doc: &Value) -> Vec<Entry> {
    findings(doc)
        .iter()
        .map(|f| {
            let also = f["also_in"].as_array().map_or(Vec::new(), |a| {
                a.iter()
                    .map(|o| {
                        (
                            field(o, "label"),
                            field(o, "path"),
                            o["line"].as_u64().unwrap(),
                        )
                    })
                    .collect()
            });
            let line = f["line"].as_u64().unwrap();
            (
                field(f, "label"),
                field(f, "rule_id"),
                field(f, "path"),
                line,
                also,
            )
        })
        .collect()
}

pub fn entry(label: &str, rule: &str, path: &str, line: u64, also: &[(&str, &str, u64)]) -> Entry {
    let also = also
        .iter()
        .map(|(l, p, n)| (l.to_string(), p.to_string(), *n))
        .collect();
    (label.into(), rule.into(), path.into(), line, also)
}

const REDACTED_NOTE: &str =
    "report(s) are redacted: their tokens and keys were not checked against other reports'";

#[test]
fn three_repositories_merge_into_one_entry_per_secret() {
    let org = org();
    let dir = tempfile::tempdir().unwrap();
    let files = reports(&org, dir.path(), &[]);
    let (doc, out) = merge_json(&files, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
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
            entry("acme/app", "jwt.hmac-key.config", "settings.env", 1, &[]),
            entry(WEB, "jwt.hmac-key.node", "server.js", 3, &[]),
        ]
    );
    assert_eq!(
        doc["labels"],
        serde_json::json!(["acme/api", "acme/app", WEB])
    );
    // Redacted reports: the token stays unproven, and the merge says why, once.
    let token = &findings(&doc)[0];
    assert!(token.get("verified_by").is_none(), "{token}");
    assert_eq!(
        stderr(&out).matches(REDACTED_NOTE).count(),
        1,
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("3 of 3 report(s)"),
        "{}",
        stderr(&out)
    );
    let text = stdout(&merge(&files, &[]));
    assert!(text.contains("[acme/api] config/.env\n"), "{text}");
    assert!(
        text.contains(&format!("      also in [{WEB}] .env:1:12 (commit ")),
        "{text}"
    );
    for raw in [SHARED, WEB_KEY, APP_SECRET, org.token.as_str()] {
        assert!(
            !text.contains(raw) && !stdout(&out).contains(raw),
            "raw {raw}"
        );
    }
}

/// A SARIF run's label, automation id and `(ruleId, uri)` of each result.
type RunShape = (String, String, Vec<(String, String)>);

#[test]
fn sarif_has_one_run_per_repository() {
    let org = org();
    let dir = tempfile::tempdir().unwrap();
    let files = reports(&org, dir.path(), &[]);
    let sarif = dir.path().join("org.sarif");
    let out = merge(
        &files,
        &["--format", "sarif", "-o", &sarif.to_string_lossy()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let log: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let runs = log["runs"].as_array().unwrap();
    let shape: Vec<RunShape> = runs
        .iter()
        .map(|r| {
            let results = r["results"].as_array().unwrap().iter().map(|x| {
                let uri = &x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
                (field(x, "ruleId"), uri.as_str().unwrap().to_string())
            });
            (
                field(&r["properties"], "label"),
                field(&r["automationDetails"], "id"),
                results.collect(),
            )
        })
        .collect();
    let pair = |r: &str, u: &str| (r.to_string(), u.to_string());
    assert_eq!(
        shape,
        vec![
            (
                "acme/api".into(),
                "leakhound/acme/api/".into(),
                vec![
                    pair("jwt.token", "client/api.js"),
                    pair("jwt.hmac-key.config", "config/.env")
                ]
            ),
            (
                "acme/app".into(),
                "leakhound/acme/app/".into(),
                vec![pair("jwt.hmac-key.config", "settings.env")]
            ),
            (
                WEB.into(),
                format!("leakhound/{WEB}/"),
                // The shared secret shows in web's run too, at web's own place.
                vec![
                    pair("jwt.hmac-key.config", ".env"),
                    pair("jwt.hmac-key.node", "server.js")
                ]
            ),
        ]
    );
    let shared = &runs[0]["results"][1]["relatedLocations"][0];
    assert_eq!(
        shared["message"]["text"],
        format!(
            "in {WEB}: also at .env:1:12 (commit {})",
            org.web.git(&["rev-parse", "HEAD"])
        )
    );
    assert!(shared.get("physicalLocation").is_none(), "{shared}");
    assert_eq!(
        sarif_check(&sarif, &[SHARED, WEB_KEY, APP_SECRET]),
        "sarif problems=0"
    );
}

#[test]
fn key_in_one_repository_proves_a_token_in_another() {
    let org = org();
    let dir = tempfile::tempdir().unwrap();
    let files = reports(&org, dir.path(), &["--show-secrets"]);
    let (doc, out) = merge_json(&files, &[]);
    assert!(!stderr(&out).contains(REDACTED_NOTE), "{}", stderr(&out));
    let all = findings(&doc);
    let token = all.iter().find(|f| f["rule_id"] == "jwt.token").unwrap();
    let key = all
        .iter()
        .find(|f| f["rule_id"] == "jwt.hmac-key.node")
        .unwrap();
    assert_eq!(token["label"], "acme/api");
    assert_eq!(
        (
            &token["verified_by"]["label"],
            &token["verified_by"]["location"],
            &token["verified_by"]["line"]
        ),
        (
            &Value::from(WEB),
            &Value::from("server.js"),
            &Value::from(3)
        )
    );
    assert!(field(token, "message").ends_with(&format!(
        "verified: signed with the key at server.js:3 in {WEB}"
    )));
    assert_eq!(key["signs"][0]["label"], "acme/api");
    assert_eq!(key["signs"][0]["location"], "client/api.js");
    assert_eq!(key["severity"], "critical");
    // Proof used the raw secrets, but the merged report redacts them unless asked.
    assert_eq!(token["redacted"], true);
    for raw in [WEB_KEY, org.token.as_str()] {
        assert!(!stdout(&out).contains(raw));
    }
    let (shown, _) = merge_json(&files, &["--show-secrets"]);
    let key = findings(&shown)
        .iter()
        .find(|f| f["rule_id"] == "jwt.hmac-key.node")
        .unwrap();
    assert_eq!(
        (&key["secret"], &key["redacted"]),
        (&Value::from(WEB_KEY), &Value::from(false))
    );
    // --no-verify leaves the token as its report had it.
    let (unproven, _) = merge_json(&files, &["--no-verify"]);
    let token = findings(&unproven)
        .iter()
        .find(|f| f["rule_id"] == "jwt.token")
        .unwrap();
    assert!(token.get("verified_by").is_none());
}
