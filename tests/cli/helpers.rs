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

/// Every finding of a JSON report.
pub fn findings(doc: &Value) -> &[Value] {
    doc["findings"].as_array().expect("findings array")
}

/// A string field of a finding, `""` when absent.
pub fn field(f: &Value, key: &str) -> String {
    f[key].as_str().unwrap_or("").to_string()
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

/// `git` arguments that pack a repository into one pack with long delta chains, as a
/// long-lived repository's packs are (so history is read in delta order).
pub const DEEP_REPACK: [&str; 7] = [
    "repack",
    "-a",
    "-d",
    "-f",
    "-q",
    "--depth=50",
    "--window=50",
];

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
    let out = Command::new(tool("python3"))
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

/// How a run under [`run_hostile`] ended.
pub struct Limited {
    pub out: Output,
    /// Wall time of the child.
    pub secs: f64,
}

/// Address-space cap for hostile-input runs: a parser that allocates what the input claims
/// instead of what it holds dies here, as a failed test rather than a swapping CI machine.
pub const HOSTILE_AS_KIB: u64 = 1024 * 1024;
/// Wall-time cap for hostile-input runs, generous for a debug build on 2 cores.
pub const HOSTILE_SECS: u64 = 60;

/// Runs `leakhound ARGS` in `cwd` with at most 1 GiB of address space and 60 s of wall time
/// (bash's `ulimit -v` and coreutils' `timeout`), so a regression fails instead of hanging.
/// Elsewhere than Linux (CI's macOS and Windows runners, without GNU `timeout` or a working
/// `ulimit -v`), the run is unlimited: Linux's CI keeps the guard.
pub fn run_hostile(cwd: &Path, args: &[&str]) -> Limited {
    let started = std::time::Instant::now();
    if !cfg!(target_os = "linux") {
        let out = Command::new(bin())
            .args(args)
            .current_dir(cwd)
            .stdin(Stdio::null())
            .output()
            .expect("binary runs");
        let secs = started.elapsed().as_secs_f64();
        return Limited { out, secs };
    }
    let out = Command::new("timeout")
        .arg("--kill-after=5")
        .arg(HOSTILE_SECS.to_string())
        .arg("bash")
        .arg("-c")
        .arg(format!("ulimit -v {HOSTILE_AS_KIB} && exec \"$0\" \"$@\""))
        .arg(bin())
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .expect("timeout and bash run");
    Limited {
        out,
        secs: started.elapsed().as_secs_f64(),
    }
}

/// Asserts a hostile run ended as documented: exit 0, 1 or 2 (never a signal or the timeout's
/// 124), a warning on stderr containing `warning`, and a finding of `rule` in `sibling`.
pub fn assert_survives(run: &Limited, warning: &str, rule: &str, sibling: &str) {
    let o = &run.out;
    let code = o.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "exit {code:?} after {:.1}s\nstderr: {}",
        run.secs,
        stderr(o)
    );
    assert!(
        stderr(o).contains(warning),
        "no warning containing {warning:?}\nstderr: {}",
        stderr(o)
    );
    let doc: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("json output: {e}\nstderr: {}", stderr(o)));
    let hit = doc["findings"].as_array().is_some_and(|a| {
        a.iter().any(|f| {
            f["rule_id"] == rule && f["path"].as_str().is_some_and(|p| p.ends_with(sibling))
        })
    });
    assert!(
        hit,
        "{rule} in {sibling} not reported\nstdout: {}",
        stdout(o)
    );
}

/// A file with a real-looking secret to lay beside a hostile input: `(name, content, rule)`.
/// Every hostile case asserts this is still reported, so one bad input never hides the rest.
pub const SIBLING: (&str, &str, &str) = (
    "sibling.js",
    "const token = \"ghp_R8xYq2mZkT4vWn6pLs9dHj3fGb7cQa1eUo5i\";\n",
    "github.token",
);

/// A temporary directory holding `name` = `bytes` and the [`SIBLING`] file.
pub fn hostile_tree(name: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tree(&[(SIBLING.0, SIBLING.1)]);
    let p = dir.path().join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
    keep_for_bench(dir.path());
    dir
}

/// With `LEAKHOUND_HOSTILE_DIR` set (by `bench/hostile.sh`), copies a hostile tree there under
/// the running test's name, so the benchmark times exactly the inputs the tests build.
fn keep_for_bench(dir: &Path) {
    let Some(out) = std::env::var_os("LEAKHOUND_HOSTILE_DIR") else {
        return;
    };
    let name = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .replace("::", "-");
    let dest = PathBuf::from(out).join(name);
    std::fs::create_dir_all(&dest).unwrap();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), dest.join(e.file_name())).unwrap();
        }
    }
}

/// Scans `dir` as JSON under [`run_hostile`]'s limits.
pub fn scan_hostile(dir: &Path, extra: &[&str]) -> Limited {
    let mut args = vec!["scan", ".", "--format", "json", "--now", NOW];
    args.extend_from_slice(extra);
    run_hostile(dir, &args)
}

/// A tool the tests drive (`python3` with jsonschema and PyYAML, `pre-commit`), from the
/// directory `tests/run` puts in `LEAKHOUND_TEST_TOOLS` (its virtual environment's `bin`).
/// Tests never guess where tools live: without the variable they fail, naming the command.
pub fn tool(name: &str) -> PathBuf {
    match std::env::var_os("LEAKHOUND_TEST_TOOLS") {
        Some(dir) => {
            let p = PathBuf::from(dir).join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
            assert!(
                p.exists(),
                "{} is missing: run `bash tests/run` (it installs the test tools)",
                p.display()
            );
            p
        }
        None => panic!(
            "LEAKHOUND_TEST_TOOLS is not set: run the tests with `bash tests/run`, which installs \
             {name} and the other test tools into target/test-venv"
        ),
    }
}

/// The cargo target directory of this build (`tests/run` sets `LEAKHOUND_TARGET_DIR`), for
/// tests that seed another cargo build with this one's compiled dependencies.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("LEAKHOUND_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => panic!("LEAKHOUND_TARGET_DIR is not set: run the tests with `bash tests/run`"),
    }
}
