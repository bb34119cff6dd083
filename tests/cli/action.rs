//! The GitHub Action: its metadata checked offline, and its shell steps run here with a
//! simulated GITHUB_* environment (a pull_request event payload, a push, a shallow clone).

use crate::helpers::*;
use std::path::Path;
use std::process::{Command, Output};

const OLD: &str = "4f9a8c7e2b1d6f3a0e5c9b8a7d6e5f4c";
const NEW: &str = "9b8a7d6e5f4c4f9a8c7e2b1d6f3a0e5c";

fn action_tool(args: &[&str]) -> Output {
    Command::new("python3")
        .arg(repo().join("tests/tools/action_check.py"))
        .arg(repo().join("action.yml"))
        .args(args)
        .output()
        .expect("python3 with PyYAML runs (pre-commit brings it; .ci/run installs it)")
}

fn step(id: &str) -> String {
    let out = action_tool(&["--step", id]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// Runs a step's script the way the runner does (`bash -e` is not used: the script sets its
/// own options), with `env` on top of a clean GITHUB_* set.
fn run_step(id: &str, workspace: &Path, env: &[(&str, &str)]) -> (Output, String, String) {
    let gh_out = workspace.join("gh-output.txt");
    let summary = workspace.join("gh-summary.md");
    let mut c = Command::new("bash");
    c.arg("--noprofile")
        .arg("--norc")
        .arg("-c")
        .arg(step(id))
        .current_dir(workspace)
        .env("GITHUB_OUTPUT", &gh_out)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_WORKSPACE", workspace)
        .env("LEAKHOUND_BIN", bin())
        .env("INPUT_PATH", ".")
        .env("INPUT_MODE", "auto")
        .env("INPUT_ARGS", "")
        .env("INPUT_SARIF_FILE", "leakhound.sarif")
        .env("INPUT_CATEGORY", "leakhound-pr")
        .env("INPUT_FAIL_ON", "high")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    (out, read(&gh_out), read(&summary))
}

/// main has an old secret; the pull request adds a new one.
fn pr_repo() -> (tempfile::TempDir, String, String) {
    let dir = tree(&[("old.env", &format!("JWT_SECRET={OLD}\n"))]);
    git_ok(dir.path(), &["init", "-q", "-b", "main"]);
    git_ok(dir.path(), &["add", "."]);
    git_ok(dir.path(), &["commit", "-q", "-m", "base"]);
    let base = git_ok(dir.path(), &["rev-parse", "HEAD"]);
    std::fs::write(dir.path().join("new.env"), format!("JWT_SECRET={NEW}\n")).unwrap();
    git_ok(dir.path(), &["add", "new.env"]);
    git_ok(dir.path(), &["commit", "-q", "-m", "feature"]);
    let head = git_ok(dir.path(), &["rev-parse", "HEAD"]);
    (dir, base, head)
}

#[test]
fn action_metadata_passes_offline_checks() {
    let out = action_tool(&[]);
    assert_eq!(stdout(&out).trim(), "action ok", "{}", stderr(&out));
}

#[test]
fn pull_request_scans_the_pr_range_and_sets_outputs() {
    let (dir, base, head) = pr_repo();
    let event = dir.path().join("event.json");
    std::fs::write(
        &event,
        serde_json::json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}})
            .to_string(),
    )
    .unwrap();
    let (out, outputs, summary) = run_step(
        "scan",
        dir.path(),
        &[
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
        ],
    );
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let lines: Vec<&str> = outputs.lines().collect();
    assert_eq!(
        lines,
        vec![
            "findings=1",
            "failing=1",
            "sarif-file=leakhound.sarif",
            &format!("range={base}..{head}"),
        ]
    );
    assert!(
        summary.contains("### leakhound: 1 finding(s) (pr, "),
        "{summary}"
    );
    assert!(
        summary.contains("| critical | `jwt.hmac-key.config` | new.env:1 | `9b8a…(32)` |"),
        "{summary}"
    );
    assert!(
        !summary.contains(NEW) && !summary.contains("old.env"),
        "{summary}"
    );
    let sarif = dir.path().join("leakhound.sarif");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(doc["runs"][0]["automationDetails"]["id"], "leakhound-pr/");
    assert_eq!(sarif_check(&sarif, &[OLD, NEW]), "sarif problems=0");

    let (verdict, _, _) = run_step("verdict", dir.path(), &[("FAILING", "1")]);
    assert_eq!(verdict.status.code(), Some(1));
    assert!(stdout(&verdict).contains("::error title=leakhound::1 finding(s) at or above 'high'"));
}

#[test]
fn push_and_schedule_pick_their_ranges() {
    let (dir, base, head) = pr_repo();
    let event = dir.path().join("event.json");
    let path = event.to_str().unwrap();
    std::fs::write(
        &event,
        serde_json::json!({"before": base, "after": head}).to_string(),
    )
    .unwrap();
    let (out, outputs, _) = run_step(
        "scan",
        dir.path(),
        &[("GITHUB_EVENT_NAME", "push"), ("GITHUB_EVENT_PATH", path)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        outputs.contains(&format!("range={base}..{head}")) && outputs.contains("findings=1\n"),
        "{outputs}"
    );

    // A new branch's first push has no "before": the whole history is scanned.
    std::fs::write(
        &event,
        serde_json::json!({"before": "0000000000000000000000000000000000000000", "after": head})
            .to_string(),
    )
    .unwrap();
    let (_, outputs, _) = run_step(
        "scan",
        dir.path(),
        &[("GITHUB_EVENT_NAME", "push"), ("GITHUB_EVENT_PATH", path)],
    );
    assert!(
        outputs.contains("range=history") && outputs.contains("findings=2\n"),
        "{outputs}"
    );

    let (_, outputs, _) = run_step(
        "scan",
        dir.path(),
        &[
            ("GITHUB_EVENT_NAME", "schedule"),
            ("GITHUB_EVENT_PATH", path),
            ("INPUT_FAIL_ON", "never"),
        ],
    );
    assert!(
        outputs.contains("range=history") && outputs.contains("failing=0\n"),
        "{outputs}"
    );
    let (bad, _, _) = run_step(
        "scan",
        dir.path(),
        &[
            ("GITHUB_EVENT_NAME", "schedule"),
            ("INPUT_FAIL_ON", "sometimes"),
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stdout(&bad).contains("Unknown fail-on 'sometimes'"),
        "{}",
        stdout(&bad)
    );
}

#[test]
fn shallow_checkout_is_an_error_that_names_fetch_depth() {
    let (dir, _, _) = pr_repo();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().display());
    git_ok(clone.path(), &["clone", "-q", "--depth", "1", &url, "work"]);
    let work = clone.path().join("work");
    let (out, outputs, _) = run_step("scan", &work, &[("GITHUB_EVENT_NAME", "workflow_dispatch")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("Set 'fetch-depth: 0' on actions/checkout"),
        "{}",
        stdout(&out)
    );
    assert!(outputs.is_empty());
}
