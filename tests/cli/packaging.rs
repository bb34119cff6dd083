//! How leakhound is shipped and started: `--version` naming the commit, completion scripts and
//! manual pages generated from the clap definitions.

use crate::helpers::*;
use std::process::Command;

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
        "text\njson\njsonl\nsarif\ngitlab\n"
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
