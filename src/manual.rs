//! Shell completions and manual pages, generated from the clap definitions so they always
//! list the flags this binary has.

use crate::cli::{Cli, VERSION};
use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::Write;

/// Writes the completion script for `shell` to standard output.
pub fn completions(shell: Shell) -> Result<()> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "leakhound", &mut out);
    write_stdout(&out)
}

/// Writes the roff page of `leakhound`, or of one of its commands, to standard output.
pub fn man(command: Option<&str>) -> Result<()> {
    let mut cmd = Cli::command();
    // Building names each subcommand `leakhound-NAME`, as its page is titled.
    cmd.build();
    let page = match command {
        None => cmd,
        Some(name) => cmd
            .find_subcommand(name)
            .with_context(|| format!("no command {name:?}"))?
            .clone()
            .version(VERSION),
    };
    let mut out = Vec::new();
    render(page, &mut out).context("rendering the page")?;
    write_stdout(&out)
}

/// clap_mangen's sections, with the help's closing examples as an EXAMPLES section kept
/// line for line (its EXTRA section would refill them into one paragraph).
fn render(page: clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    let examples = page.get_after_help().map(ToString::to_string);
    let has_subcommands = page.has_subcommands();
    let man = clap_mangen::Man::new(page);
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    if has_subcommands {
        man.render_subcommands_section(out)?;
    }
    if let Some(text) = examples {
        writeln!(out, ".SH EXAMPLES\n.nf")?;
        for line in text.lines().skip_while(|l| *l == "Examples:") {
            writeln!(out, "{}", roff_line(line))?;
        }
        writeln!(out, ".fi")?;
    }
    man.render_version_section(out)
}

/// A line of text as roff prints it literally: backslashes, hyphens and quotes escaped, and a
/// leading `.` or `'` kept from being read as a request.
fn roff_line(line: &str) -> String {
    let escaped = line
        .replace('\\', "\\e")
        .replace('-', "\\-")
        .replace('\'', "\\(aq");
    format!("\\&{escaped}")
}

/// A reader that stopped early (`| head`) is not an error.
fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("standard output"))
        }
        _ => Ok(()),
    }
}
