//! The git command line for tests: isolated from the user's and the system's configuration,
//! with a fixed identity that `env` can override.
use std::path::Path;
use std::process::Command;

/// Runs `git args` in `dir` with `env` added, and fails the test when git fails.
pub(crate) fn git(dir: &Path, args: &[&str], env: &[(&str, &str)]) {
    let mut cmd = Command::new("git");
    cmd.args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@t")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@t");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Repacks everything into one pack with delta chains up to 50 deep, on one thread: git's
/// parallel delta search picks different bases run to run, and tests of chains and held
/// bases need the same pack every time. `config` adds `-c` settings.
pub(crate) fn repack_deep(dir: &Path, config: &[&str]) {
    let mut args = Vec::new();
    for c in config.iter().chain(&["pack.threads=1"]) {
        args.extend(["-c", c]);
    }
    args.extend(["repack", "-a", "-d", "-f", "-q", "--depth=50"]);
    git(dir, &args, &[]);
}
