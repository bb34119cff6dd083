//! `leakhound merge`: its flags and its wiring (read, de-duplicate, prove, report).

use crate::cli::{FailOn, FormatArg};
use crate::{exit_code, is_broken_pipe, print_problems, write_report};
use anyhow::{Context, Result};
use clap::Args;
use leakhound::pipeline::{self, unix_now};
use leakhound::report::{ReportOptions, ScanInfo};
use leakhound::rules::RuleSet;
use std::io::IsTerminal;
use std::path::PathBuf;

/// `leakhound merge` flags.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// JSON or JSONL reports of `scan`, `git` or `merge` (each file's kind is detected);
    /// `-` is standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Write the report here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Print secrets in full, where the reports hold them (`--show-secrets` reports).
    #[arg(long)]
    pub show_secrets: bool,
    /// No summary line.
    #[arg(long, short)]
    pub quiet: bool,
    /// Do not check tokens of one report against keys of another.
    #[arg(long)]
    pub no_verify: bool,
    /// Exit 1 only for findings of at least this severity (others are still reported).
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    pub fail_on: FailOn,
    /// SARIF `runAutomationDetails.id` prefix; each repository's run adds `/LABEL`.
    #[arg(long, value_name = "CATEGORY")]
    pub sarif_category: Option<String>,
    /// Unix time to stamp as the end of the merge (GitLab's report).
    #[arg(long)]
    pub now: Option<i64>,
}

/// Runs `leakhound merge`; returns the exit code.
pub fn merge(args: MergeArgs) -> Result<u8> {
    let rules = RuleSet::builtin().context("built-in rules")?;
    let result = pipeline::merge(&args.files, &rules, !args.no_verify);
    print_problems(&result);
    let opts = ReportOptions {
        show_secrets: args.show_secrets,
        color: args.output.is_none() && std::io::stdout().is_terminal(),
        quiet: args.quiet,
        sarif_category: args.sarif_category.clone(),
        now: args.now.unwrap_or_else(unix_now),
        scan: ScanInfo {
            mode: "merge".into(),
            inputs: args.files.clone(),
            refs: Vec::new(),
            version: crate::cli::VERSION.into(),
        },
    };
    let output = args.output.as_deref();
    if let Err(e) = write_report(output, args.format.into(), &result, &rules, &opts) {
        if !is_broken_pipe(&e) {
            return Err(e);
        }
    }
    Ok(exit_code(&result, args.fail_on))
}
