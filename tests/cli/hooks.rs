//! Commit hooks: `leakhound install-hook` and the pre-commit framework's `try-repo` against
//! this repository's `.pre-commit-hooks.yaml`, each on a temporary repository with a staged
//! secret (blocked) and without one (passes).

use crate::helpers::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const SECRET: &str = "4f9a8c7e2b1d6f3a0e5c9b8a7d6e5f4c";

fn repo_with_staged_secret() -> tempfile::TempDir {
    let dir = tree(&[("README.md", "hello\n")]);
    git_ok(dir.path(), &["init", "-q", "-b", "main"]);
    git_ok(dir.path(), &["add", "."]);
    git_ok(dir.path(), &["commit", "-q", "-m", "init"]);
    std::fs::write(
        dir.path().join("app.env"),
        format!("PORT=8080\nJWT_SECRET={SECRET}\n"),
    )
    .unwrap();
    git_ok(dir.path(), &["add", "app.env"]);
    dir
}

fn accept_secret(dir: &Path) {
    std::fs::write(
        dir.join("app.env"),
        format!("PORT=8080\nJWT_SECRET={SECRET} # leakhound:allow (test key, reviewed)\n"),
    )
    .unwrap();
    git_ok(dir, &["add", "app.env"]);
}

fn assert_blocked_message(out: &str) {
    assert!(out.contains("app.env"), "{out}");
    assert!(
        out.contains("2:12") && out.contains("jwt.hmac-key.config"),
        "{out}"
    );
    assert!(
        out.contains("leakhound:allow"),
        "names how to accept: {out}"
    );
    assert!(!out.contains(SECRET), "never prints the secret: {out}");
}

#[test]
fn install_hook_blocks_a_commit_until_the_secret_is_accepted() {
    let dir = repo_with_staged_secret();
    let p = dir.path().to_str().unwrap();
    let out = run(&["install-hook", p]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let hook = dir.path().join(".git/hooks/pre-commit");
    let again = run(&["install-hook", p]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("a pre-commit hook already exists; --force replaces it"));
    assert_eq!(run(&["install-hook", p, "--force"]).status.code(), Some(0));
    assert!(std::fs::read_to_string(&hook)
        .unwrap()
        .contains("git --staged"));

    let commit = git_command(dir.path())
        .args(["commit", "-m", "add config"])
        .output()
        .unwrap();
    assert!(!commit.status.success(), "the hook blocks the commit");
    assert_blocked_message(&(stdout(&commit) + &stderr(&commit)));

    accept_secret(dir.path());
    let commit = git_command(dir.path())
        .args(["commit", "-q", "-m", "add config"])
        .output()
        .unwrap();
    assert!(commit.status.success(), "{}", stderr(&commit));
}

/// The cargo target directory this test binary was built in.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

/// A target directory for pre-commit's `cargo install`, seeded with hard links to this
/// build's dependencies so only leakhound itself compiles, and never the binary the other
/// tests are running.
fn seeded_target(scratch: &Path) -> PathBuf {
    let seeded = scratch.join("target");
    std::fs::create_dir_all(&seeded).unwrap();
    let status = Command::new("cp")
        .args(["-al"])
        .arg(target_dir().join("release"))
        .arg(&seeded)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::remove_file(seeded.join("release/leakhound")).ok();
    seeded
}

fn try_repo(dir: &Path, home: &Path, target: &Path) -> std::process::Output {
    Command::new("pre-commit")
        .args([
            "try-repo",
            repo().to_str().unwrap(),
            "leakhound",
            "--verbose",
        ])
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", home)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_NET_OFFLINE", "true")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("pre-commit runs (pip install pre-commit; .ci/run does)")
}

#[test]
fn pre_commit_try_repo_blocks_a_staged_secret() {
    let scratch = tempfile::tempdir().unwrap();
    let target = seeded_target(scratch.path());
    let home = scratch.path().join("pre-commit-home");
    let dir = repo_with_staged_secret();
    let out = try_repo(dir.path(), &home, &target);
    let text = stdout(&out) + &stderr(&out);
    assert!(!out.status.success(), "blocked: {text}");
    assert!(
        text.contains("leakhound (secrets in staged changes)"),
        "{text}"
    );
    assert_blocked_message(&text);

    accept_secret(dir.path());
    let out = try_repo(dir.path(), &home, &target);
    let text = stdout(&out) + &stderr(&out);
    assert!(out.status.success(), "passes once accepted: {text}");
}
