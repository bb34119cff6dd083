//! Command-line definitions.

use clap::{Args, Parser, Subcommand};
use leakhound::report::Format;
use std::path::PathBuf;

/// Finds leaked JWT signing keys, bearer tokens, CAF secrets and private keys.
#[derive(Parser, Debug)]
#[command(name = "leakhound", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan files and directories (`-` reads standard input).
    Scan(ScanArgs),
    /// List or check the built-in rules.
    Rules {
        #[command(subcommand)]
        action: RulesAction,
    },
}

#[derive(Subcommand, Debug)]
pub enum RulesAction {
    /// Print every rule: id, name, severity, tags.
    List {
        /// Print a Markdown table (as in the README).
        #[arg(long)]
        markdown: bool,
    },
    /// Run every rule's examples through the scanner; fails on any mismatch.
    Check,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files and directories to scan; `-` is standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Print secrets in full (every format redacts them by default).
    #[arg(long)]
    pub show_secrets: bool,
    /// No summary line.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also scan what .gitignore and .ignore exclude.
    #[arg(long)]
    pub no_ignore: bool,
    /// Worker threads (default: number of CPUs).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Skip files larger than this (bytes, or with K/M/G, KiB/MiB/GiB).
    #[arg(long, default_value = "50MiB", value_parser = parse_size)]
    pub max_file_size: u64,
    /// Unix time to treat as now when deciding whether a token has expired.
    #[arg(long)]
    pub now: Option<i64>,
}

/// Parses `1234`, `10K`, `50MiB`, `1G` (binary multiples).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| format!("not a size: {s:?}"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("unknown size unit {other:?} in {s:?}")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("size too large: {s:?}"))
}
