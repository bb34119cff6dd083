//! The examples that end each command's `--help`: what people type most, so they are printed
//! where they look first. The tests below parse every example with the real definitions, so
//! a renamed flag cannot leave a stale example behind.

/// `leakhound --help`: one of each kind of scan.
pub const TOP: &str = "\
Examples:
  leakhound scan .                              every file under the current directory
  leakhound scan app-release.apk                an APK: code, resources, assets, libraries
  leakhound git .                               every blob in the repository's history
  leakhound git . --range origin/main..HEAD     what a pull request adds
  leakhound git --staged                        what the next commit adds (pre-commit)
  leakhound completions bash                    a completion script for bash";

/// `leakhound scan --help`.
pub const SCAN: &str = "\
Examples:
  leakhound scan .                              every file under the current directory
  leakhound scan app-release.apk                an APK: code, resources, assets, libraries
  leakhound scan dist/ --no-ignore              a build output that .gitignore hides
  leakhound scan - < .env                       standard input
  leakhound scan . --format sarif -o leakhound.sarif
  leakhound scan . --baseline .leakhound-baseline.json";

/// `leakhound git --help`.
pub const GIT: &str = "\
Examples:
  leakhound git .                               every blob in the repository's history
  leakhound git . --range origin/main..HEAD     what a pull request adds
  leakhound git --staged                        what the next commit adds (pre-commit)
  leakhound git . --since v1.2.0                what commits after a tag add
  leakhound git . --branch main --format json   one branch's history, as JSON
  leakhound git . --format jsonl --label acme/api -o api.jsonl   tagged for a later merge";

/// `leakhound merge --help`.
pub const MERGE: &str = "\
Examples:
  leakhound merge api.jsonl web.jsonl app.json  one report of many runs (text)
  leakhound merge reports/*.jsonl --format sarif -o org.sarif   one SARIF run per repository
  leakhound merge private/*.json --show-secrets --format json   proof across repositories";

/// `leakhound rules --help` and its subcommands.
pub const RULES: &str = "\
Examples:
  leakhound rules list                          every rule's id, name, severity and tags
  leakhound rules list --markdown               the same as a Markdown table
  leakhound rules check                         every rule's examples through the scanner";

/// `leakhound config --help`.
pub const CONFIG: &str = "\
Examples:
  leakhound config check                        the .leakhound.toml here or at the root
  leakhound config check ci/leakhound.toml      a named file";

/// `leakhound install-hook --help`.
pub const INSTALL_HOOK: &str = "\
Examples:
  leakhound install-hook                        a pre-commit hook in this repository
  leakhound install-hook ../service --force     replace another repository's hook";

/// `leakhound completions --help`.
pub const COMPLETIONS: &str = "\
Examples:
  leakhound completions bash > ~/.local/share/bash-completion/completions/leakhound
  leakhound completions zsh > ~/.zfunc/_leakhound
  leakhound completions fish > ~/.config/fish/completions/leakhound.fish
  leakhound completions powershell >> $PROFILE";

/// `leakhound man --help`.
pub const MAN: &str = "\
Examples:
  leakhound man > leakhound.1                   the main page
  leakhound man git | man -l -                  read one command's page now";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::{CommandFactory, Parser};

    /// The leakhound command of an example line: from `leakhound` up to a redirection, pipe
    /// or the gap before the description.
    fn command(line: &str) -> Vec<&str> {
        let from = line.find("leakhound ").expect("an example runs leakhound");
        let text = line[from..].split("  ").next().unwrap();
        text.split_whitespace()
            .take_while(|w| !matches!(*w, ">" | ">>" | "<" | "|"))
            .collect()
    }

    #[test]
    fn every_example_parses_with_the_real_definitions() {
        for block in [
            TOP,
            SCAN,
            GIT,
            RULES,
            CONFIG,
            INSTALL_HOOK,
            COMPLETIONS,
            MAN,
            MERGE,
        ] {
            let mut lines = block.lines();
            assert_eq!(lines.next(), Some("Examples:"));
            for line in lines {
                let words = command(line);
                if let Err(e) = Cli::try_parse_from(&words) {
                    panic!("{line}: {e}");
                }
            }
        }
    }

    #[test]
    fn every_command_help_ends_with_its_examples() {
        let mut top = Cli::command();
        let mut expect = vec![(String::new(), TOP)];
        for (name, text) in [
            ("scan", SCAN),
            ("git", GIT),
            ("rules", RULES),
            ("config", CONFIG),
            ("install-hook", INSTALL_HOOK),
            ("completions", COMPLETIONS),
            ("man", MAN),
            ("merge", MERGE),
        ] {
            expect.push((name.to_string(), text));
        }
        for (name, text) in expect {
            let cmd = if name.is_empty() {
                &mut top
            } else {
                top.find_subcommand_mut(&name).expect("a subcommand")
            };
            let help = cmd.render_long_help().to_string();
            assert!(help.trim_end().ends_with(text), "{name}: {help}");
        }
    }
}
