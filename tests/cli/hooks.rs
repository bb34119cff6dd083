//! Commit hooks: `leakhound install-hook` and the pre-commit framework against this
//! repository's `.pre-commit-hooks.yaml`, each on a temporary repository committed to with
//! real `git commit` forms: `-am`, `PATH`, `--amend`, in a linked work tree, with
//! `core.hooksPath` and with alternates. A secret is blocked; once accepted it passes.

use crate::helpers::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SECRET: &str = "4f9a8c7e2b1d6f3a0e5c9b8a7d6e5f4c";

/// A repository whose one commit holds `README.md` and an `app.env` without a secret.
pub(crate) fn repo_with_config() -> tempfile::TempDir {
    let dir = tree(&[("README.md", "hello\n"), ("app.env", "PORT=8080\n")]);
    git_ok(dir.path(), &["init", "-q", "-b", "main"]);
    git_ok(dir.path(), &["add", "."]);
    git_ok(dir.path(), &["commit", "-q", "-m", "init"]);
    dir
}

/// Puts the secret on line 2 of `app.env` in the working tree (not staged).
pub(crate) fn write_secret(dir: &Path) {
    std::fs::write(
        dir.join("app.env"),
        format!("PORT=8080\nJWT_SECRET={SECRET}\n"),
    )
    .unwrap();
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

fn git_run(dir: &Path, args: &[&str]) -> Output {
    git_command(dir).args(args).output().unwrap()
}

/// Runs `git ARGS` (a commit) in `dir` and asserts the hook refused it and HEAD stayed.
fn assert_commit_blocked(dir: &Path, args: &[&str]) {
    let before = git_ok(dir, &["rev-parse", "HEAD"]);
    let out = git_run(dir, args);
    let text = stdout(&out) + &stderr(&out);
    assert!(
        !out.status.success(),
        "git {args:?} was not blocked: {text}"
    );
    assert_blocked_message(&text);
    assert_eq!(git_ok(dir, &["rev-parse", "HEAD"]), before, "git {args:?}");
}

fn install_hook(repo: &Path) {
    let out = run(&["install-hook", repo.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn install_hook_blocks_a_commit_until_the_secret_is_accepted() {
    let dir = repo_with_config();
    write_secret(dir.path());
    git_ok(dir.path(), &["add", "app.env"]);
    let p = dir.path().to_str().unwrap();
    install_hook(dir.path());
    let hook = dir.path().join(".git/hooks/pre-commit");
    let again = run(&["install-hook", p]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("a pre-commit hook already exists; --force replaces it"));
    assert_eq!(run(&["install-hook", p, "--force"]).status.code(), Some(0));
    assert!(std::fs::read_to_string(&hook)
        .unwrap()
        .contains("git --staged"));

    assert_commit_blocked(dir.path(), &["commit", "-m", "add config"]);
    accept_secret(dir.path());
    let commit = git_run(dir.path(), &["commit", "-q", "-m", "add config"]);
    assert!(commit.status.success(), "{}", stderr(&commit));
}

/// git hands hooks a temporary index (`GIT_INDEX_FILE`) for `commit -a` and `commit PATH`;
/// the secret is only there, not in `.git/index`.
#[test]
fn install_hook_blocks_commit_am_commit_path_and_amend() {
    let dir = repo_with_config();
    install_hook(dir.path());
    write_secret(dir.path());
    assert_commit_blocked(dir.path(), &["commit", "-am", "all tracked"]);
    assert_commit_blocked(dir.path(), &["commit", "-m", "one path", "app.env"]);
    assert_commit_blocked(dir.path(), &["commit", "-m", "one path", "--", "."]);
    git_ok(dir.path(), &["add", "app.env"]);
    assert_commit_blocked(dir.path(), &["commit", "--amend", "-m", "amended"]);
    accept_secret(dir.path());
    let out = git_run(dir.path(), &["commit", "-qam", "accepted"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn install_hook_in_a_linked_worktree_protects_both() {
    let dir = repo_with_config();
    let scratch = tempfile::tempdir().unwrap();
    let wt = scratch.path().join("wt");
    git_ok(
        dir.path(),
        &["worktree", "add", "-q", "-b", "side", wt.to_str().unwrap()],
    );
    // Installed from the linked work tree, the hook goes where git looks for it: the
    // common directory's hooks.
    install_hook(&wt);
    assert!(dir.path().join(".git/hooks/pre-commit").exists());
    write_secret(&wt);
    assert_commit_blocked(&wt, &["commit", "-am", "in the worktree"]);
    write_secret(dir.path());
    assert_commit_blocked(dir.path(), &["commit", "-am", "in the main tree"]);
    // A clean commit in the linked work tree passes (its own HEAD and index are read).
    std::fs::write(wt.join("app.env"), "PORT=9090\n").unwrap();
    let out = git_run(&wt, &["commit", "-qam", "clean"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn install_hook_honours_core_hooks_path() {
    let dir = repo_with_config();
    git_ok(dir.path(), &["config", "core.hooksPath", ".githooks"]);
    install_hook(dir.path());
    assert!(dir.path().join(".githooks/pre-commit").exists());
    assert!(!dir.path().join(".git/hooks/pre-commit").exists());
    write_secret(dir.path());
    assert_commit_blocked(dir.path(), &["commit", "-am", "x"]);
}

/// A `clone --shared` reads HEAD's objects through `objects/info/alternates`.
#[test]
fn install_hook_in_a_clone_with_alternates() {
    let src = repo_with_config();
    let scratch = tempfile::tempdir().unwrap();
    let clone = scratch.path().join("clone");
    git_ok(
        scratch.path(),
        &[
            "clone",
            "-q",
            "--shared",
            src.path().to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    assert!(clone.join(".git/objects/info/alternates").exists());
    install_hook(&clone);
    write_secret(&clone);
    let out = git_run(&clone, &["commit", "-am", "x"]);
    let text = stdout(&out) + &stderr(&out);
    assert!(!out.status.success(), "{text}");
    assert_blocked_message(&text);
    assert!(
        !text.contains("leakhound: error") && text.contains(" 0 errors"),
        "HEAD's objects are read: {text}"
    );
}

/// A target directory for pre-commit's `cargo install`, seeded with this build's compiled
/// dependencies so only leakhound itself compiles, and never the binary the other tests are
/// running. Hard links where the file system allows, else a plain copy (across file systems,
/// e.g. a tmpfs `TMPDIR`).
fn seeded_target(scratch: &Path) -> PathBuf {
    let seeded = scratch.join("target");
    std::fs::create_dir_all(&seeded).unwrap();
    let release = target_dir().join("release");
    let copy = |flags: &str| {
        Command::new("cp")
            .arg(flags)
            .arg(&release)
            .arg(&seeded)
            .status()
            .is_ok_and(|s| s.success())
    };
    if !copy("-al") {
        std::fs::remove_dir_all(seeded.join("release")).ok();
        assert!(copy("-a"), "cannot copy {}", release.display());
    }
    std::fs::remove_file(seeded.join("release/leakhound")).ok();
    seeded
}

/// This work tree's files (committed or not) as a one-commit repository, as pre-commit's
/// `repo:`/`rev:` needs, so the hooks under test are the ones on disk. Returns its commit.
fn snapshot_of_this_repo(dest: &Path) -> String {
    let files = git_ok(&repo(), &["ls-files", "-co", "--exclude-standard", "-z"]);
    for rel in files.split('\0').filter(|f| !f.is_empty()) {
        let from = repo().join(rel);
        if !from.is_file() {
            continue; // deleted in the work tree
        }
        let to = dest.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    git_ok(dest, &["init", "-q", "-b", "main"]);
    git_ok(dest, &["add", "-A"]);
    git_ok(dest, &["commit", "-q", "-m", "snapshot"]);
    git_ok(dest, &["rev-parse", "HEAD"])
}

/// The environment pre-commit (and the cargo build and git it runs) gets in these tests.
pub(crate) struct PreCommit {
    pub(crate) home: PathBuf,
    pub(crate) target: PathBuf,
}

impl PreCommit {
    /// `program` in `dir` with the tests' git isolation and this build's cargo set-up.
    pub(crate) fn command(&self, program: &Path, dir: &Path) -> Command {
        let mut c = Command::new(program);
        c.current_dir(dir);
        for (k, v) in git_command(dir).get_envs() {
            if let Some(v) = v {
                c.env(k, v);
            }
        }
        c.env("PRE_COMMIT_HOME", &self.home)
            .env("CARGO_TARGET_DIR", &self.target)
            .env("CARGO_NET_OFFLINE", "true");
        c
    }

    pub(crate) fn run(&self, dir: &Path, args: &[&str]) -> Output {
        let mut c = self.command(&tool("pre-commit"), dir);
        c.args(args).output().expect("pre-commit runs")
    }

    fn git(&self, dir: &Path, args: &[&str]) -> Output {
        let mut c = self.command(Path::new("git"), dir);
        c.args(args).output().expect("git runs")
    }
}

/// Both hook ids through pre-commit itself, with one build of leakhound: `git commit -am`
/// through the installed hook, `run --all-files` with `leakhound-ci`, and a
/// `--from-ref/--to-ref` run (as pre-push does).
#[test]
fn pre_commit_blocks_commit_am_and_fails_all_files_on_a_secret_in_head() {
    let scratch = tempfile::tempdir().unwrap();
    let pc = PreCommit {
        home: scratch.path().join("pre-commit-home"),
        target: seeded_target(scratch.path()),
    };
    let hooks_repo = scratch.path().join("hooks-repo");
    let rev = snapshot_of_this_repo(&hooks_repo);
    let dir = repo_with_config();
    std::fs::write(
        dir.path().join(".pre-commit-config.yaml"),
        format!(
            "repos:\n- repo: {}\n  rev: {rev}\n  hooks:\n  - id: leakhound\n  - id: leakhound-ci\n",
            hooks_repo.display()
        ),
    )
    .unwrap();
    git_ok(dir.path(), &["add", ".pre-commit-config.yaml"]);
    git_ok(dir.path(), &["commit", "-q", "-m", "hooks"]);
    let out = pc.run(dir.path(), &["install"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));

    write_secret(dir.path());
    let before = git_ok(dir.path(), &["rev-parse", "HEAD"]);
    let out = pc.git(dir.path(), &["commit", "-am", "with a secret"]);
    let text = stdout(&out) + &stderr(&out);
    assert!(!out.status.success(), "blocked: {text}");
    assert!(
        text.contains("leakhound (secrets in staged changes)"),
        "{text}"
    );
    assert_blocked_message(&text);
    assert_eq!(git_ok(dir.path(), &["rev-parse", "HEAD"]), before);

    accept_secret(dir.path());
    let out = pc.git(dir.path(), &["commit", "-qam", "accepted"]);
    assert!(
        out.status.success(),
        "passes once accepted: {}",
        stderr(&out)
    );

    // A secret that reached HEAD without the hook: CI's `run --all-files` must fail on it.
    std::fs::write(
        dir.path().join("other.env"),
        format!("PORT=1\nJWT_SECRET={SECRET}\n"),
    )
    .unwrap();
    git_ok(dir.path(), &["add", "other.env"]);
    git_ok(
        dir.path(),
        &["commit", "-q", "--no-verify", "-m", "bypassed"],
    );
    let out = pc.run(dir.path(), &["run", "leakhound-ci", "--all-files"]);
    let text = stdout(&out) + &stderr(&out);
    assert!(!out.status.success(), "fails on HEAD's secret: {text}");
    assert!(
        text.contains("other.env\n  2:12  critical  jwt.hmac-key.config"),
        "{text}"
    );
    assert!(
        !text.contains("app.env") && text.contains("1 suppressed (inline 1)"),
        "the accepted one stays accepted: {text}"
    );

    // pre-push (and `run --from-ref/--to-ref`) scans what the refs add.
    let out = pc.run(
        dir.path(),
        &[
            "run",
            "leakhound",
            "--from-ref",
            "HEAD~1",
            "--to-ref",
            "HEAD",
        ],
    );
    let text = stdout(&out) + &stderr(&out);
    assert!(!out.status.success(), "the range holds a secret: {text}");
    assert!(
        text.contains("other.env:2:12  critical  jwt.hmac-key.config"),
        "{text}"
    );
    let out = pc.run(
        dir.path(),
        &[
            "run",
            "leakhound",
            "--from-ref",
            "HEAD~2",
            "--to-ref",
            "HEAD~1",
        ],
    );
    assert!(
        out.status.success(),
        "an accepted secret only: {}{}",
        stdout(&out),
        stderr(&out)
    );
}
