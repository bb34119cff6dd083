//! The tables: counts per top-level directory or artifact, and the findings themselves (most
//! severe first), each row carrying its severity and rule as data for the filter script.

use super::escape::Esc;
use super::graph::Graph;
use super::Tally;
use super::{LAZY_CLOSE, LAZY_OPEN};
use crate::finding::{Finding, JwtInfo, Occurrence, ScanResult, Severity};
use crate::report::{flag, gitlab::timestamp, message, ReportOptions};
use std::io::{self, Write};

/// Findings rows per table. The rows are split into tables of fixed column widths, each in a
/// block the browser lays out only when it scrolls into view (`content-visibility`, which
/// does not apply to table boxes themselves): laying out one 10,000-row table was most of
/// the time a large report took to open. Each block's table is inside `<noscript>`: shown
/// as it is without scripts, read as one text node with them, and turned into rows by the
/// script when it comes near the view (parsing every row up front was the rest of the time).
const CHUNK_ROWS: usize = 200;
/// The column widths every findings table shares, so the split tables line up.
const COLUMNS: &str = "<colgroup><col class=\"c-sev\"><col class=\"c-rule\"><col class=\"c-loc\">\
    <col class=\"c-ex\"><col><col class=\"c-jwt\"><col class=\"c-proof\"></colgroup>";

/// Rows of the per-directory table; the rest are summed in one row.
const SHOWN_AREAS: usize = 100;

/// Counts per top-level directory or artifact (the outer file of members).
pub fn areas(out: &mut dyn Write, tally: &Tally) -> io::Result<()> {
    writeln!(
        out,
        "<section id=\"areas\"><h2>Findings per top-level directory or artifact</h2>\n\
         <table class=\"counts\"><thead><tr><th>Directory or file</th>"
    )?;
    for s in Severity::ALL {
        write!(out, "<th>{}</th>", s.as_str())?;
    }
    writeln!(out, "<th>total</th></tr></thead><tbody>")?;
    for (area, counts) in tally.by_area.iter().take(SHOWN_AREAS) {
        count_row(out, &Esc(area).to_string(), counts)?;
    }
    if tally.by_area.len() > SHOWN_AREAS {
        let mut rest = [0; 4];
        for (_, c) in &tally.by_area[SHOWN_AREAS..] {
            for (r, n) in rest.iter_mut().zip(c) {
                *r += n;
            }
        }
        let label = format!("{} more", tally.by_area.len() - SHOWN_AREAS);
        count_row(out, &label, &rest)?;
    }
    writeln!(out, "</tbody></table></section>")
}

fn count_row(out: &mut dyn Write, label_html: &str, counts: &[usize; 4]) -> io::Result<()> {
    write!(out, "<tr><td class=\"mono\">{label_html}</td>")?;
    for n in counts {
        write!(out, "<td class=\"n\">{n}</td>")?;
    }
    writeln!(
        out,
        "<td class=\"n\">{}</td></tr>",
        counts.iter().sum::<usize>()
    )
}

/// The filter form (shown by the script) and the findings table.
pub fn findings(
    out: &mut dyn Write,
    result: &ScanResult,
    tally: &Tally,
    graph: &Graph,
    opts: &ReportOptions,
) -> io::Result<()> {
    writeln!(out, "<section id=\"list\"><h2>Findings</h2>")?;
    filters(out, tally)?;
    writeln!(
        out,
        "<p id=\"shown\" class=\"note\">{} findings</p>\n<table class=\"ft\" id=\"findings-head\">\
         {COLUMNS}<thead><tr><th>Severity</th><th>Rule</th><th>Location</th><th>Excerpt</th>\
         <th>What was found</th><th>Token claims (UTC) and flags</th><th>Proof</th></tr></thead>\
         </table>\n<div id=\"findings\">",
        result.findings.len()
    )?;
    let mut order: Vec<usize> = (0..result.findings.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(result.findings[i].severity));
    for chunk in order.chunks(CHUNK_ROWS) {
        writeln!(out, "{LAZY_OPEN}<table class=\"ft\">{COLUMNS}<tbody>")?;
        for &i in chunk {
            row(out, &result.findings, i, tally, graph, opts)?;
        }
        writeln!(out, "</tbody></table>{LAZY_CLOSE}")?;
    }
    writeln!(out, "</div></section>")
}

fn filters(out: &mut dyn Write, tally: &Tally) -> io::Result<()> {
    writeln!(
        out,
        "<form id=\"filters\" hidden><label>Search <input type=\"search\" name=\"q\" \
         placeholder=\"path, rule, claim, message\"></label><span>"
    )?;
    for s in Severity::ALL {
        write!(
            out,
            "<label><input type=\"checkbox\" name=\"severity\" value=\"{0}\" checked> {0}</label> ",
            s.as_str()
        )?;
    }
    writeln!(
        out,
        "</span><label>Rule <select name=\"rule\"><option value=\"\">all rules</option>"
    )?;
    for (rule, counts) in &tally.by_rule {
        writeln!(
            out,
            "<option value=\"{0}\">{0} ({1})</option>",
            Esc(rule),
            counts.iter().sum::<usize>()
        )?;
    }
    writeln!(out, "</select></label></form>")
}

fn row(
    out: &mut dyn Write,
    findings: &[Finding],
    i: usize,
    tally: &Tally,
    graph: &Graph,
    opts: &ReportOptions,
) -> io::Result<()> {
    let f = &findings[i];
    let sev = f.severity.as_str();
    let rule = Esc(&f.rule_id);
    write!(
        out,
        "<tr id=\"f{i}\" data-s=\"{sev}\" data-r=\"{rule}\"><td>{sev}</td>\
         <td><a href=\"#r{}\">{rule}</a>\n{} confidence</td><td>",
        tally.rule_anchor(&f.rule_id),
        f.confidence.as_str()
    )?;
    location(out, f)?;
    write!(
        out,
        "</td><td>{}</td><td>{}</td><td>",
        Esc(&f.excerpt(opts.show_secrets)),
        Esc(&message(f))
    )?;
    if let Some(j) = &f.jwt {
        claims(out, j)?;
    }
    write!(out, "</td><td>")?;
    proof(out, findings, i, graph)?;
    writeln!(out, "</td></tr>")
}

/// Other places of a merged secret listed in its row; the JSON report lists all.
const SHOWN_OCCURRENCES: usize = 10;

/// `[label] path!member:line:col (detail)`, the commit that introduced it, the other places
/// a merge saw the same secret, the fingerprint.
fn location(out: &mut dyn Write, f: &Finding) -> io::Result<()> {
    if let Some(l) = &f.label {
        write!(out, "[{}] ", Esc(l))?;
    }
    write!(
        out,
        "{}:{}:{}",
        Esc(&f.location()),
        f.start.line,
        f.start.column
    )?;
    if let Some(d) = &f.detail {
        write!(out, " ({})", Esc(d))?;
    }
    if let Some(c) = &f.commit {
        write!(
            out,
            "\ncommit <abbr title=\"{0}\">{1}</abbr> {2}",
            Esc(&c.id),
            Esc(c.id.get(..10).unwrap_or(&c.id)),
            timestamp(c.time).get(..10).unwrap_or_default()
        )?;
        if let Some(a) = &c.author {
            write!(out, " {}", Esc(a))?;
        }
    }
    if f.later_occurrences > 0 {
        write!(out, "\n+{} later commits", f.later_occurrences)?;
    }
    also_in(out, &f.also_in)?;
    write!(
        out,
        "\nfp {}",
        Esc(f.fingerprint.get(..12).unwrap_or(&f.fingerprint))
    )
}

fn also_in(out: &mut dyn Write, places: &[Occurrence]) -> io::Result<()> {
    for o in places.iter().take(SHOWN_OCCURRENCES) {
        write!(out, "\nalso in ")?;
        if let Some(l) = &o.label {
            write!(out, "[{}] ", Esc(l))?;
        }
        let place = crate::source::member::display(&o.path, o.member.as_deref());
        write!(out, "{}:{}", Esc(&place), o.start.line)?;
        if let Some(c) = &o.commit {
            write!(out, " commit {}", Esc(c.id.get(..10).unwrap_or(&c.id)))?;
        }
    }
    if places.len() > SHOWN_OCCURRENCES {
        write!(
            out,
            "\nalso in {} more place(s)",
            places.len() - SHOWN_OCCURRENCES
        )?;
    }
    Ok(())
}

/// The decoded claims a reader needs to judge a token (personal ones arrive masked), and
/// its flags.
fn claims(out: &mut dyn Write, j: &JwtInfo) -> io::Result<()> {
    write!(out, "alg {}", Esc(&j.alg))?;
    // `typ JWT` says nothing; another type does.
    let typ = j.typ.as_ref().filter(|t| !t.eq_ignore_ascii_case("jwt"));
    let text = [
        ("typ", typ),
        ("iss", j.iss.as_ref()),
        ("sub", j.sub.as_ref()),
        ("aud", j.aud.as_ref()),
    ];
    for (k, v) in text {
        if let Some(v) = v {
            write!(out, "\n{k} {}", Esc(v))?;
        }
    }
    for (k, v) in [("iat", j.iat), ("exp", j.exp)] {
        if let Some(t) = v {
            write!(out, "\n{k} {}", minutes(t))?;
        }
    }
    for (k, v) in &j.personal {
        write!(out, "\n{} {}", Esc(k), Esc(v))?;
    }
    if !j.flags.is_empty() {
        writeln!(out)?;
    }
    for fl in &j.flags {
        write!(out, "<span class=\"flag\">{}</span>", flag(*fl))?;
    }
    Ok(())
}

/// `YYYY-MM-DD HH:MM`, in UTC.
fn minutes(unix: i64) -> String {
    let t = timestamp(unix);
    format!("{} {}", &t[..10], &t[11..16])
}

/// Links to the key that verifies this token and to the finding's place in the graph.
fn proof(out: &mut dyn Write, findings: &[Finding], i: usize, graph: &Graph) -> io::Result<()> {
    let f = &findings[i];
    if !f.signs.is_empty() {
        writeln!(out, "key: signs {} token(s)", f.signs.len())?;
    }
    if let Some(l) = &f.verified_by {
        writeln!(
            out,
            "verified by {} {}:{}",
            Esc(&l.rule_id),
            Esc(&l.location),
            l.line
        )?;
    }
    if graph.member[i] {
        write!(out, "<a href=\"#n{i}\">in the proof graph</a>")?;
    }
    Ok(())
}
