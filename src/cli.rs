//! Command-line definitions.

use crate::help;
use clap::{Args, Parser, Subcommand};
use leakhound::report::Format;
use leakhound::source::git::Mode;
use std::path::PathBuf;

/// `leakhound --version`: the crate's version and the commit it was built from (build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("LEAKHOUND_COMMIT"),
    ")"
);

/// Finds leaked JWT signing keys, bearer tokens, CAF secrets and private keys.
#[derive(Parser, Debug)]
#[command(name = "leakhound", version = VERSION, about, after_help = help::TOP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan files and directories (`-` reads standard input).
    #[command(after_help = help::SCAN)]
    Scan(ScanArgs),
    /// Scan git history: every blob ever committed, a commit range, or the staged changes.
    #[command(after_help = help::GIT)]
    Git(GitArgs),
    /// Merge JSON and JSONL reports of many runs into one report: the same secret seen in
    /// several places is one finding, and tokens are checked against keys of every report.
    #[command(after_help = help::MERGE)]
    Merge(crate::merge_cmd::MergeArgs),
    /// List or check the built-in rules.
    #[command(after_help = help::RULES)]
    Rules {
        #[command(subcommand)]
        action: RulesAction,
    },
    /// Validate a `.leakhound.toml`.
    #[command(after_help = help::CONFIG)]
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Write a git pre-commit hook that runs `leakhound git --staged`.
    #[command(after_help = help::INSTALL_HOOK)]
    InstallHook {
        /// The repository.
        #[arg(default_value = ".")]
        repo: PathBuf,
        /// Replace an existing pre-commit hook.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script, generated from these definitions.
    #[command(after_help = help::COMPLETIONS)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of leakhound or of one of its commands.
    #[command(after_help = help::MAN)]
    Man {
        /// The command whose page to print (default: the main page).
        command: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ConfigAction {
    /// Check a configuration file: syntax, unknown keys, rule ids, regexes, globs, and the
    /// examples of its extra rules.
    #[command(after_help = help::CONFIG)]
    Check {
        /// The file (default: `.leakhound.toml` here or at the repository root).
        file: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RulesAction {
    /// Print every rule: id, name, severity, tags.
    #[command(after_help = help::RULES)]
    List {
        /// Print a Markdown table (as in the README).
        #[arg(long)]
        markdown: bool,
    },
    /// Run every rule's examples through the scanner; fails on any mismatch.
    #[command(after_help = help::RULES)]
    Check,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files and directories to scan; `-` is standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<String>,
    /// Also scan what .gitignore and .ignore exclude.
    #[arg(long)]
    pub no_ignore: bool,
    /// Tag every finding with the repository or artifact it came from (for `merge`).
    #[arg(long, value_name = "NAME")]
    pub label: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug)]
pub struct GitArgs {
    /// The repository (work tree or bare).
    #[arg(default_value = ".")]
    pub repo: std::path::PathBuf,
    /// Only what commits after REV introduce (REV..HEAD, from their merge base).
    #[arg(long, conflicts_with_all = ["range", "staged", "branch"])]
    pub since: Option<String>,
    /// Only what BASE..HEAD introduces, from their merge base, as a pull request shows.
    #[arg(long, value_name = "BASE..HEAD", conflicts_with_all = ["staged", "branch"])]
    pub range: Option<String>,
    /// The staged content of added and modified files versus HEAD (pre-commit hooks).
    #[arg(long, conflicts_with_all = ["branch", "all_objects"])]
    pub staged: bool,
    /// Only history reachable from this ref.
    #[arg(long)]
    pub branch: Option<String>,
    /// Also scan blobs in the object database that no ref reaches.
    #[arg(long)]
    pub all_objects: bool,
    /// Put commit author name and email on findings (never in fingerprints).
    #[arg(long)]
    pub include_author: bool,
    /// Search every version of every blob in full, instead of only what each delta adds
    /// (same findings, slower; for checking the delta scan).
    #[arg(long)]
    pub no_delta_scan: bool,
    /// Tag every finding with the repository it came from (for `merge`; default: the
    /// `origin` remote's URL without credentials).
    #[arg(long, value_name = "NAME")]
    pub label: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Flags shared by every scanning command.
#[derive(Args, Debug)]
pub struct CommonArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Write the report here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Print secrets in full (every format redacts them by default).
    #[arg(long)]
    pub show_secrets: bool,
    /// No summary line and no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Worker threads (default: number of CPUs).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Skip files (and blobs) larger than this (bytes, or with K/M/G, KiB/MiB/GiB).
    #[arg(long, default_value = "50MiB", value_parser = parse_size)]
    pub max_file_size: u64,
    /// How deep archives may nest before they are no longer opened.
    #[arg(long, default_value_t = leakhound::source::extract::MAX_DEPTH)]
    pub archive_depth: usize,
    /// Entries read per archive.
    #[arg(long, default_value_t = leakhound::source::extract::MAX_ENTRIES)]
    pub max_archive_entries: usize,
    /// Bytes read per archive member (K/M/G suffixes).
    #[arg(long, default_value = "256MiB", value_parser = parse_size)]
    pub max_entry_size: u64,
    /// Decompressed bytes read per input, all members together (K/M/G suffixes).
    #[arg(long, default_value = "2GiB", value_parser = parse_size)]
    pub max_archive_total: u64,
    /// Largest decompressed/compressed ratio accepted for a member (zip-bomb guard).
    #[arg(long, default_value_t = leakhound::source::extract::MAX_RATIO)]
    pub max_ratio: u64,
    /// Text decoded from one binary member (DEX, binary XML, resource tables, plists, strings)
    /// may be this many times the member's size.
    #[arg(long, default_value_t = leakhound::source::extract::MAX_DECODED_RATIO)]
    pub max_decoded_ratio: u64,
    /// ... but a member may always decode to this much (K/M/G suffixes).
    #[arg(long, default_value = "16MiB", value_parser = parse_size)]
    pub decoded_floor: u64,
    /// How deep plist containers and asar directories may nest (at most 1024: plist values
    /// are flattened recursively once their depth is checked).
    #[arg(long, default_value_t = leakhound::source::extract::MAX_NESTING,
          value_parser = parse_nesting)]
    pub max_nesting: usize,
    /// Warnings shown per input; the rest are counted in one line.
    #[arg(long, default_value_t = leakhound::source::extract::MAX_WARNINGS)]
    pub max_warnings: usize,
    /// Do not check found JWTs against the keys found in the same scan or known secrets.
    #[arg(long)]
    pub no_verify: bool,
    /// How many distinct unverified HS tokens to check against the 103,978 common JWT
    /// secrets (about 12 ms each on 2 cores): `auto` scales with the bytes scanned so the
    /// check stays under 10% of scan time (at least 2, at most 64); `all` for audits.
    #[arg(long, value_name = "auto|all|N", default_value = "auto", value_parser = parse_weak)]
    pub weak_secrets: WeakSecrets,
    /// Unix time to treat as now when deciding whether a token has expired.
    #[arg(long)]
    pub now: Option<i64>,
    /// Configuration file (default: `.leakhound.toml` at the scan root or repository root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not report findings recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every current finding in this baseline file and report none of them.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// List baseline entries that no longer match a finding (stale).
    #[arg(long, requires = "baseline")]
    pub baseline_report: bool,
    /// Remove stale entries from the baseline file (full scans only).
    #[arg(long, requires = "baseline")]
    pub prune_baseline: bool,
    /// Exit 1 only for findings of at least this severity (others are still reported).
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    pub fail_on: FailOn,
    /// SARIF `runAutomationDetails.id` prefix, so GitHub keeps runs of different scans apart.
    #[arg(long, value_name = "CATEGORY")]
    pub sarif_category: Option<String>,
}

/// `--fail-on` levels.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Any finding.
    Low,
    /// Medium and above.
    Medium,
    /// High and critical.
    High,
    /// Critical only.
    Critical,
    /// Never: always exit 0 unless an input failed.
    Never,
}

impl FailOn {
    /// The lowest severity that fails, or `None` for never.
    pub fn threshold(self) -> Option<leakhound::finding::Severity> {
        use leakhound::finding::Severity;
        match self {
            FailOn::Low => Some(Severity::Low),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::High => Some(Severity::High),
            FailOn::Critical => Some(Severity::Critical),
            FailOn::Never => None,
        }
    }
}

/// The `--weak-secrets` budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeakSecrets {
    /// Scaled with the bytes scanned.
    Auto,
    /// At most this many tokens.
    Tokens(usize),
}

fn parse_weak(s: &str) -> Result<WeakSecrets, String> {
    match s {
        "auto" => Ok(WeakSecrets::Auto),
        "all" => Ok(WeakSecrets::Tokens(usize::MAX)),
        n => n
            .parse()
            .map(WeakSecrets::Tokens)
            .map_err(|_| format!("expected auto, all or a number, not {n:?}")),
    }
}

impl CommonArgs {
    /// The archive limits these flags set.
    pub fn limits(&self) -> leakhound::source::extract::Limits {
        leakhound::source::extract::Limits {
            max_depth: self.archive_depth,
            max_entries: self.max_archive_entries,
            max_entry_bytes: self.max_entry_size,
            max_total_bytes: self.max_archive_total,
            max_ratio: self.max_ratio,
            max_decoded_ratio: self.max_decoded_ratio,
            decoded_floor: self.decoded_floor,
            max_nesting: self.max_nesting,
            max_warnings: self.max_warnings,
        }
    }
}

/// A nesting depth between 1 and 1024.
fn parse_nesting(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n @ 1..=1024) => Ok(n),
        _ => Err(format!("{s:?} is not a depth from 1 to 1024")),
    }
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

/// `--format` values; the report module names the formats, this only spells them for clap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Human-readable, grouped by file.
    Text,
    /// One JSON document.
    Json,
    /// One JSON finding per line.
    Jsonl,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitLab secret-detection report (artifacts:reports:secret_detection).
    Gitlab,
    /// One self-contained HTML page: summary, charts, filterable findings, proof graph.
    Html,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Text => Format::Text,
            FormatArg::Json => Format::Json,
            FormatArg::Jsonl => Format::Jsonl,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Gitlab => Format::Gitlab,
            FormatArg::Html => Format::Html,
        }
    }
}

impl GitArgs {
    /// What to scan, from the flags and (for the pre-commit hook) git's environment.
    pub fn mode(&self) -> anyhow::Result<Mode> {
        let args = self;
        if args.staged {
            // pre-commit names the refs of a push (or of `run --from-ref/--to-ref`): the hook
            // then scans what they add, since the index has nothing to do with a push.
            let env = |k| std::env::var(k).ok().filter(|v| !v.is_empty());
            if let (Some(base), Some(head)) = (env("PRE_COMMIT_FROM_REF"), env("PRE_COMMIT_TO_REF"))
            {
                return Ok(Mode::Range { base, head });
            }
            // During `git commit -a`, `git commit PATH` and in linked work trees git hands its
            // hooks the index to commit in GIT_INDEX_FILE, relative to the hook's directory.
            let index = std::env::var_os("GIT_INDEX_FILE")
                .filter(|v| !v.is_empty())
                .map(|v| std::env::current_dir().unwrap_or_default().join(v));
            return Ok(Mode::Staged { index });
        }
        if let Some(rev) = &args.since {
            return Ok(Mode::Range {
                base: rev.clone(),
                head: "HEAD".into(),
            });
        }
        if let Some(range) = &args.range {
            let (base, head) = range
                .split_once("...")
                .or_else(|| range.split_once(".."))
                .ok_or_else(|| anyhow::anyhow!("--range {range}: expected BASE..HEAD"))?;
            let head = if head.is_empty() { "HEAD" } else { head };
            return Ok(Mode::Range {
                base: base.into(),
                head: head.into(),
            });
        }
        Ok(Mode::History {
            branch: args.branch.clone(),
            all_objects: args.all_objects,
        })
    }
}
