//! Snapshots of what people and tools read: the rule list, and the text and SARIF reports of
//! `fixtures/demo`, so any change to them is a diff someone reviews.

use crate::helpers::*;
use serde_json::Value;

/// 2025-12-01, so token expiry in the demo reads the same whatever the date.
const NOW: &str = "1764547200";

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

#[test]
fn rules_list() {
    let out = run(&["rules", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    settings().bind(|| insta::assert_snapshot!("rules_list", stdout(&out)));
}

/// The summary line ends in `; 0.08s`, the run's wall time: the one part of the report that
/// differs between two runs of the same scan.
fn without_elapsed(text: &str) -> String {
    let elapsed = regex::Regex::new(r"; [0-9]+\.[0-9]{2}s\n\z").expect("regex compiles");
    assert!(
        elapsed.is_match(text),
        "no elapsed time at the end of:\n{text}"
    );
    elapsed.replace(text, "; <elapsed>\n").into_owned()
}

#[test]
fn text_report_of_the_demo() {
    let out = run(&["scan", "fixtures/demo", &format!("--now={NOW}")]);
    // Exit 1: findings at or above the default failing severity.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    let text = without_elapsed(&stdout(&out));
    settings().bind(|| insta::assert_snapshot!("text_report_demo", text));
}

/// Replaces the tool's version, which changes with every release rather than with what the
/// report says, after checking it is this build's.
fn without_version(doc: &mut Value) {
    let driver = &mut doc["runs"][0]["tool"]["driver"];
    for key in ["version", "semanticVersion"] {
        assert_eq!(driver[key], env!("CARGO_PKG_VERSION"), "{key}");
        driver[key] = Value::from("<version>");
    }
}

/// Every string in `v`, for checks that no absolute path leaked into the document.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings(x, out);
        }),
        _ => {}
    }
}

#[test]
fn sarif_report_of_the_demo() {
    let out = run(&[
        "scan",
        "fixtures/demo",
        "--format",
        "sarif",
        &format!("--now={NOW}"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let mut doc: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    // URIs are relative to %SRCROOT%: the machine's checkout path must appear nowhere, or the
    // snapshot would hold it.
    let root = repo().to_string_lossy().into_owned();
    let mut all = Vec::new();
    strings(&doc, &mut all);
    assert_eq!(all.iter().filter(|s| s.contains(&root)).count(), 0);
    without_version(&mut doc);
    settings().bind(|| insta::assert_json_snapshot!("sarif_report_demo", doc));
}
