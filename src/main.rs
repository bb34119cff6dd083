//! The `leakhound` binary: parse arguments, build the scan, pick a report.

mod cli;
mod help;
mod hook;
mod manual;
mod merge_cmd;

use anyhow::{Context, Result};
use clap::Parser;
use cli::{Cli, Command, CommonArgs, ConfigAction, GitArgs, ScanArgs, WeakSecrets};
use leakhound::config::{self, Config};
use leakhound::filter::baseline::{Baseline, Entry};
use leakhound::finding::ScanResult;
use leakhound::pipeline::history::{self, HistoryOptions};
use leakhound::pipeline::{self, unix_now, FinishOptions, ScanOptions, Scanner};
use leakhound::report::{self, terminal_safe, ReportOptions, ScanInfo};
use leakhound::rules::RuleSet;
use leakhound::source::git;
use leakhound::source::walk::WalkOptions;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// `println!` that ends the program quietly when the reader has gone (`leakhound rules list |
/// head`), as ripgrep does, instead of panicking on the closed pipe.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            eprintln!("leakhound: error: standard output: {e}");
            std::process::exit(2);
        }
    }};
}

// After `outln!`, which it uses.
mod rules_cmd;

const EXIT_CLEAN: u8 = 0;
const EXIT_FINDINGS: u8 = 1;
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(args),
        Command::Git(args) => git(args),
        Command::Merge(args) => merge_cmd::merge(args),
        Command::Rules { action } => rules_cmd::rules(action),
        Command::Config { action } => config_cmd(action),
        Command::InstallHook { repo, force } => hook::install(&repo, force).map(|()| EXIT_CLEAN),
        Command::Completions { shell } => manual::completions(shell).map(|()| EXIT_CLEAN),
        Command::Man { command } => manual::man(command.as_deref()).map(|()| EXIT_CLEAN),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("leakhound: error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The built-in rules plus the configuration's, and the configuration itself.
fn scanner(common: &CommonArgs, root: &Path) -> Result<(Scanner, Config)> {
    let (rules, cfg) = pipeline::rules_and_config(common.config.as_deref(), root)?;
    let options = ScanOptions {
        now: now(common),
        prefilter: true,
    };
    Ok((Scanner::new(rules, options), cfg))
}

fn now(common: &CommonArgs) -> i64 {
    common.now.unwrap_or_else(unix_now)
}

fn threads(common: &CommonArgs) -> usize {
    common.threads.unwrap_or_else(num_cpus).max(1)
}

fn scan(args: ScanArgs) -> Result<u8> {
    let root = args.paths.first().map_or(".", String::as_str);
    let (scanner, cfg) = scanner(&args.common, Path::new(root))?;
    let walk = WalkOptions {
        no_ignore: args.no_ignore,
        threads: threads(&args.common),
        max_file_size: args.common.max_file_size,
    };
    let progress = !args.common.quiet && std::io::stderr().is_terminal();
    let limits = args.common.limits();
    let mut result = pipeline::run(&scanner, &args.paths, &walk, &limits, progress);
    if let Some(label) = &args.label {
        result.set_label(label);
    }
    let info = ScanInfo {
        mode: "scan".into(),
        inputs: args.paths.clone(),
        refs: Vec::new(),
        version: cli::VERSION.into(),
    };
    finish(&args.common, &mut result, &scanner.rules, &cfg, true, info)
}

fn git(args: GitArgs) -> Result<u8> {
    git::isolate_from_user_config();
    git::trust_repository_owners();
    git::tune_libgit2();
    let (scanner, cfg) = scanner(&args.common, &args.repo)?;
    // Fail early, with a clear message, when the path is not a repository.
    let repo = git::open(&args.repo)
        .map_err(|e| anyhow::anyhow!("{}: not a git repository: {}", args.repo.display(), e))?;
    let label = args.label.clone().or_else(|| git::origin_label(&repo));
    drop(repo);
    let mode = args.mode()?;
    let opts = HistoryOptions {
        max_file_size: args.common.max_file_size,
        include_author: args.include_author,
        limits: args.common.limits(),
        progress: !args.common.quiet && std::io::stderr().is_terminal(),
        delta_scan: !args.no_delta_scan,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads(&args.common))
        .build()
        .context("thread pool")?;
    let (plan, mut result) = pool
        .install(|| history::scan_repo(&scanner, &args.repo, &mode, &opts))
        .map_err(|e| anyhow::anyhow!("{}: {}", args.repo.display(), e))?;
    for w in &plan.warnings {
        eprintln!("leakhound: warning: {}: {w}", args.repo.display());
    }
    if let Some(label) = &label {
        result.set_label(label);
    }
    let full = matches!(mode, git::Mode::History { .. });
    let info = git_info(&args.repo, &mode);
    finish(&args.common, &mut result, &scanner.rules, &cfg, full, info)
}

/// What a `git` scan covered, for reports that say so.
fn git_info(repo: &Path, mode: &git::Mode) -> ScanInfo {
    let (mode, refs) = match mode {
        git::Mode::History {
            branch,
            all_objects,
        } => {
            let what = if *all_objects {
                "git history and unreachable objects"
            } else {
                "git history"
            };
            (what, branch.iter().cloned().collect())
        }
        git::Mode::Range { base, head } => ("git range", vec![format!("{base}..{head}")]),
        git::Mode::Staged { .. } => ("git staged changes", Vec::new()),
    };
    ScanInfo {
        mode: mode.into(),
        inputs: vec![repo.display().to_string()],
        refs,
        version: cli::VERSION.into(),
    }
}

/// Settles the findings (proof, filters, baseline), prints input errors, writes the report
/// and picks the exit code. `full` says the scan saw everything (not a range or the staged
/// changes), so baseline entries it did not find are truly stale.
fn finish(
    common: &CommonArgs,
    result: &mut ScanResult,
    rules: &RuleSet,
    cfg: &Config,
    full: bool,
    scan: ScanInfo,
) -> Result<u8> {
    let baseline = match &common.baseline {
        Some(path) => Some(Baseline::load(path)?),
        None => None,
    };
    let opts = FinishOptions {
        verify: !common.no_verify,
        weak_tokens: match common.weak_secrets {
            WeakSecrets::Auto => None,
            WeakSecrets::Tokens(n) => Some(n),
        },
        record_baseline: common.write_baseline.is_some(),
        baseline,
    };
    let done = pipeline::finish(result, rules, cfg, opts);
    if let (Some(path), Some(recorded)) = (&common.write_baseline, &done.recorded) {
        save_baseline(path, recorded)?;
        eprintln!(
            "leakhound: wrote {} finding(s) to baseline {}",
            recorded.len(),
            path.display()
        );
    }
    if let (Some(path), Some(baseline)) = (&common.baseline, done.baseline) {
        stale_entries(common, path, baseline, &done.stale, full)?;
    }
    print_problems(result);
    let to_terminal = common.output.is_none() && std::io::stdout().is_terminal();
    let opts = ReportOptions {
        show_secrets: common.show_secrets,
        color: to_terminal,
        quiet: common.quiet,
        sarif_category: common.sarif_category.clone(),
        now: now(common),
        scan,
    };
    let format = common.format.into();
    if let Err(e) = write_report(common.output.as_deref(), format, result, rules, &opts) {
        // A reader that stopped early (`| head`) is not a failure: the exit code still says
        // what was found.
        if !is_broken_pipe(&e) {
            return Err(e);
        }
    }
    Ok(exit_code(result, common.fail_on))
}

/// Input errors (2) before findings at or above `--fail-on` (1).
fn exit_code(result: &ScanResult, fail_on: cli::FailOn) -> u8 {
    let failing = fail_on
        .threshold()
        .is_some_and(|t| result.findings.iter().any(|f| f.severity >= t));
    if !result.summary.errors.is_empty() {
        EXIT_ERROR
    } else if failing {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// Warnings, then one line per input that failed.
fn print_problems(result: &ScanResult) {
    for w in &result.summary.warnings {
        eprintln!("leakhound: warning: {}", terminal_safe(w));
    }
    for e in &result.summary.errors {
        eprintln!(
            "leakhound: error: {}: {}",
            terminal_safe(&e.path),
            terminal_safe(&e.cause)
        );
    }
}

fn save_baseline(path: &Path, baseline: &Baseline) -> Result<()> {
    baseline
        .save(path)
        .with_context(|| format!("{}: cannot write baseline", path.display()))
}

/// Reports and prunes stale baseline entries as asked. They mean something only when the
/// scan was `full` (not a range or the staged changes).
fn stale_entries(
    common: &CommonArgs,
    path: &Path,
    mut baseline: Baseline,
    stale: &[Entry],
    full: bool,
) -> Result<()> {
    if common.baseline_report {
        for e in stale {
            // Entries are validated on load (printable rule and path, 64 hex digits).
            eprintln!(
                "leakhound: stale baseline entry: {} {} fp={}",
                e.rule,
                e.path,
                &e.fingerprint[..12]
            );
        }
        eprintln!(
            "leakhound: {} of {} baseline entries are stale",
            stale.len(),
            baseline.len()
        );
    }
    if common.prune_baseline {
        if !full {
            anyhow::bail!("--prune-baseline needs a full scan: a range or the staged changes do not see every accepted secret");
        }
        baseline.remove(stale);
        save_baseline(path, &baseline)?;
        eprintln!(
            "leakhound: pruned {} stale entries from {}",
            stale.len(),
            path.display()
        );
    }
    Ok(())
}

/// Writes the report to `output`, or to standard output.
fn write_report(
    output: Option<&Path>,
    format: report::Format,
    result: &ScanResult,
    rules: &RuleSet,
    opts: &ReportOptions,
) -> Result<()> {
    match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("{}: cannot create", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            report::write(&mut out, format, result, rules, opts)
                .and_then(|_| out.flush())
                .with_context(|| format!("{}: cannot write", path.display()))
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            report::write(&mut out, format, result, rules, opts)
                .and_then(|_| out.flush())
                .context("standard output")
        }
    }
}

fn config_cmd(action: ConfigAction) -> Result<u8> {
    let ConfigAction::Check { file } = action;
    let Some(path) = file.or_else(|| config::discover(Path::new("."))) else {
        anyhow::bail!("no {} here or at the repository root", config::FILE_NAME);
    };
    let mut rules = RuleSet::builtin().context("built-in rules")?;
    let builtin: Vec<String> = rules.rules.iter().map(|r| r.spec.id.clone()).collect();
    let mut cfg = Config::load(&path, &rules)?;
    cfg.apply_rules(&mut rules)?;
    let extra: Vec<String> = rules
        .rules
        .iter()
        .map(|r| r.spec.id.clone())
        .filter(|id| !builtin.contains(id))
        .collect();
    let scanner = Scanner::new(rules, ScanOptions::default());
    let (failures, _) = pipeline::check(&scanner);
    let mut failed = false;
    for f in failures.iter().filter(|f| extra.contains(&f.rule)) {
        outln!(
            "{}: rule {}: {}: {}",
            path.display(),
            f.rule,
            f.which,
            f.problem
        );
        failed = true;
    }
    if failed {
        return Ok(EXIT_FINDINGS);
    }
    outln!(
        "{}: ok ({} extra rule(s), {} disabled)",
        path.display(),
        extra.len(),
        cfg.disabled.len()
    );
    Ok(EXIT_CLEAN)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}
