//! How leakhound is shipped and started: `--version` naming the commit, completion scripts and
//! manual pages generated from the clap definitions, the `language: system` and `docker_image`
//! pre-commit hooks, and a repository owned by another user, as a container mounts it.

use crate::helpers::*;
use crate::hooks::{repo_with_config, write_secret, PreCommit};
use std::path::Path;
use std::process::Command;

const SECRET: &str = "4f9a8c7e2b1d6f3a0e5c9b8a7d6e5f4c";

#[test]
fn version_names_the_commit_it_was_built_from() {
    let out = run(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    // Built from this checkout (as CI and a developer build), the commit is its HEAD.
    let head = git_ok(&repo(), &["rev-parse", "HEAD"]);
    assert_eq!(
        stdout(&out),
        format!("leakhound {} (commit {head})\n", env!("CARGO_PKG_VERSION"))
    );
}

/// Runs the bash completion function on `line` (completing its last word) and returns what
/// it offers, one per line.
fn bash_complete(line: &str) -> String {
    let script = r#"source <("$0" completions bash)
read -ra COMP_WORDS <<< "$1"
[ "${1: -1}" = " " ] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE=$1; COMP_POINT=${#1}
_leakhound leakhound "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}""#;
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", script])
        .arg(bin())
        .arg(line)
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn bash_completion_offers_commands_flags_and_shells() {
    assert_eq!(bash_complete("leakhound git --ra"), "--range\n");
    assert_eq!(bash_complete("leakhound inst"), "install-hook\n");
    assert_eq!(
        bash_complete("leakhound completions "),
        "-h\n--help\nbash\nelvish\nfish\npowershell\nzsh\n"
    );
    assert_eq!(
        bash_complete("leakhound scan --format "),
        "text\njson\njsonl\nsarif\ngitlab\nhtml\n"
    );
}

#[test]
fn completion_scripts_for_zsh_fish_and_powershell_name_every_flag() {
    let range = "Only what BASE..HEAD introduces, from their merge base, as a pull request shows";
    for (shell, first, line) in [
        (
            "zsh",
            "#compdef leakhound",
            format!("'(--staged --branch)--range=[{range}]:BASE..HEAD:_default' \\"),
        ),
        (
            "fish",
            "# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.",
            format!("complete -c leakhound -n \"__fish_leakhound_using_subcommand git\" -l range -d '{range}' -r"),
        ),
        (
            "powershell",
            "",
            format!("            [CompletionResult]::new('--range', '--range', [CompletionResultType]::ParameterName, '{range}')"),
        ),
    ] {
        let out = run(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let text = stdout(&out);
        assert_eq!(text.lines().next(), Some(first), "{shell}");
        assert!(text.lines().any(|l| l == line), "{shell}: no {line}");
    }
    let out = run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid value 'tcsh'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn man_pages_are_titled_versioned_and_end_with_their_examples() {
    let version = stdout(&run(&["--version"]));
    let version = version.trim().strip_prefix("leakhound ").unwrap();
    let page = stdout(&run(&["man"]));
    let lines: Vec<&str> = page.lines().collect();
    assert_eq!(
        lines[2],
        format!(".TH leakhound 1  \"leakhound {version}\" ")
    );
    assert!(lines.contains(&"leakhound\\-install\\-hook(1)"), "{page}");

    let page = stdout(&run(&["man", "git"]));
    assert_eq!(
        page.lines().nth(2),
        Some(format!(".TH leakhound-git 1  \"git {version}\" ").as_str())
    );
    let examples = &page[page.find(".SH EXAMPLES\n").expect("an EXAMPLES section")..];
    let examples: Vec<&str> = examples.lines().take(4).collect();
    assert_eq!(
        examples,
        [
            ".SH EXAMPLES",
            ".nf",
            "\\&  leakhound git .                               every blob in the repository\\(aqs history",
            "\\&  leakhound git . \\-\\-range origin/main..HEAD     what a pull request adds",
        ]
    );
    let out = run(&["man", "nonesuch"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "leakhound: error: no command \"nonesuch\"\n");
}

#[cfg(unix)]
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| stdout(&o).trim() == "0")
}

/// `docker run -v "$PWD:/src"` runs leakhound as the image's user on files another user owns;
/// git (and libgit2, unless told otherwise) refuses such a repository as "not owned by current
/// user". Only root can give files away, so elsewhere (CI's macOS and Windows runners) this
/// test has nothing to check.
#[cfg(unix)]
#[test]
fn a_repository_owned_by_another_user_is_scanned() {
    if !is_root() {
        eprintln!("skipped: giving a repository to another user needs root");
        return;
    }
    let dir = tree(&[("app.env", &format!("JWT_SECRET={SECRET}\n"))]);
    git_ok(dir.path(), &["init", "-q", "-b", "main"]);
    git_ok(dir.path(), &["add", "."]);
    git_ok(dir.path(), &["commit", "-q", "-m", "init"]);
    std::fs::write(
        dir.path().join("staged.env"),
        format!("JWT_SECRET={SECRET}\n"),
    )
    .unwrap();
    git_ok(dir.path(), &["add", "staged.env"]);
    let chown = Command::new("chown")
        .args(["-R", "12345:12345"])
        .arg(dir.path())
        .status()
        .expect("chown runs");
    assert!(chown.success());
    let p = dir.path().to_str().unwrap();
    // The user's git itself refuses it, so the case is real.
    let refused = git_command(dir.path()).args(["status"]).output().unwrap();
    assert!(
        stderr(&refused).contains("dubious ownership"),
        "{}",
        stderr(&refused)
    );
    for (mode, path) in [("", "app.env"), ("--staged", "staged.env")] {
        let mut args = vec!["git", p, "--format", "json", "--now", NOW];
        args.extend(Some(mode).filter(|m| !m.is_empty()));
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            triples(&doc),
            vec![("jwt.hmac-key.config".to_string(), path.to_string(), 1)],
            "{args:?}"
        );
    }
}

/// `leakhound-system` runs the leakhound on PATH (a release binary): nothing is built.
/// `leakhound-docker` needs a container engine, so its manifest entry is checked instead: a
/// valid hook whose image is this version's release.
#[test]
fn the_system_hook_runs_the_binary_on_path_and_the_docker_hook_names_this_release() {
    let scratch = tempfile::tempdir().unwrap();
    let pc = PreCommit {
        home: scratch.path().join("pre-commit-home"),
        target: scratch.path().join("unused-target"),
    };
    let out = pc.run(&repo(), &["validate-manifest", ".pre-commit-hooks.yaml"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let manifest = std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap();
    let image = format!(
        "  entry: ghcr.io/leakhound/leakhound:v{} scan\n  language: docker_image\n",
        env!("CARGO_PKG_VERSION")
    );
    assert!(manifest.contains(&image), "{manifest}");

    // A system hook needs only the manifest from its repository: no sources to copy.
    let hooks_repo = scratch.path().join("hooks-repo");
    std::fs::create_dir_all(&hooks_repo).unwrap();
    std::fs::copy(
        repo().join(".pre-commit-hooks.yaml"),
        hooks_repo.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    git_ok(&hooks_repo, &["init", "-q", "-b", "main"]);
    git_ok(&hooks_repo, &["add", "."]);
    git_ok(&hooks_repo, &["commit", "-q", "-m", "hooks"]);
    let rev = git_ok(&hooks_repo, &["rev-parse", "HEAD"]);
    let dir = repo_with_config();
    std::fs::write(
        dir.path().join(".pre-commit-config.yaml"),
        format!(
            "repos:\n- repo: {}\n  rev: {rev}\n  hooks:\n  - id: leakhound-system\n",
            hooks_repo.display()
        ),
    )
    .unwrap();
    write_secret(dir.path());
    git_ok(dir.path(), &["add", "."]);
    let path = format!(
        "{}:{}",
        bin().parent().unwrap().display(),
        std::env::var("PATH").unwrap()
    );
    let out = pc
        .command(&tool("pre-commit"), dir.path())
        .env("PATH", path)
        .args(["run", "leakhound-system"])
        .output()
        .expect("pre-commit runs");
    let text = stdout(&out) + &stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("leakhound (secrets in staged changes, leakhound on PATH)"),
        "{text}"
    );
    assert!(
        text.contains("app.env\n  2:12  critical  jwt.hmac-key.config"),
        "{text}"
    );
    assert!(!text.contains(SECRET), "{text}");
}

/// build.rs's commit half on its own (the rule half needs crates), compiled and run as cargo
/// would run it, from each kind of source: a
/// crate tarball (`.cargo_vcs_info.json`), no history at all, and `LEAKHOUND_COMMIT`, which
/// wins over both. The checkout case is `--version` above.
#[test]
fn the_build_script_names_the_commit_of_a_tarball_or_the_override_or_says_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir
        .path()
        .join(format!("build-script{}", std::env::consts::EXE_SUFFIX));
    let out = Command::new("rustc")
        .args(["--edition", "2021", "--cfg", "leakhound_commit_only", "-o"])
        .arg(&script)
        .arg(repo().join("build.rs"))
        .output()
        .expect("rustc runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let tarball = dir.path().join("tarball");
    let bare = dir.path().join("bare");
    std::fs::create_dir_all(&tarball).unwrap();
    std::fs::create_dir_all(&bare).unwrap();
    let sha = "0123456789abcdef0123456789abcdef01234567";
    std::fs::write(
        tarball.join(".cargo_vcs_info.json"),
        format!("{{\n  \"git\": {{\n    \"sha1\": \"{sha}\"\n  }},\n  \"path_in_vcs\": \"\"\n}}\n"),
    )
    .unwrap();
    let commit = |manifest_dir: &Path, env: Option<&str>| {
        let mut c = Command::new(&script);
        c.env("CARGO_MANIFEST_DIR", manifest_dir)
            .env_remove("LEAKHOUND_COMMIT");
        if let Some(v) = env {
            c.env("LEAKHOUND_COMMIT", v);
        }
        let out = c.output().expect("the build script runs");
        stdout(&out)
            .lines()
            .find_map(|l| l.strip_prefix("cargo:rustc-env=LEAKHOUND_COMMIT="))
            .map(str::to_string)
    };
    assert_eq!(commit(&tarball, None).as_deref(), Some(sha));
    assert_eq!(commit(&bare, None).as_deref(), Some("unknown"));
    assert_eq!(
        commit(&tarball, Some("abcdef0")).as_deref(),
        Some("abcdef0")
    );
    // Not a commit id: ignored rather than printed by --version.
    assert_eq!(
        commit(&bare, Some("main; rm -rf")).as_deref(),
        Some("unknown")
    );
}
