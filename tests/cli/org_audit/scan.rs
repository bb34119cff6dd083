//! The scan jobs: full clones, labelled reports, failures recorded, tokens kept out of sight.

use super::*;

#[test]
fn each_batch_scans_full_clones_and_records_a_failed_repository_without_stopping() {
    let org = Org::new(LISTING);
    let (tools, matrix) = org.planned();
    let (results, recs) = org.scan(&tools, &matrix);

    for (rec, failed) in recs.iter().zip(["0", "1"]) {
        assert_eq!(rec["status"], "success", "{}", dump(rec));
        assert_eq!(step(rec, "scan")["outputs"]["failed"], failed);
        assert!(ran(rec, "__2"), "the results are uploaded: {}", dump(rec));
    }
    assert!(annotations(&recs[1])
        .contains(&"::warning title=org-audit::acme/ghost: clone failed".into()));
    let files = names(&results);
    assert_eq!(
        files,
        [
            "acme__api.jsonl",
            "acme__docs.jsonl",
            "acme__web.jsonl",
            "status-1.jsonl",
            "status-2.jsonl"
        ]
    );

    assert_eq!(
        jsonl(&results.join("status-1.jsonl")),
        [
            json!({"repository": "acme/api", "status": "ok", "findings": 2, "detail": ""}),
            json!({"repository": "acme/docs", "status": "ok", "findings": 0, "detail": ""}),
        ]
    );
    assert_eq!(read(&results.join("acme__docs.jsonl")), "");
    let status = jsonl(&results.join("status-2.jsonl"));
    assert_eq!(status.len(), 2);
    let detail = status[0]["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("clone: fatal: ") && detail.contains("acme/ghost.git"),
        "{detail}"
    );
    assert_eq!(
        (
            &status[0]["repository"],
            &status[0]["status"],
            &status[0]["findings"]
        ),
        (&json!("acme/ghost"), &json!("failed"), &json!(0))
    );
    assert_eq!(
        status[1],
        json!({"repository": "acme/web", "status": "ok", "findings": 1, "detail": ""})
    );

    // Every finding is labelled with its repository; the shared secret has one fingerprint.
    let found = |file: &str| -> Vec<(String, String, String)> {
        let mut v: Vec<_> = jsonl(&results.join(file))
            .iter()
            .map(|f| (field(f, "label"), field(f, "path"), field(f, "fingerprint")))
            .collect();
        v.sort();
        v
    };
    let api = found("acme__api.jsonl");
    let web = found("acme__web.jsonl");
    let paths: Vec<(&str, &str)> = api
        .iter()
        .chain(&web)
        .map(|(l, p, _)| (l.as_str(), p.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            ("acme/api", "app.env"),
            ("acme/api", "deploy/prod.env"),
            ("acme/web", "config.env")
        ]
    );
    assert_eq!(
        api[0].2, web[0].2,
        "the shared secret's fingerprints differ"
    );
    assert_ne!(api[0].2, api[1].2);
    for file in &files {
        let text = read(&results.join(file));
        for secret in [SHARED, API_ONLY, ARCHIVED, TOKEN] {
            assert!(!text.contains(secret), "{file} holds {secret}");
        }
    }
}

/// A private repository: the server answers 401 until git, asking GIT_ASKPASS, sends the
/// token; a wrong token, or none, fails that repository's clone with git's reason.
#[test]
fn private_repositories_are_cloned_with_the_token_through_askpass() {
    let org = Org::new("[]");
    let (tools, plan) = org.plan(&[]);
    assert_eq!(plan["outputs"]["matrix"], r#"{"include":[]}"#);
    let basic = format!("x-access-token:{TOKEN}");
    let server = Server::start_with(&org.path("git"), &["--basic", &basic]);
    let scan = |n: usize, secret: &str| -> Value {
        let ws = org.workspace(&format!("scan-{n}"), &[(&tools, "tools")]);
        let secret = format!("ORG_AUDIT_TOKEN={secret}");
        let extra = [
            "--matrix",
            "batch=1",
            "--matrix",
            "repositories=acme/api",
            "--secret",
            &secret,
        ];
        org.run(&ws, "scan", &[("git-url", &server.url)], &extra);
        jsonl(&ws.join("results/status-1.jsonl")).remove(0)
    };
    assert_eq!(
        scan(1, TOKEN),
        json!({"repository": "acme/api", "status": "ok", "findings": 2, "detail": ""})
    );
    let url = &server.url;
    assert_eq!(
        scan(2, "wrong")["detail"],
        format!("clone: fatal: Authentication failed for '{url}/acme/api.git/'")
    );
    assert_eq!(
        scan(3, "")["detail"],
        format!("clone: fatal: could not read Username for '{url}': terminal prompts disabled")
    );
}
