//! `leakhound rules`: the built-in rules as a table, and a check of every rule's examples.

use crate::cli::RulesAction;
use crate::{EXIT_CLEAN, EXIT_FINDINGS};
use anyhow::{Context, Result};
use leakhound::pipeline::{self, ScanOptions, Scanner};
use leakhound::report;
use leakhound::rules::RuleSet;
use std::io::Write;

pub fn rules(action: RulesAction) -> Result<u8> {
    let rules = RuleSet::builtin().context("built-in rules")?;
    match action {
        RulesAction::List { markdown } => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let written =
                report::rules_table(&mut out, &rules, markdown).and_then(|()| out.flush());
            match written {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(anyhow::Error::new(e).context("standard output"))
                }
                _ => Ok(EXIT_CLEAN),
            }
        }
        RulesAction::Check => {
            let scanner = Scanner::new(rules, ScanOptions::default());
            let (failures, count) = pipeline::check(&scanner);
            for f in &failures {
                outln!("FAIL {} {}: {}", f.rule, f.which, f.problem);
            }
            outln!(
                "{} rules, {} examples: {} passed, {} failed",
                scanner.rules.rules.len(),
                count,
                count - failures.len(),
                failures.len()
            );
            Ok(if failures.is_empty() {
                EXIT_CLEAN
            } else {
                EXIT_FINDINGS
            })
        }
    }
}
