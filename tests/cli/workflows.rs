//! The CI, release and org-audit workflows and the Dockerfile, linted offline: actionlint
//! (expressions, contexts, permissions, the inputs of every action used and their runtimes),
//! shellcheck (the org audit's scripts) and hadolint. `tests/run` installs them on Linux
//! x86_64, where `.ci/run` runs; their wheels exist for no other system, and the files they
//! check are the same everywhere.

use crate::helpers::*;
use std::path::Path;
use std::process::{Command, Output};

const WORKFLOWS: &[&str] = &[
    ".github/workflows/ci.yml",
    ".github/workflows/release.yml",
    ".github/workflows/org-audit.yml",
];

/// The org audit's shell steps, which run what the organisation's API returns.
const SCRIPTS: &[&str] = &[
    ".github/scripts/org-audit/plan.sh",
    ".github/scripts/org-audit/scan-batch.sh",
    ".github/scripts/org-audit/report.sh",
];

fn linters_installed() -> bool {
    let here = cfg!(all(target_os = "linux", target_arch = "x86_64"));
    if !here {
        eprintln!("skipped: actionlint and hadolint are installed on Linux x86_64 only");
    }
    here
}

/// actionlint without its shellcheck and pyflakes passes, which depend on what else is on
/// PATH: the same verdict on every machine.
fn actionlint(files: &[&Path]) -> Output {
    Command::new(tool("actionlint"))
        .args(["-oneline", "-no-color", "-shellcheck=", "-pyflakes="])
        .args(files)
        .current_dir(repo())
        .output()
        .expect("actionlint runs")
}

#[test]
fn workflows_pass_actionlint() {
    if !linters_installed() {
        return;
    }
    let files: Vec<&Path> = WORKFLOWS.iter().map(Path::new).collect();
    let out = actionlint(&files);
    assert_eq!(stdout(&out), "", "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn org_audit_scripts_pass_shellcheck() {
    if !linters_installed() {
        return;
    }
    let out = Command::new(tool("shellcheck"))
        .args(["--shell=bash", "--severity=style"])
        .args(SCRIPTS)
        .current_dir(repo())
        .output()
        .expect("shellcheck runs");
    assert_eq!(stdout(&out), "", "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// The linter is live: a workflow with a typo in a context and an action on a retired
/// runtime is rejected, each at its line.
#[test]
fn actionlint_rejects_a_broken_workflow() {
    if !linters_installed() {
        return;
    }
    let dir = tree(&[(
        ".github/workflows/bad.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      \
         - uses: actions/checkout@v4\n      - run: echo ${{ github.shaa }}\n",
    )]);
    let out = actionlint(&[&dir.path().join(".github/workflows/bad.yml")]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            l.rsplit_once("bad.yml:")
                .map_or(l, |(_, rest)| rest)
                .to_string()
        })
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("6:15: runtime \"node20\" is deprecated"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("7:23: property \"shaa\" is not defined in object type"),
        "{lines:?}"
    );
}

#[test]
fn dockerfile_passes_hadolint_and_a_bad_one_does_not() {
    if !linters_installed() {
        return;
    }
    let out = Command::new(tool("hadolint"))
        .arg("Dockerfile")
        .current_dir(repo())
        .output()
        .expect("hadolint runs");
    assert_eq!(stdout(&out), "", "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(0));

    let dir = tree(&[("Dockerfile", "FROM alpine\nRUN cd /src && make\n")]);
    let out = Command::new(tool("hadolint"))
        .args(["--no-color", "Dockerfile"])
        .current_dir(dir.path())
        .output()
        .expect("hadolint runs");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "Dockerfile:1 DL3006 warning: Always tag the version of an image explicitly\n\
         Dockerfile:2 DL3003 warning: Use WORKDIR to switch to a directory\n"
    );
}

/// The image the README documents: static, unprivileged, starting in the mounted /src.
#[test]
fn the_image_is_static_unprivileged_and_starts_in_src() {
    let text = std::fs::read_to_string(repo().join("Dockerfile")).unwrap();
    let stages: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(stages, ["FROM rust:1-alpine AS build", "FROM scratch"]);
    let last = &text[text.rfind("FROM scratch").unwrap()..];
    for line in [
        "USER 65532:65532",
        "WORKDIR /src",
        "ENTRYPOINT [\"leakhound\"]",
    ] {
        assert!(last.lines().any(|l| l == line), "no {line} in the image");
    }
}
