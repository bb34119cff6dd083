//! What to do about each rule that fired: the rule's own description, remediation and
//! references, from its pattern file.

use super::escape::Esc;
use super::Tally;
use crate::rules::RuleSet;
use std::io::{self, Write};

/// One entry per rule in the report, anchored `r{n}` for the table's rule links.
pub fn write(out: &mut dyn Write, tally: &Tally, rules: &RuleSet) -> io::Result<()> {
    writeln!(
        out,
        "<section id=\"remediation\"><h2>What to do, per rule</h2><dl class=\"remedy\">"
    )?;
    for (n, (id, counts)) in tally.by_rule.iter().enumerate() {
        let total: usize = counts.iter().sum();
        let Some(rule) = rules.get(id) else {
            // A merged report may name a rule this build does not know.
            writeln!(
                out,
                "<dt id=\"r{n}\">{} ({total})</dt><dd>Not a rule of this leakhound build.</dd>",
                Esc(id)
            )?;
            continue;
        };
        let spec = &rule.spec;
        writeln!(
            out,
            "<dt id=\"r{n}\"><code>{}</code> {} ({total})</dt><dd><p>{}</p><p><b>Fix:</b> {}</p>",
            Esc(id),
            Esc(&spec.name),
            Esc(&spec.description),
            Esc(&spec.remediation)
        )?;
        // Only web links become links: a configuration's rule could say `javascript:`.
        let links: Vec<&String> = spec
            .references
            .iter()
            .filter(|r| r.starts_with("https://") || r.starts_with("http://"))
            .collect();
        if !links.is_empty() {
            write!(out, "<p>See:")?;
            for r in links {
                write!(out, " <a href=\"{0}\" rel=\"noreferrer\">{0}</a>", Esc(r))?;
            }
            writeln!(out, "</p>")?;
        }
        writeln!(out, "</dd>")?;
    }
    writeln!(out, "</dl></section>")
}
