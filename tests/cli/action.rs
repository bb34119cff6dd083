//! The GitHub Action, run offline the way the runner runs it: `tests/tools/action_run.py` takes
//! action.yml, an event and its payload (a fixture from `fixtures/action/` with this test's
//! commit ids filled in), and runs the composite steps under `bash --noprofile --norc -eo
//! pipefail` with `if:` and `env:` evaluated; every case here builds a real repository shaped
//! like that event (a clone of an "origin", as actions/checkout with fetch-depth 0 leaves it).

use crate::helpers::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// On main since the first commit: only full-history scans report it.
const OLD: &str = "4f9a8c7e2b1d6f3a0e5c9b8a7d6e5f4c";
/// Added by the feature branch: what its pull request, pushes and queue entry report.
pub(crate) const NEW: &str = "9b8a7d6e5f4c4f9a8c7e2b1d6f3a0e5c";
/// On someone else's branch: never part of the feature's ranges.
const OTHER: &str = "7e2b1d6f3a0e5c9b8a7d6e5f4c4f9a8c";
/// What a forced push rewrote the feature's secret to.
const REWRITTEN: &str = "c9b8a7d6e5f4c4f9a8c7e2b1d6f3a0e5";

fn action_check(args: &[&str]) -> Output {
    Command::new(tool("python3"))
        .arg(repo().join("tests/tools/action_check.py"))
        .arg(repo().join("action.yml"))
        .args(args)
        .output()
        .expect("python3 runs")
}

/// An "origin" with main (OLD), `other` (OTHER) and `feature` (NEW in `cfg|prod`.env`, a name
/// that would break a Markdown table), and `ws`, its full clone with `feature` checked out.
pub(crate) struct Repos {
    _dir: tempfile::TempDir,
    pub(crate) origin: PathBuf,
    pub(crate) ws: PathBuf,
    /// main's tip.
    pub(crate) main: String,
    /// feature's tip.
    pub(crate) feature: String,
}

const FEATURE_FILE: &str = "cfg|prod`.env";

pub(crate) fn commit_file(dir: &Path, name: &str, content: &str, msg: &str) -> String {
    std::fs::write(dir.join(name), content).unwrap();
    git_ok(dir, &["add", "--", name]);
    git_ok(dir, &["commit", "-q", "-m", msg]);
    git_ok(dir, &["rev-parse", "HEAD"])
}

pub(crate) fn repos() -> Repos {
    let dir = tempfile::tempdir().unwrap();
    let origin = dir.path().join("origin");
    std::fs::create_dir(&origin).unwrap();
    git_ok(&origin, &["init", "-q", "-b", "main"]);
    let main = commit_file(&origin, "old.env", &format!("JWT_SECRET={OLD}\n"), "base");
    git_ok(&origin, &["checkout", "-q", "-b", "other"]);
    commit_file(
        &origin,
        "other.env",
        &format!("JWT_SECRET={OTHER}\n"),
        "other",
    );
    git_ok(&origin, &["checkout", "-q", "-b", "feature", "main"]);
    let feature = commit_file(
        &origin,
        FEATURE_FILE,
        &format!("JWT_SECRET={NEW}\n"),
        "feature",
    );
    git_ok(&origin, &["checkout", "-q", "main"]);
    let ws = clone(dir.path(), &origin, "ws", "feature");
    Repos {
        origin,
        ws,
        main,
        feature,
        _dir: dir,
    }
}

/// A clone over `file://` (so only reachable objects come, as from GitHub), on `branch`.
fn clone(parent: &Path, origin: &Path, name: &str, branch: &str) -> PathBuf {
    let url = format!("file://{}", origin.display());
    git_ok(parent, &["clone", "-q", "--branch", branch, &url, name]);
    parent.join(name)
}

/// `fixtures/action/NAME.json` with `@KEY@` placeholders filled, written beside the clone.
pub(crate) fn payload(r: &Repos, name: &str, fill: &[(&str, &str)]) -> PathBuf {
    let mut text =
        std::fs::read_to_string(fixtures("action").join(format!("{name}.json"))).unwrap();
    for (k, v) in fill {
        text = text.replace(&format!("@{k}@"), v);
    }
    assert!(
        !text.contains('@'),
        "unfilled placeholder in {name}: {text}"
    );
    let p = r.ws.parent().unwrap().join(format!("{name}.event.json"));
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs the whole action for `event` and returns the runner's record.
fn run_action(
    ws: &Path,
    event: &str,
    payload: &Path,
    inputs: &[(&str, &str)],
    extra: &[&str],
) -> Value {
    run_action_yml(
        &repo().join("action.yml"),
        ws,
        event,
        payload,
        inputs,
        extra,
    )
}

pub(crate) fn run_action_yml(
    action: &Path,
    ws: &Path,
    event: &str,
    payload: &Path,
    inputs: &[(&str, &str)],
    extra: &[&str],
) -> Value {
    let mut c = Command::new(tool("python3"));
    c.arg(repo().join("tests/tools/action_run.py"))
        .arg(action)
        .arg("--event")
        .arg(event)
        .arg("--payload")
        .arg(payload)
        .arg("--workspace")
        .arg(ws)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    for (k, v) in inputs {
        c.arg("--input").arg(format!("{k}={v}"));
    }
    c.args(extra);
    let out = c.output().expect("python3 runs");
    assert!(out.status.success(), "action_run.py: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)))
}

/// Inputs for a run with the binary under test (no build).
fn with_bin(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, String)> {
    let mut v = vec![("binary", bin().to_string_lossy().into_owned())];
    v.extend(extra.iter().map(|(k, val)| (*k, val.to_string())));
    v
}

fn run_bin(
    ws: &Path,
    event: &str,
    payload: &Path,
    inputs: &[(&'static str, &'static str)],
) -> Value {
    let owned = with_bin(inputs);
    let refs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    run_action(ws, event, payload, &refs, &[])
}

pub(crate) fn step<'a>(rec: &'a Value, id: &str) -> &'a Value {
    rec["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id}"))
}

pub(crate) fn ran(rec: &Value, id: &str) -> bool {
    step(rec, id)["ran"].as_bool().unwrap()
}

pub(crate) fn annotations(rec: &Value) -> Vec<String> {
    rec["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

pub(crate) fn has_annotation(rec: &Value, prefix: &str) -> bool {
    annotations(rec).iter().any(|a| a.starts_with(prefix))
}

/// The secrets (redacted prefixes) of the SARIF the scan wrote, sorted, with their files.
fn sarif_findings(ws: &Path) -> Vec<(String, String)> {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(ws.join("leakhound.sarif")).unwrap())
            .unwrap();
    let mut v: Vec<(String, String)> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["properties"]["secret"].as_str().unwrap()[..4].to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

pub(crate) fn dump(rec: &Value) -> String {
    serde_json::to_string_pretty(rec).unwrap()
}

/// The job summary after its first paragraph, which must say how leakhound was set up (`how`)
/// and in how many whole seconds.
pub(crate) fn scan_summary(rec: &Value, how: &str) -> String {
    let summary = rec["summary"].as_str().unwrap();
    let (setup, rest) = summary.split_once("\n\n").expect("a setup paragraph");
    let secs = setup
        .strip_prefix("leakhound set up in ")
        .and_then(|s| s.strip_suffix(&format!(" s: {how}")))
        .unwrap_or_else(|| panic!("{setup}"));
    assert!(secs.parse::<u64>().is_ok(), "{setup}");
    rest.to_string()
}

/// The outcome every scanned event is held to: the range, the findings, the job's status, and
/// whether the SARIF went to code scanning (under which category).
fn assert_scanned(rec: &Value, range: &str, findings: &[(&str, &str)], upload: Option<&str>) {
    let scan = step(rec, "scan");
    assert_eq!(scan["exit"], 0, "{}", dump(rec));
    assert_eq!(rec["outputs"]["range"], range, "{}", dump(rec));
    assert_eq!(rec["outputs"]["findings"], findings.len().to_string());
    assert_eq!(rec["outputs"]["sarif-file"], "leakhound.sarif");
    let failing = !findings.is_empty();
    assert_eq!(ran(rec, "verdict"), failing, "{}", dump(rec));
    assert_eq!(rec["status"], if failing { "failure" } else { "success" });
    assert_eq!(
        has_annotation(
            rec,
            &format!(
                "::error title=leakhound::{} finding(s) at or above 'low'",
                findings.len()
            )
        ),
        failing
    );
    match upload {
        Some(category) => {
            assert!(ran(rec, "upload"), "{}", dump(rec));
            assert_eq!(step(rec, "upload")["with"]["category"], category);
            assert_eq!(step(rec, "upload")["with"]["sarif_file"], "leakhound.sarif");
        }
        None => assert!(!ran(rec, "upload"), "{}", dump(rec)),
    }
}

fn prefix(secret: &str) -> &str {
    &secret[..4]
}

/// The URI leakhound writes for the feature's file (`|` and the backtick percent-encoded).
pub(crate) const FEATURE_URI: &str = "cfg%7Cprod%60.env";

#[test]
fn action_metadata_passes_offline_checks() {
    let out = action_check(&[]);
    assert_eq!(stdout(&out).trim(), "action ok", "{}", stderr(&out));
}

#[test]
fn pull_request_scans_base_to_head_and_uploads_under_the_pr_category() {
    let r = repos();
    let ev = payload(
        &r,
        "pull_request",
        &[("BASE", &r.main), ("HEAD", &r.feature)],
    );
    let rec = run_bin(&r.ws, "pull_request", &ev, &[]);
    let range = format!("{}..{}", r.main, r.feature);
    assert_scanned(
        &rec,
        &range,
        &[(FEATURE_URI, prefix(NEW))],
        Some("leakhound/pr"),
    );
    assert_eq!(
        sarif_findings(&r.ws),
        vec![(FEATURE_URI.to_string(), prefix(NEW).to_string())]
    );
    let upload = &step(&rec, "upload")["with"];
    assert_eq!(
        (upload["ref"].as_str(), upload["sha"].as_str()),
        (Some(""), Some(""))
    );
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(r.ws.join("leakhound.sarif")).unwrap())
            .unwrap();
    assert_eq!(doc["runs"][0]["automationDetails"]["id"], "leakhound/pr/");
    assert_eq!(
        sarif_check(&r.ws.join("leakhound.sarif"), &[OLD, NEW, OTHER]),
        "sarif problems=0"
    );

    // The file name is decoded for people and escaped for Markdown and workflow commands.
    assert_eq!(rec["outputs"]["locations"], format!("{FEATURE_FILE}:1"));
    assert!(
        annotations(&rec).contains(&format!(
            "::warning file={FEATURE_FILE},line=1,title=jwt.hmac-key.config::critical jwt.hmac-key.config: 9b8a…(32)"
        )),
        "{}",
        dump(&rec)
    );
    let summary = scan_summary(&rec, "the given binary");
    assert!(
        summary.contains(
            "| critical | <code>jwt\\.hmac\\-key\\.config</code> | cfg\\|prod\\`\\.env:1 | <code>9b8a…\\(32\\)</code> |\n"
        ),
        "{summary}"
    );
    assert!(
        summary.starts_with(&format!("### leakhound: 1 finding(s) (pr, {range})")),
        "{summary}"
    );
    assert!(
        !summary.contains(NEW) && !summary.contains("old.env"),
        "{summary}"
    );
}

#[test]
fn push_scans_before_to_after_and_keeps_ranges_out_of_code_scanning() {
    let r = repos();
    let ev = payload(&r, "push", &[("BEFORE", &r.main), ("AFTER", &r.feature)]);
    let rec = run_bin(&r.ws, "push", &ev, &[]);
    assert_scanned(
        &rec,
        &format!("{}..{}", r.main, r.feature),
        &[(FEATURE_URI, prefix(NEW))],
        None,
    );
    assert!(r.ws.join("leakhound.sarif").exists());
    assert_eq!(rec["outputs"]["category"], "leakhound/push");
    assert!(
        has_annotation(
            &rec,
            "::notice title=leakhound::A push range is not uploaded"
        ),
        "{}",
        dump(&rec)
    );
}

#[test]
fn forced_push_scans_from_the_default_branch_when_before_is_gone() {
    let r = repos();
    // The feature's tip is rewritten on origin; the clone never sees the old commit.
    let old_tip = r.feature.clone();
    git_ok(&r.origin, &["checkout", "-q", "feature"]);
    std::fs::write(
        r.origin.join(FEATURE_FILE),
        format!("JWT_SECRET={REWRITTEN}\n"),
    )
    .unwrap();
    git_ok(
        &r.origin,
        &["commit", "-q", "-a", "--amend", "-m", "feature, rewritten"],
    );
    let new_tip = git_ok(&r.origin, &["rev-parse", "HEAD"]);
    git_ok(&r.origin, &["checkout", "-q", "main"]);
    let ws = clone(r.ws.parent().unwrap(), &r.origin, "forced", "feature");
    let missing = git_command(&ws)
        .args(["cat-file", "-e", &format!("{old_tip}^{{commit}}")])
        .output()
        .unwrap();
    assert!(
        !missing.status.success(),
        "the old tip must be absent, as after a real force push"
    );

    let ev = payload(
        &r,
        "push-forced",
        &[("BEFORE", &old_tip), ("AFTER", &new_tip)],
    );
    let rec = run_bin(&ws, "push", &ev, &[]);
    assert_scanned(
        &rec,
        &format!("{}..{new_tip}", r.main),
        &[(FEATURE_URI, prefix(REWRITTEN))],
        None,
    );
    assert_eq!(
        sarif_findings(&ws),
        vec![(FEATURE_URI.to_string(), prefix(REWRITTEN).to_string())]
    );
    assert!(has_annotation(
        &rec,
        &format!("::notice title=leakhound::Forced push: {old_tip} is no longer")
    ));
}

#[test]
fn forced_push_to_the_default_branch_scans_its_whole_history() {
    let r = repos();
    // main's first commit is reworded, and no other branch keeps the old one reachable.
    git_ok(&r.origin, &["branch", "-q", "-D", "feature", "other"]);
    git_ok(
        &r.origin,
        &["commit", "-q", "--amend", "-m", "base, reworded"],
    );
    let new_tip = git_ok(&r.origin, &["rev-parse", "HEAD"]);
    let ws = clone(r.ws.parent().unwrap(), &r.origin, "forced-main", "main");
    let ev = payload(
        &r,
        "push-forced",
        &[("BEFORE", &r.main), ("AFTER", &new_tip)],
    );
    let text = std::fs::read_to_string(&ev)
        .unwrap()
        .replace("refs/heads/feature", "refs/heads/main");
    std::fs::write(&ev, text).unwrap();
    let rec = run_bin(&ws, "push", &ev, &[]);
    // main's own history only: not the feature's or the other branch's secrets.
    assert_scanned(
        &rec,
        &format!("history of {new_tip}"),
        &[("old.env", prefix(OLD))],
        None,
    );
    assert_eq!(
        sarif_findings(&ws),
        vec![("old.env".to_string(), prefix(OLD).to_string())]
    );
}

#[test]
fn deleting_a_branch_scans_nothing_and_succeeds() {
    let r = repos();
    let ev = payload(&r, "push-deleted", &[("BEFORE", &r.feature)]);
    let rec = run_bin(&r.ws, "push", &ev, &[]);
    assert_eq!(step(&rec, "scan")["exit"], 0, "{}", dump(&rec));
    assert_eq!(rec["status"], "success");
    assert_eq!(rec["outputs"]["findings"], "0");
    assert_eq!(rec["outputs"]["range"], "");
    assert_eq!(rec["outputs"]["sarif-file"], "");
    assert!(!r.ws.join("leakhound.sarif").exists());
    assert!(
        !ran(&rec, "upload") && !ran(&rec, "verdict"),
        "{}",
        dump(&rec)
    );
    assert_eq!(
        annotations(&rec),
        vec!["::notice title=leakhound::refs/heads/feature was deleted; nothing to scan."]
    );
    assert_eq!(
        scan_summary(&rec, "the given binary"),
        "### leakhound: nothing to scan (refs/heads/feature was deleted)\n"
    );
}

#[test]
fn first_push_of_a_branch_scans_what_it_adds_over_the_default_branch() {
    let r = repos();
    let ev = payload(&r, "push-new-branch", &[("AFTER", &r.feature)]);
    let rec = run_bin(&r.ws, "push", &ev, &[]);
    // Not OTHER (another branch) and not OLD (main's history): only the feature's commit.
    assert_scanned(
        &rec,
        &format!("{}..{}", r.main, r.feature),
        &[(FEATURE_URI, prefix(NEW))],
        None,
    );
    assert_eq!(
        sarif_findings(&r.ws),
        vec![(FEATURE_URI.to_string(), prefix(NEW).to_string())]
    );
}

#[test]
fn a_pushed_annotated_tag_scans_its_commit_over_the_default_branch() {
    let r = repos();
    git_ok(
        &r.origin,
        &["tag", "-a", "v1.0.0", "-m", "release", &r.feature],
    );
    let tag = git_ok(&r.origin, &["rev-parse", "v1.0.0"]);
    assert_ne!(tag, r.feature, "an annotated tag's id is the tag object's");
    let ws = clone(r.ws.parent().unwrap(), &r.origin, "tagged", "v1.0.0");
    let ev = payload(&r, "push-tag", &[("AFTER", &tag), ("COMMIT", &r.feature)]);
    let rec = run_bin(&ws, "push", &ev, &[]);
    assert_scanned(
        &rec,
        &format!("{}..{}", r.main, r.feature),
        &[(FEATURE_URI, prefix(NEW))],
        None,
    );

    // A tag on main's tip adds nothing: an empty range, a green job.
    git_ok(&r.origin, &["tag", "v0.9.0", &r.main]);
    let ws = clone(r.ws.parent().unwrap(), &r.origin, "tagged-main", "v0.9.0");
    let ev = payload(&r, "push-tag", &[("AFTER", &r.main), ("COMMIT", &r.main)]);
    let rec = run_bin(&ws, "push", &ev, &[]);
    assert_scanned(&rec, &format!("{}..{}", r.main, r.main), &[], None);
}

#[test]
fn merge_group_scans_the_queued_commits_only() {
    let r = repos();
    git_ok(
        &r.origin,
        &[
            "checkout",
            "-q",
            "-b",
            "gh-readonly-queue/main/pr-7",
            "main",
        ],
    );
    git_ok(
        &r.origin,
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "Merge pull request #7",
            "feature",
        ],
    );
    let head = git_ok(&r.origin, &["rev-parse", "HEAD"]);
    git_ok(&r.origin, &["checkout", "-q", "main"]);
    let ws = clone(
        r.ws.parent().unwrap(),
        &r.origin,
        "queue",
        "gh-readonly-queue/main/pr-7",
    );
    let ev = payload(&r, "merge_group", &[("BASE", &r.main), ("HEAD", &head)]);
    let rec = run_bin(&ws, "merge_group", &ev, &[]);
    assert_scanned(
        &rec,
        &format!("{}..{head}", r.main),
        &[(FEATURE_URI, prefix(NEW))],
        None,
    );
    assert_eq!(rec["outputs"]["category"], "leakhound/merge-group");
    assert!(has_annotation(
        &rec,
        "::notice title=leakhound::A merge-group range is not uploaded"
    ));
}

#[test]
fn pull_request_target_is_refused_unless_opted_in_on_the_head() {
    let r = repos();
    let ev = payload(
        &r,
        "pull_request_target",
        &[("BASE", &r.main), ("HEAD", &r.feature)],
    );

    // Not opted in: a clear refusal, exit 2, nothing written or uploaded.
    let rec = run_bin(&r.ws, "pull_request_target", &ev, &[]);
    assert_eq!(step(&rec, "scan")["exit"], 2, "{}", dump(&rec));
    assert_eq!(rec["status"], "failure");
    assert!(has_annotation(
        &rec,
        "::error title=leakhound::pull_request_target checks out the base branch"
    ));
    assert!(!r.ws.join("leakhound.sarif").exists());
    assert!(!ran(&rec, "upload") && !ran(&rec, "verdict"));

    // Opted in but the checkout is the base (what the event checks out by default).
    let base_ws = clone(r.ws.parent().unwrap(), &r.origin, "base", "main");
    let rec = run_bin(
        &base_ws,
        "pull_request_target",
        &ev,
        &[("allow-pull-request-target", "true")],
    );
    assert_eq!(step(&rec, "scan")["exit"], 2, "{}", dump(&rec));
    assert!(has_annotation(
        &rec,
        &format!("::error title=leakhound::allow-pull-request-target is set but the checkout is not the pull request's head {}", r.feature)
    ));
    assert!(!base_ws.join("leakhound.sarif").exists());

    // Opted in on the head: the range, uploaded against the pull request's head ref.
    let rec = run_bin(
        &r.ws,
        "pull_request_target",
        &ev,
        &[("allow-pull-request-target", "true")],
    );
    assert_scanned(
        &rec,
        &format!("{}..{}", r.main, r.feature),
        &[(FEATURE_URI, prefix(NEW))],
        Some("leakhound/pr"),
    );
    let upload = &step(&rec, "upload")["with"];
    assert_eq!(upload["ref"], "refs/pull/7/head");
    assert_eq!(upload["sha"], r.feature.as_str());
}

#[test]
fn schedule_and_workflow_dispatch_scan_the_whole_history_under_their_own_category() {
    let r = repos();
    let all = [
        ("old.env", prefix(OLD)),
        ("other.env", prefix(OTHER)),
        (FEATURE_URI, prefix(NEW)),
    ];
    let mut want: Vec<(String, String)> = all
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    want.sort();
    for event in ["schedule", "workflow_dispatch"] {
        let ev = payload(&r, event, &[]);
        let rec = run_bin(&r.ws, event, &ev, &[]);
        assert_scanned(&rec, "history", &all, Some("leakhound/history"));
        assert_eq!(sarif_findings(&r.ws), want, "{event}");
    }
    // fail-on never keeps the job green with the same findings uploaded.
    let ev = payload(&r, "schedule", &[]);
    let rec = run_bin(&r.ws, "schedule", &ev, &[("fail-on", "never")]);
    assert_eq!(rec["outputs"]["findings"], "3");
    assert_eq!(rec["status"], "success");
    assert!(
        ran(&rec, "upload") && !ran(&rec, "verdict"),
        "{}",
        dump(&rec)
    );
    // mode scan: the checked-out files, under the files category.
    let rec = run_bin(&r.ws, "schedule", &ev, &[("mode", "scan")]);
    assert_scanned(
        &rec,
        "files",
        &[(FEATURE_URI, prefix(NEW)), ("old.env", prefix(OLD))],
        Some("leakhound/files"),
    );
}

#[test]
fn shallow_checkout_is_an_error_that_names_fetch_depth() {
    let r = repos();
    let url = format!("file://{}", r.origin.display());
    let parent = r.ws.parent().unwrap();
    git_ok(parent, &["clone", "-q", "--depth", "1", &url, "shallow"]);
    let ev = payload(&r, "workflow_dispatch", &[]);
    let rec = run_bin(&parent.join("shallow"), "workflow_dispatch", &ev, &[]);
    assert_eq!(step(&rec, "scan")["exit"], 2);
    assert_eq!(
        annotations(&rec),
        vec!["::error title=leakhound::Shallow checkout: only the last commit is present, so history cannot be scanned. Set 'fetch-depth: 0' on actions/checkout."]
    );
    assert_eq!(rec["outputs"]["sarif-file"], "");
}

#[test]
fn args_split_like_words_without_globbing_and_action_flags_are_refused() {
    let r = repos();
    let ev = payload(
        &r,
        "pull_request",
        &[("BASE", &r.main), ("HEAD", &r.feature)],
    );
    // A quoted path with a space reaches leakhound as one argument.
    std::fs::create_dir(r.ws.join("ci dir")).unwrap();
    std::fs::write(
        r.ws.join("ci dir/leak.toml"),
        "[allowlist]\npaths = [\"cfg*\"]\n",
    )
    .unwrap();
    let rec = run_bin(
        &r.ws,
        "pull_request",
        &ev,
        &[("args", "--config 'ci dir/leak.toml'")],
    );
    assert_scanned(
        &rec,
        &format!("{}..{}", r.main, r.feature),
        &[],
        Some("leakhound/pr"),
    );

    // `*` is not globbed: leakhound is asked for a file literally named `ci*/leak.toml`, and
    // its exit 2 still prints the annotation under -eo pipefail.
    let rec = run_bin(
        &r.ws,
        "pull_request",
        &ev,
        &[("args", "--config ci*/leak.toml")],
    );
    let scan = step(&rec, "scan");
    assert_eq!(scan["exit"], 2, "{}", dump(&rec));
    assert!(
        scan["stderr"].as_str().unwrap().contains("ci*/leak.toml"),
        "{}",
        dump(&rec)
    );
    assert!(
        has_annotation(&rec, "::error title=leakhound::leakhound exited with 2"),
        "{}",
        dump(&rec)
    );
    assert!(!ran(&rec, "upload") && !ran(&rec, "verdict"));

    for (args, message) in [
        (
            "--fail-on high",
            "args: '--fail-on' is set by the action; use the fail-on input",
        ),
        (
            "--format=json",
            "args: '--format=json' is set by the action (SARIF to the sarif-file input); remove it",
        ),
        (
            "-o out.sarif",
            "args: '-o' is set by the action (SARIF to the sarif-file input); remove it",
        ),
        (
            "--sarif-category x",
            "args: '--sarif-category' is set by the action; use the category input",
        ),
        (
            "--since HEAD~1",
            "args: '--since' would change what is scanned",
        ),
        ("--config 'unclosed", "args cannot be split into words"),
    ] {
        let rec = run_bin(&r.ws, "pull_request", &ev, &[("args", args)]);
        assert_eq!(step(&rec, "scan")["exit"], 2, "{args}: {}", dump(&rec));
        assert!(
            has_annotation(&rec, &format!("::error title=leakhound::{message}")),
            "{args}: {}",
            dump(&rec)
        );
    }
}

#[test]
fn a_failed_upload_warns_by_default_and_fails_when_asked() {
    let r = repos();
    let ev = payload(&r, "schedule", &[]);
    let failing = ["--uses-outcome", "upload=failure"];
    let owned = with_bin(&[("fail-on", "never")]);
    let inputs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let rec = run_action(&r.ws, "schedule", &ev, &inputs, &failing);
    assert_eq!(step(&rec, "upload")["outcome"], "failure");
    assert_eq!(step(&rec, "upload")["conclusion"], "success");
    assert_eq!(rec["status"], "success", "{}", dump(&rec));
    assert!(ran(&rec, "upload-failed"));
    assert!(has_annotation(
        &rec,
        "::warning title=leakhound::The SARIF upload failed"
    ));
    assert!(annotations(&rec)
        .iter()
        .any(|a| a.contains("'actions: read'")));

    let mut strict = inputs.clone();
    strict.push(("upload-errors", "fail"));
    let rec = run_action(&r.ws, "schedule", &ev, &strict, &failing);
    assert_eq!(rec["status"], "failure", "{}", dump(&rec));
    assert!(ran(&rec, "upload-failed"), "the hint prints either way");
}

/// A copy of the action with leakhound's build inputs (Cargo.toml, Cargo.lock, src/) as a git
/// checkout of its own, as `uses: ./` or a checked-out action sees it.
pub(crate) fn action_copy(dir: &Path, git: bool) -> PathBuf {
    let a = dir.join("action");
    std::fs::create_dir_all(a.join("src")).unwrap();
    std::fs::copy(repo().join("action.yml"), a.join("action.yml")).unwrap();
    std::fs::copy(repo().join("Cargo.lock"), a.join("Cargo.lock")).unwrap();
    std::fs::copy(repo().join("Cargo.toml"), a.join("Cargo.toml")).unwrap();
    std::fs::write(a.join("src/main.rs"), "fn main() {}\n").unwrap();
    if git {
        git_ok(&a, &["init", "-q", "-b", "main"]);
        git_ok(&a, &["add", "."]);
        git_ok(&a, &["commit", "-q", "-m", "action"]);
    }
    a
}

/// A `cargo` that records its arguments and "installs" the binary under test to `--root`.
pub(crate) fn fake_cargo(dir: &Path) -> PathBuf {
    let bin_dir = dir.join("fake-bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    let script = format!(
        "#!/bin/bash\nset -e\necho \"$*\" >> {log}\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\n\
         mkdir -p \"$root/bin\"\ncp {bin} \"$root/bin/leakhound\"\n",
        log = dir.join("cargo.log").display(),
        bin = bin().display()
    );
    let p = bin_dir.join("cargo");
    std::fs::write(&p, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin_dir
}

fn sha256_16(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    stdout(&out)[..16].to_string()
}

#[test]
fn the_build_is_cached_by_commit_lockfile_os_arch_and_image_and_saved_before_the_verdict() {
    let r = repos();
    let dir = r.ws.parent().unwrap();
    let action = action_copy(dir, true);
    let commit = git_ok(&action, &["rev-parse", "HEAD"]);
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let path = format!(
        "{}:{}",
        fake_cargo(dir).display(),
        std::env::var("PATH").unwrap()
    );
    let env = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = [
            format!("HOME={}", home.display()),
            format!("PATH={path}"),
            "ImageOS=ubuntu24".into(),
            "ImageVersion=20250120.1".into(),
        ]
        .iter()
        .flat_map(|e| ["--env".to_string(), e.clone()])
        .collect();
        v.extend(extra.iter().map(std::string::ToString::to_string));
        v
    };
    let ev = payload(
        &r,
        "pull_request",
        &[("BASE", &r.main), ("HEAD", &r.feature)],
    );
    let key = format!(
        "leakhound-Linux-X64-ubuntu24-20250120.1-{commit}-{}",
        sha256_16(&action.join("Cargo.lock"))
    );

    // A miss: restore, build, save (before the verdict fails the job), scan with the build.
    let args = env(&[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let rec = run_action_yml(
        &action.join("action.yml"),
        &r.ws,
        "pull_request",
        &ev,
        &[],
        &args,
    );
    assert_eq!(
        step(&rec, "key")["outputs"]["key"],
        key.as_str(),
        "{}",
        dump(&rec)
    );
    assert_eq!(step(&rec, "cache")["with"]["key"], key.as_str());
    assert_eq!(step(&rec, "cache")["uses"], "actions/cache/restore@v5");
    assert_eq!(step(&rec, "build")["exit"], 0, "{}", dump(&rec));
    assert_eq!(step(&rec, "save")["uses"], "actions/cache/save@v5");
    assert_eq!(step(&rec, "save")["with"]["key"], key.as_str());
    assert_eq!(
        step(&rec, "save")["with"]["path"],
        step(&rec, "cache")["with"]["path"]
    );
    assert!(ran(&rec, "save"));
    assert_eq!(rec["outputs"]["findings"], "1");
    assert_eq!(
        rec["status"], "failure",
        "the job fails on findings, after the save"
    );
    let log = std::fs::read_to_string(dir.join("cargo.log")).unwrap();
    assert_eq!(
        log,
        format!(
            "install --locked --force --quiet --root {}/.leakhound --path {}\n",
            home.display(),
            action.display()
        )
    );

    // A hit: no build, no save, the restored binary scans.
    let args = env(&["--uses-output", "cache.cache-hit=true"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let rec = run_action_yml(
        &action.join("action.yml"),
        &r.ws,
        "pull_request",
        &ev,
        &[],
        &args,
    );
    assert!(!ran(&rec, "build") && !ran(&rec, "save"), "{}", dump(&rec));
    assert_eq!(rec["outputs"]["findings"], "1");
    assert_eq!(
        std::fs::read_to_string(dir.join("cargo.log"))
            .unwrap()
            .lines()
            .count(),
        1
    );

    // Another architecture or image is another key.
    let args = env(&["--env", "RUNNER_ARCH=ARM64", "--env", "ImageOS=ubuntu22"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let rec = run_action_yml(
        &action.join("action.yml"),
        &r.ws,
        "pull_request",
        &ev,
        &[],
        &args,
    );
    let other = step(&rec, "key")["outputs"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        other.starts_with("leakhound-Linux-ARM64-ubuntu22-20250120.1-"),
        "{other}"
    );

    // Not a git checkout (a downloaded action): the sources' hash names the build, and a
    // changed Cargo.lock changes it.
    let plain_dir = dir.join("plain");
    let plain = action_copy(&plain_dir, false);
    let args = env(&[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let key_of = |a: &Path| {
        let rec = run_action_yml(
            &a.join("action.yml"),
            &r.ws,
            "pull_request",
            &ev,
            &[],
            &args,
        );
        step(&rec, "key")["outputs"]["key"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = key_of(&plain);
    assert!(
        first.starts_with("leakhound-Linux-X64-ubuntu24-20250120.1-src-"),
        "{first}"
    );
    assert_eq!(first, key_of(&plain), "the same sources give the same key");
    std::fs::write(plain.join("Cargo.lock"), "# changed\n").unwrap();
    let changed = key_of(&plain);
    assert_ne!(first, changed);
    assert!(
        changed.ends_with(&sha256_16(&plain.join("Cargo.lock"))),
        "{changed}"
    );
}

#[test]
fn the_step_runner_reads_multiline_outputs_and_evaluates_conditions_as_github_does() {
    // The runner itself: a small action whose steps exercise the forms action.yml relies on.
    let dir = tempfile::tempdir().unwrap();
    let action = dir.path().join("action.yml");
    std::fs::write(
        &action,
        r#"name: t
description: t
inputs:
  flag:
    description: d
    default: "yes"
runs:
  using: composite
  steps:
    - id: a
      shell: bash
      env:
        FLAG: ${{ inputs.flag }}-${{ github.event_name }}
      run: |
        printf 'one=%s\n' "$FLAG" >> "$GITHUB_OUTPUT"
        printf 'many<<END\nline 1\nline=2\nEND\n' >> "$GITHUB_OUTPUT"
    - id: fails
      if: steps.a.outputs.one == 'YES-push' && !(inputs.flag != 'yes')
      shell: bash
      run: |
        false
        echo "not reached under -e"
    - id: skipped
      shell: bash
      run: echo never
    - id: after-failure
      if: failure() && steps.fails.outcome == 'failure'
      shell: bash
      run: echo "::notice::cleanup"
    - id: upload
      if: always()
      uses: some/action@v1
      with:
        value: ${{ steps.a.outputs.many }}
"#,
    )
    .unwrap();
    let ev = dir.path().join("event.json");
    std::fs::write(&ev, "{}").unwrap();
    let rec = run_action_yml(&action, dir.path(), "push", &ev, &[], &[]);
    assert_eq!(step(&rec, "a")["outputs"]["one"], "yes-push");
    assert_eq!(step(&rec, "a")["outputs"]["many"], "line 1\nline=2");
    assert_eq!(step(&rec, "fails")["exit"], 1);
    assert_eq!(step(&rec, "fails")["stdout"], "");
    assert!(!ran(&rec, "skipped"));
    assert!(ran(&rec, "after-failure"));
    assert_eq!(annotations(&rec), vec!["::notice::cleanup"]);
    assert_eq!(step(&rec, "upload")["with"]["value"], "line 1\nline=2");
    assert_eq!(rec["status"], "failure");
}

#[test]
fn version_builds_the_named_tag_of_the_actions_repository() {
    let r = repos();
    let dir = r.ws.parent().unwrap();
    // The action's repository as a "server" (file://, so nothing leaves the machine), with
    // a release tag and a later commit the tag must not pick up.
    let server = dir.join("server");
    let upstream = action_copy(&server.join("octo"), true);
    std::fs::rename(&upstream, server.join("leakhound")).unwrap();
    let upstream = server.join("leakhound");
    git_ok(&upstream, &["tag", "-a", "v9.9.9", "-m", "release"]);
    let tagged = git_ok(&upstream, &["rev-parse", "HEAD"]);
    commit_file(&upstream, "later.txt", "later\n", "later");
    let action = action_copy(dir, false);
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let path = format!(
        "{}:{}",
        fake_cargo(dir).display(),
        std::env::var("PATH").unwrap()
    );
    let ev = payload(
        &r,
        "pull_request",
        &[("BASE", &r.main), ("HEAD", &r.feature)],
    );
    let extra = [
        "--env".to_string(),
        format!("HOME={}", home.display()),
        "--env".to_string(),
        format!("PATH={path}"),
        "--env".to_string(),
        format!("GITHUB_SERVER_URL=file://{}", server.display()),
        "--github".to_string(),
        "action_repository=leakhound".to_string(),
    ];
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let run = |version: &str| {
        run_action_yml(
            &action.join("action.yml"),
            &r.ws,
            "pull_request",
            &ev,
            &[("version", version)],
            &extra,
        )
    };

    let rec = run("v9.9.9");
    let key = step(&rec, "key");
    assert_eq!(key["exit"], 0, "{}", dump(&rec));
    let src = key["outputs"]["src"].as_str().unwrap().to_string();
    assert!(src.ends_with("/leakhound-src"), "{src}");
    assert!(
        key["outputs"]["key"]
            .as_str()
            .unwrap()
            .contains(&format!("-{tagged}-")),
        "{}",
        dump(&rec)
    );
    let log = std::fs::read_to_string(dir.join("cargo.log")).unwrap();
    assert_eq!(
        log,
        format!(
            "install --locked --force --quiet --root {}/.leakhound --path {src}\n",
            home.display()
        )
    );
    assert_eq!(rec["outputs"]["findings"], "1");

    let rec = run("v0.0.404");
    assert_eq!(step(&rec, "key")["exit"], 2, "{}", dump(&rec));
    assert_eq!(
        annotations(&rec),
        vec!["::error title=leakhound::version 'v0.0.404' is not a tag, branch or commit of leakhound"]
    );
    assert!(!ran(&rec, "build") && !ran(&rec, "scan"), "{}", dump(&rec));
    assert_eq!(rec["status"], "failure");
}
