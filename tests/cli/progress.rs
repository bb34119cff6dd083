//! Progress on long runs: drawn on a terminal only, never into pipes or with `--quiet`.
use crate::helpers::*;
use std::path::Path;
use std::process::Command;

/// Runs leakhound with `args` on a pseudo-terminal (util-linux `script`), the bar shown at
/// once, and returns what the terminal received.
fn on_terminal(args: &[&str]) -> Option<String> {
    let has_script = Command::new("script").arg("--version").output().is_ok();
    if !has_script {
        assert!(
            std::env::var_os("CI").is_none(),
            "util-linux `script` is needed to test progress on a terminal"
        );
        eprintln!("skipped: no `script` to give leakhound a terminal");
        return None;
    }
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut line = quote(&bin().display().to_string());
    for a in args {
        line = format!("{line} {}", quote(a));
    }
    let out = Command::new("script")
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .env("LEAKHOUND_PROGRESS_AFTER_MS", "0")
        .output()
        .expect("script runs");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn quiet_run(args: &[&str]) -> String {
    let out = Command::new(bin())
        .args(args)
        .env("LEAKHOUND_PROGRESS_AFTER_MS", "0")
        .output()
        .expect("leakhound runs");
    stderr(&out)
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn a_tree_scan_counts_files_and_bytes_on_a_terminal_only() {
    let dir = tree(&[("a.txt", "hello\n"), ("b/c.txt", "world\n")]);
    let out = dir.path().join("out.json");
    let (d, o) = (path(dir.path()), path(&out));
    let Some(screen) = on_terminal(&["scan", &d, "--format", "json", "-o", &o]) else {
        return;
    };
    assert!(
        screen.contains(" files, ") && screen.contains(" MiB at "),
        "{screen:?}"
    );
    assert!(!quiet_run(&["scan", &d, "-o", &o]).contains(" files, "));
    let quiet = on_terminal(&["scan", &d, "-q", "-o", &o]).unwrap_or_default();
    assert!(
        !quiet.contains(" files, "),
        "--quiet draws nothing: {quiet:?}"
    );
}

#[test]
fn a_history_scan_shows_the_walk_before_the_blobs() {
    let dir = tree(&[("a.txt", "one\n")]);
    git_ok(dir.path(), &["init", "-q"]);
    for i in 0..3 {
        std::fs::write(dir.path().join("a.txt"), format!("version {i}\n")).unwrap();
        git_ok(dir.path(), &["add", "."]);
        git_ok(dir.path(), &["commit", "-q", "-m", &format!("c{i}")]);
    }
    let out = dir.path().join("out.json");
    let (d, o) = (path(dir.path()), path(&out));
    let Some(screen) = on_terminal(&["git", &d, "-o", &o]) else {
        return;
    };
    assert!(screen.contains("walking history: "), "{screen:?}");
    assert!(screen.contains(" commits"), "{screen:?}");
    assert!(!quiet_run(&["git", &d, "-o", &o]).contains("walking history"));
}
