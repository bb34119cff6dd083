//! Hostile inputs at the edges of the CLI (issue 10): baselines, size flags, closed pipes,
//! ignore files above the scan root, control characters in names.

use crate::helpers::*;
use std::process::{Command, Stdio};

const TOKEN: &str = "ghp_R8xYq2mZkT4vWn6pLs9dHj3fGb7cQa1eUo5i";

fn baseline_with(entry: &str) -> tempfile::TempDir {
    let dir = tree(&[(SIBLING.0, SIBLING.1)]);
    std::fs::write(
        dir.path().join("baseline.json"),
        format!("{{\"version\": 1, \"entries\": [{entry}]}}"),
    )
    .unwrap();
    dir
}

#[test]
fn baseline_with_a_non_ascii_fingerprint_is_a_clear_error_not_a_panic() {
    let dir = baseline_with(
        r#"{"rule": "github.token", "path": "x.js", "fingerprint": "ééééééééééééé"}"#,
    );
    let out = run_in(
        dir.path(),
        &[
            "scan",
            ".",
            "--baseline",
            "baseline.json",
            "--baseline-report",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("baseline.json: entry 1: fingerprint") && err.contains("not 64 hex digits"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn baseline_with_control_characters_in_a_rule_is_refused() {
    let fp = "a".repeat(64);
    let dir = baseline_with(&format!(
        r#"{{"rule": "x\u001b[2J", "path": "x.js", "fingerprint": "{fp}"}}"#
    ));
    let out = run_in(dir.path(), &["scan", ".", "--baseline", "baseline.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(r"rule 'x\x1b[2J' is empty or holds control characters"),
        "{err}"
    );
    assert!(
        !err.contains('\x1b'),
        "raw escape reached the terminal: {err:?}"
    );
}

#[test]
fn max_file_size_at_u64_max_does_not_overflow() {
    let dir = tree(&[(SIBLING.0, SIBLING.1)]);
    let (doc, out) = scan_json(dir.path(), &["--max-file-size", "18446744073709551615"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        triples(&doc),
        vec![("github.token".to_string(), "sibling.js".to_string(), 1)]
    );
}

/// Runs `leakhound ARGS` in `cwd` with a standard output whose reader has already gone.
fn run_with_closed_stdout(cwd: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn closed_stdout_ends_quietly_with_the_findings_exit_code() {
    let dir = tree(&[(SIBLING.0, SIBLING.1)]);
    let out = run_with_closed_stdout(dir.path(), &["scan", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "");
}

#[test]
fn closed_stdout_ends_rules_list_quietly() {
    let out = run_with_closed_stdout(&repo(), &["rules", "list"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
}

/// A dotfiles-managed home directory often has a `.gitignore` of `*`: it must not empty a
/// scan of a project below it, inside a repository or not.
#[test]
fn gitignore_above_the_scan_root_is_not_applied() {
    let home = tree(&[
        (".gitignore", "*\n"),
        ("proj/src/app.js", SIBLING.1),
        ("repo/src/app.js", SIBLING.1),
    ]);
    git_ok(&home.path().join("repo"), &["init", "-q"]);
    for sub in ["proj", "repo"] {
        let (doc, out) = scan_json(&home.path().join(sub), &[]);
        assert_eq!(
            triples(&doc),
            vec![("github.token".to_string(), "src/app.js".to_string(), 1)],
            "{sub}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn gitignore_inside_a_repository_applies_and_the_summary_counts_it() {
    let dir = tree(&[
        (".gitignore", "dist/\n"),
        ("dist/bundle.js", SIBLING.1),
        ("dist/other.js", SIBLING.1),
        ("src/app.js", SIBLING.1),
    ]);
    git_ok(dir.path(), &["init", "-q"]);
    let (doc, _) = scan_json(dir.path(), &[]);
    assert_eq!(
        triples(&doc),
        vec![("github.token".to_string(), "src/app.js".to_string(), 1)]
    );
    assert_eq!(doc["summary"]["ignored"], 2);
    let out = run_in(dir.path(), &["scan", "."]);
    assert!(
        stdout(&out)
            .contains("skipped 0 binary, 0 too large, 2 by ignore rules (--no-ignore scans them)"),
        "{}",
        stdout(&out)
    );
    let (doc, _) = scan_json(dir.path(), &["--no-ignore"]);
    assert_eq!(triples(&doc).len(), 3);
    assert_eq!(doc["summary"]["ignored"], 0);
}

#[test]
fn gitignore_outside_a_repository_is_not_applied_but_leakhoundignore_is() {
    let dir = tree(&[
        (".gitignore", "a.js\n"),
        (".leakhoundignore", "b.js\n"),
        ("a.js", SIBLING.1),
        ("b.js", SIBLING.1),
    ]);
    let (doc, _) = scan_json(dir.path(), &[]);
    assert_eq!(
        triples(&doc),
        vec![("github.token".to_string(), "a.js".to_string(), 1)]
    );
    assert_eq!(doc["summary"]["ignored"], 1);
}

#[test]
fn control_characters_in_a_file_name_are_escaped_in_text_output() {
    let name = "evil\x1b[2J\u{202e}.js";
    let dir = tree(&[(name, SIBLING.1)]);
    let out = run_in(dir.path(), &["scan", "."]);
    let text = stdout(&out);
    assert!(
        !text.contains('\x1b') && !text.contains('\u{202e}'),
        "{text:?}"
    );
    assert!(text.contains("evil\\x1b[2J\\u{202e}.js"), "{text}");
    assert!(!text.contains(TOKEN), "redacted: {text}");
}

/// Counting covers only the subtrees ignore files bind, so a `.ignore` deep in a tree is
/// counted exactly, and so is a nested repository's `.gitignore`.
#[test]
fn ignore_files_in_subdirectories_are_counted_where_they_bind() {
    let dir = tree(&[
        ("vendor/lib/.ignore", "gen/\n"),
        ("vendor/lib/gen/a.js", SIBLING.1),
        ("vendor/lib/gen/b.js", SIBLING.1),
        ("vendor/lib/ok.js", SIBLING.1),
        ("nested/.gitignore", "out.js\n"),
        ("nested/out.js", SIBLING.1),
        ("plain/.gitignore", "kept.js\n"),
        ("plain/kept.js", SIBLING.1),
    ]);
    git_ok(&dir.path().join("nested"), &["init", "-q"]);
    let (doc, _) = scan_json(dir.path(), &[]);
    let paths: Vec<String> = triples(&doc).into_iter().map(|t| t.1).collect();
    assert_eq!(paths, vec!["plain/kept.js", "vendor/lib/ok.js"]);
    assert_eq!(doc["summary"]["ignored"], 3);
}
