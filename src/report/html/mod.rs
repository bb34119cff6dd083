//! One self-contained HTML page for the people who act on an audit: what was scanned, totals,
//! charts, the findings (filterable when scripts run, complete when they do not), the proof
//! graph and what to do per rule. Nothing is loaded from the network; every string from the
//! scanned input is escaped ([`escape::Esc`]); secrets stay redacted unless shown on purpose.

mod chart;
mod escape;
mod graph;
mod page;
mod remedy;
mod table;

use super::ReportOptions;
use crate::finding::{ScanResult, Severity};
use crate::rules::RuleSet;
use std::collections::HashMap;
use std::io::{self, Write};

/// The opening and end of a block the page's script builds on demand (findings rows, proof
/// graph parts): inside `<noscript>` it is plain HTML without scripts and one text node
/// with them. Nothing inside can end the `<noscript>` early: all text in it is escaped.
const LAZY_OPEN: &str = "<div class=\"lazy\"><noscript>";
const LAZY_CLOSE: &str = "</noscript></div>";

/// Writes the page for `result`; `opts.scan` fills the header.
pub fn write(
    out: &mut dyn Write,
    result: &ScanResult,
    rules: &RuleSet,
    opts: &ReportOptions,
) -> io::Result<()> {
    let tally = Tally::new(result);
    let graph = graph::Graph::build(&result.findings);
    page::head(out, opts)?;
    page::header(out, result, &tally, opts)?;
    chart::write(out, &tally)?;
    table::areas(out, &tally)?;
    table::findings(out, result, &tally, &graph, opts)?;
    graph::write(out, &graph, &result.findings)?;
    remedy::write(out, &tally, rules)?;
    page::tail(out)
}

/// Counts per severity (in [`Severity::ALL`] order), per rule and per top-level area.
pub(crate) struct Tally {
    by_severity: [usize; 4],
    /// Rules, most findings first.
    by_rule: Vec<(String, [usize; 4])>,
    /// Top-level directories and files, most findings first.
    by_area: Vec<(String, [usize; 4])>,
    /// Index of a rule in `by_rule`, its remediation anchor.
    rule_index: HashMap<String, usize>,
}

impl Tally {
    fn new(result: &ScanResult) -> Tally {
        let mut by_severity = [0; 4];
        let mut rules: HashMap<&str, [usize; 4]> = HashMap::new();
        let mut areas: HashMap<String, [usize; 4]> = HashMap::new();
        for f in &result.findings {
            let s = severity_index(f.severity);
            by_severity[s] += 1;
            rules.entry(&f.rule_id).or_default()[s] += 1;
            // A merged report's areas are per repository: `[acme/api] src/`.
            let place = match &f.label {
                Some(l) => format!("[{l}] {}", area(&f.path)),
                None => area(&f.path).to_string(),
            };
            areas.entry(place).or_default()[s] += 1;
        }
        let by_rule = ranked(rules.into_iter().map(|(k, c)| (k.to_string(), c)).collect());
        let rule_index = by_rule
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (id.clone(), i))
            .collect();
        Tally {
            by_severity,
            by_rule,
            by_area: ranked(areas),
            rule_index,
        }
    }

    /// The remediation anchor number of a rule in this report.
    fn rule_anchor(&self, id: &str) -> usize {
        self.rule_index.get(id).copied().unwrap_or_default()
    }
}

fn severity_index(s: Severity) -> usize {
    Severity::ALL.iter().position(|&x| x == s).unwrap_or(0)
}

/// Most findings first, then by name, so the order is stable.
fn ranked(counts: HashMap<String, [usize; 4]>) -> Vec<(String, [usize; 4])> {
    let mut v: Vec<(String, [usize; 4])> = counts.into_iter().collect();
    v.sort_by(|a, b| {
        let total = |c: &[usize; 4]| c.iter().sum::<usize>();
        total(&b.1).cmp(&total(&a.1)).then_with(|| a.0.cmp(&b.0))
    });
    v
}

/// The top-level directory (`src/`) or file (`app.apk`, `.env`) a path is under; findings in
/// archive members carry the outer file as their path already.
fn area(path: &str) -> &str {
    let p = path.trim_start_matches("./").trim_start_matches('/');
    match p.find('/') {
        Some(i) => &p[..=i],
        None => p,
    }
}

#[cfg(test)]
mod tests {
    use super::area;

    #[test]
    fn areas_are_top_level_directories_or_files() {
        assert_eq!(area("src/a/b.js"), "src/");
        assert_eq!(area("app.apk"), "app.apk");
        assert_eq!(area("./x/y"), "x/");
        assert_eq!(area("/abs/file"), "abs/");
        assert_eq!(area(".env"), ".env");
    }
}
