//! Shared helpers: run the built binary and parse what it prints.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Fixed "now" (2025-11-24) so expiry flags do not drift with the calendar.
pub const NOW: &str = "1764000000";

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_leakhound"))
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures(name: &str) -> PathBuf {
    repo().join("fixtures").join(name)
}

/// Runs `leakhound ARGS` in `cwd` and returns its output.
pub fn run_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .expect("binary runs")
}

/// Runs `leakhound ARGS` from the repository root.
pub fn run(args: &[&str]) -> Output {
    run_in(&repo(), args)
}

/// Runs with `input` on standard input.
pub fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Scans `path` with `--format json` and returns the parsed document.
pub fn scan_json(path: &Path, extra: &[&str]) -> (Value, Output) {
    let p = path.to_string_lossy().into_owned();
    let mut args = vec!["scan", p.as_str(), "--format", "json", "--now", NOW];
    args.extend_from_slice(extra);
    let out = run(&args);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "json output: {e}\nstdout: {}\nstderr: {}",
            stdout(&out),
            stderr(&out)
        )
    });
    (doc, out)
}

/// `(rule_id, path, line)` of every finding, sorted.
pub fn triples(doc: &Value) -> Vec<(String, String, u64)> {
    let mut v: Vec<(String, String, u64)> = doc["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Writes `files` (relative path, content) under a fresh temporary directory.
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, content) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}

/// A `git` command in `dir`, isolated from the user's configuration, with a fixed identity.
pub fn git_command(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Test Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.com");
    c
}

/// Runs `git ARGS` in `dir` and returns its trimmed stdout; fails the test if git fails.
pub fn git_ok(dir: &Path, args: &[&str]) -> String {
    let out = git_command(dir).args(args).output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs `tests/tools/sarif_check.py` on `sarif` (checking none of `secrets` appears) and
/// returns its verdict line.
pub fn sarif_check(sarif: &Path, secrets: &[&str]) -> String {
    // The checker resolves its schema at tools/../shared/data/, so lay it out that way.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("tools")).unwrap();
    std::fs::create_dir_all(dir.path().join("shared/data")).unwrap();
    std::fs::copy(
        repo().join("tests/tools/sarif_check.py"),
        dir.path().join("tools/sarif_check.py"),
    )
    .unwrap();
    std::fs::copy(
        repo().join("tests/data/sarif-schema-2.1.0.json"),
        dir.path().join("shared/data/sarif-schema-2.1.0.json"),
    )
    .unwrap();
    let list = dir.path().join("secrets.txt");
    std::fs::write(&list, secrets.join("\n")).unwrap();
    let out = Command::new("python3")
        .arg(dir.path().join("tools/sarif_check.py"))
        .arg(sarif)
        .arg("--secrets")
        .arg(&list)
        .output()
        .expect("python3 runs (install it and `pip install jsonschema`; .ci/run does)");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.starts_with("sarif problems="))
        .unwrap_or(&format!("{text}{}", String::from_utf8_lossy(&out.stderr)))
        .to_string()
}
