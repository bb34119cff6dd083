//! Inline SVG bar charts: findings per severity, and per rule split by severity.

use super::escape::{clip, Esc};
use super::Tally;
use crate::finding::Severity;
use std::io::{self, Write};

const BAR_H: usize = 18;
const GAP: usize = 6;
const LABEL_W: usize = 260;
const BAR_W: usize = 360;
const COUNT_W: usize = 60;
/// Rule ids longer than this are cut in labels (the table shows them whole).
const LABEL_CHARS: usize = 34;

/// Both charts, in one section.
pub fn write(out: &mut dyn Write, tally: &Tally) -> io::Result<()> {
    writeln!(
        out,
        "<section id=\"chart\"><h2>Findings by severity and rule</h2>"
    )?;
    writeln!(out, "<div class=\"charts\">")?;
    let sev: Vec<(String, [usize; 4])> = Severity::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut counts = [0; 4];
            counts[i] = tally.by_severity[i];
            (s.as_str().to_string(), counts)
        })
        .collect();
    bars(out, "chart-severity", "Findings per severity", &sev)?;
    bars(out, "chart-rule", "Findings per rule", &tally.by_rule)?;
    writeln!(out, "</div></section>")
}

/// One horizontal bar per label, stacked by severity, scaled to the largest total.
fn bars(
    out: &mut dyn Write,
    id: &str,
    title: &str,
    rows: &[(String, [usize; 4])],
) -> io::Result<()> {
    let max = rows
        .iter()
        .map(|(_, c)| c.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let width = LABEL_W + BAR_W + COUNT_W;
    let height = rows.len().max(1) * (BAR_H + GAP) + GAP;
    writeln!(
        out,
        "<svg id=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{title}\"><title>{title}</title>"
    )?;
    for (row, (label, counts)) in rows.iter().enumerate() {
        let y = GAP + row * (BAR_H + GAP);
        let total: usize = counts.iter().sum();
        writeln!(
            out,
            "<g><title>{}: {total}</title><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            Esc(label),
            LABEL_W - 8,
            y + BAR_H - 5,
            Esc(&clip(label, LABEL_CHARS))
        )?;
        let mut x = LABEL_W;
        for (s, &n) in Severity::ALL.iter().zip(counts) {
            if n == 0 {
                continue;
            }
            // Every non-empty segment gets at least a pixel, so a count of 1 among 10,000 shows.
            let w = (n * BAR_W / max).max(1);
            writeln!(
                out,
                "<rect class=\"{}\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{BAR_H}\"/>",
                s.as_str()
            )?;
            x += w;
        }
        writeln!(
            out,
            "<text x=\"{}\" y=\"{}\">{total}</text></g>",
            x + 6,
            y + BAR_H - 5
        )?;
    }
    writeln!(out, "</svg>")
}
