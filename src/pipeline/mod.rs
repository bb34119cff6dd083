//! The whole pipeline, top to bottom: rules and configuration are loaded, a source (a file
//! walk or a git history) yields blobs, each blob goes through the [`Scanner`] (matcher →
//! detect → finding), and [`finish`] settles the scan's findings (proof → filters) before a
//! report writes them. Both the file scan and the history scan end in [`finish`]; [`merge`]
//! reads reports back instead of scanning.

mod apps;
mod check;
mod deltas;
mod expand;
mod files;
pub mod history;
mod merge;
mod originals;
mod progress;
mod scanner;

pub use check::{check, CheckFailure};
pub use expand::Expanded;
pub use files::run;
pub use merge::merge;
pub use scanner::{unix_now, ScanOptions, Scanner};

use crate::config::{self, Config, ConfigError};
use crate::filter::{self, baseline::Baseline, baseline::Entry};
use crate::finding::ScanResult;
use crate::proof;
use crate::rules::{RuleError, RuleSet};
use std::path::Path;

/// Why the rules and configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The built-in rules do not load (a build defect).
    #[error("built-in rules: {0}")]
    Rules(#[from] RuleError),
    /// The configuration file is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// The built-in rules with the configuration's applied (extra rules added, disabled ones
/// removed), and the configuration: `config` when given, else `.leakhound.toml` found from
/// `root`, else none.
pub fn rules_and_config(
    config: Option<&Path>,
    root: &Path,
) -> Result<(RuleSet, Config), SetupError> {
    let mut rules = RuleSet::builtin()?;
    let found = config
        .map(Path::to_path_buf)
        .or_else(|| config::discover(root));
    let mut cfg = match found {
        Some(path) => Config::load(&path, &rules)?,
        None => Config::default(),
    };
    cfg.apply_rules(&mut rules)?;
    Ok((rules, cfg))
}

/// How a scan's findings are settled.
#[derive(Debug, Default)]
pub struct FinishOptions {
    /// Verify tokens against the keys found (`--no-verify` turns it off).
    pub verify: bool,
    /// Tokens to check against the common JWT secret list; `None` picks a budget by the
    /// scan's size ([`proof::weak_budget`]).
    pub weak_tokens: Option<usize>,
    /// Accept every finding into a new baseline (`--write-baseline`).
    pub record_baseline: bool,
    /// Findings this baseline accepts leave the report.
    pub baseline: Option<Baseline>,
}

/// What settling a scan produced besides the filtered findings.
#[derive(Debug, Default)]
pub struct Finished {
    /// The baseline of every finding, when asked to record one.
    pub recorded: Option<Baseline>,
    /// Entries of the given baseline that nothing in this scan matched.
    pub stale: Vec<Entry>,
    /// The baseline given, handed back for pruning.
    pub baseline: Option<Baseline>,
}

/// Settles a scan: proof links tokens to the keys that sign them and drops unused key
/// material; then inline markers, the configuration's allowlist and severity overrides, and
/// the baseline remove what was accepted, each counted in the summary.
pub fn finish(
    result: &mut ScanResult,
    rules: &RuleSet,
    cfg: &Config,
    opts: FinishOptions,
) -> Finished {
    prove(result, rules, &opts);
    let counts = &mut result.summary.suppressed;
    filter::accepted(&mut result.findings, cfg, counts);
    let mut done = Finished::default();
    if opts.record_baseline {
        done.recorded = Some(filter::into_baseline(&mut result.findings, counts));
    }
    if let Some(baseline) = opts.baseline {
        done.stale = filter::baselined(&mut result.findings, &baseline, counts);
        done.baseline = Some(baseline);
    }
    apps::tally(result);
    done
}

/// Offline proof within the weak-secret budget; warns how many tokens it left.
fn prove(result: &mut ScanResult, rules: &RuleSet, opts: &FinishOptions) {
    let weak_tokens = opts
        .weak_tokens
        .unwrap_or_else(|| proof::weak_budget(result.summary.bytes));
    let popts = proof::ProofOptions {
        verify: opts.verify,
        weak_tokens,
    };
    let unchecked = proof::settle(&mut result.findings, rules, &popts);
    if unchecked > 0 {
        result.summary.warnings.push(format!(
            "{unchecked} HS token(s) not checked against the common JWT secret list (budget {weak_tokens} for this scan's size); --weak-secrets all checks them all"
        ));
    }
}
