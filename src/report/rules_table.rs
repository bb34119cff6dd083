//! `rules list`: every rule with its severity, when it is reported, its name and tags, as
//! aligned text or a Markdown table.

use crate::rules::{Report, RuleSet};
use std::io::{self, Write};

/// Writes one line per rule (a Markdown table when `markdown`).
pub fn rules_table(out: &mut dyn Write, rules: &RuleSet, markdown: bool) -> io::Result<()> {
    if markdown {
        writeln!(
            out,
            "| id | name | severity | reported | tags |\n|---|---|---|---|---|"
        )?;
    }
    for r in &rules.rules {
        let s = &r.spec;
        let reported = match s.report {
            Report::Always => "always",
            Report::WhenProven => "when proven",
            Report::Never => "never (evidence)",
        };
        if markdown {
            writeln!(
                out,
                "| `{}` | {} | {} | {reported} | {} |",
                s.id,
                s.name,
                s.severity.as_str(),
                s.tags.join(", ")
            )?;
        } else {
            writeln!(
                out,
                "{:<32} {:<9} {:<16} {:<50} {}",
                s.id,
                s.severity.as_str(),
                reported,
                s.name,
                s.tags.join(",")
            )?;
        }
    }
    Ok(())
}
