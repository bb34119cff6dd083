//! Human-readable output: findings grouped by file, then one summary line.

use super::{terminal_safe, ReportOptions};
use crate::finding::{App, ScanResult};
use crate::finding::{Finding, Occurrence, Severity};
use std::io::{self, Write};

/// Other places of a merged secret listed under it; the rest are counted (JSON lists all).
const SHOWN_OCCURRENCES: usize = 10;

/// Printed under findings, so a blocked commit says what to do about a reviewed one.
const HOW_TO_ACCEPT: &str = "Reviewed and not a leak? Add a `leakhound:allow` comment on its line, an allowlist entry in .leakhound.toml, or record it with --write-baseline FILE and scan with --baseline FILE.";

/// Writes findings grouped by file and the summary line.
pub fn write(out: &mut dyn Write, result: &ScanResult, opts: &ReportOptions) -> io::Result<()> {
    let mut current: Option<String> = None;
    for f in &result.findings {
        let location = labelled(f.label.as_deref(), &f.location());
        if current.as_deref() != Some(location.as_str()) {
            if current.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}", paint(opts, "1", &terminal_safe(&location)))?;
            current = Some(location);
        }
        write_finding(out, f, opts)?;
        write_also_in(out, &f.also_in)?;
    }
    if !opts.quiet {
        if !result.findings.is_empty() {
            writeln!(out, "\n{HOW_TO_ACCEPT}")?;
        }
        for app in &result.summary.apps {
            writeln!(out, "{}", terminal_safe(&app_line(app)))?;
        }
        writeln!(out, "{}", summary_line(result))?;
    }
    Ok(())
}

/// `app shop.apk: android com.acme.shop 2.1 · SDKs: AWS, Firebase · secrets: AWS 2`
fn app_line(app: &App) -> String {
    let mut line = format!("app {}:", app.path);
    for part in [&app.platform, &app.package, &app.version]
        .into_iter()
        .flatten()
    {
        line.push(' ');
        line.push_str(part);
    }
    if !app.sdks.is_empty() {
        line.push_str(&format!(" · SDKs: {}", app.sdks.join(", ")));
    }
    let secrets: Vec<String> = app
        .secrets
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    let secrets = if secrets.is_empty() {
        "none".to_string()
    } else {
        secrets.join(", ")
    };
    line + &format!(" · secrets: {secrets}")
}

/// `[label] place` for a labelled finding (`--label`, `merge`), else `place`.
fn labelled(label: Option<&str>, place: &str) -> String {
    match label {
        Some(l) => format!("[{l}] {place}"),
        None => place.to_string(),
    }
}

/// `      also in [label] path:line:col (commit abc1234)` for each other place of a merged
/// secret.
fn write_also_in(out: &mut dyn Write, also_in: &[Occurrence]) -> io::Result<()> {
    for o in also_in.iter().take(SHOWN_OCCURRENCES) {
        let mut place = format!(
            "{}:{}:{}",
            crate::source::member::display(&o.path, o.member.as_deref()),
            o.start.line,
            o.start.column
        );
        if let Some(c) = &o.commit {
            place.push_str(&format!(" (commit {})", short(&c.id)));
        }
        let place = labelled(o.label.as_deref(), &place);
        writeln!(out, "      also in {}", terminal_safe(&place))?;
    }
    if also_in.len() > SHOWN_OCCURRENCES {
        let more = also_in.len() - SHOWN_OCCURRENCES;
        writeln!(
            out,
            "      also in {more} more place(s) (--format json lists all)"
        )?;
    }
    Ok(())
}

/// The 7-digit abbreviation of a commit id.
fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

fn write_finding(out: &mut dyn Write, f: &Finding, opts: &ReportOptions) -> io::Result<()> {
    let sev = paint(
        opts,
        severity_colour(f.severity),
        &format!("{:<8}", f.severity.as_str()),
    );
    // History findings read as `abc1234 path:line:col`, so the commit can be shown directly.
    let place = match &f.commit {
        Some(c) => format!(
            "{} {}:{}:{}",
            short(&c.id),
            f.path,
            f.start.line,
            f.start.column
        ),
        None => format!("{}:{}", f.start.line, f.start.column),
    };
    let place = match &f.detail {
        Some(d) => format!("{place} ({d})"),
        None => place,
    };
    let again = match f.later_occurrences {
        0 => String::new(),
        n => format!(" (+{n} later commits)"),
    };
    // One finding, one line: multi-line secrets (PEM blocks) show their line breaks escaped,
    // and nothing from the scanned input reaches the terminal as a control sequence.
    writeln!(
        out,
        "  {}  {sev}  {}  {}{again}  fp={}\n      {}",
        terminal_safe(&place),
        terminal_safe(&f.rule_id),
        terminal_safe(&super::message(f)),
        f.fingerprint.get(..12).unwrap_or(&f.fingerprint),
        terminal_safe(&f.excerpt(opts.show_secrets)),
    )
}

fn severity_colour(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
    }
}

fn paint(opts: &ReportOptions, code: &str, s: &str) -> String {
    if opts.color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// `files, bytes, findings by severity, skipped, errors, elapsed` in one line.
pub fn summary_line(result: &ScanResult) -> String {
    let s = &result.summary;
    let by_sev: Vec<String> = Severity::ALL
        .iter()
        .map(|&sev| {
            let n = result.findings.iter().filter(|f| f.severity == sev).count();
            format!("{} {}", n, sev.as_str())
        })
        .collect();
    let mut line = format!(
        "scanned {} files ({}); {} findings ({}); skipped {} binary, {} too large",
        s.files,
        human_bytes(s.bytes),
        result.findings.len(),
        by_sev.join(", "),
        s.binary_skipped,
        s.too_large.len(),
    );
    if s.ignored > 0 {
        line.push_str(&format!(
            ", {} by ignore rules (--no-ignore scans them)",
            s.ignored
        ));
    }
    if !s.suppressed.is_empty() {
        let total: usize = s.suppressed.values().sum();
        line.push_str(&format!(
            "; {total} suppressed ({})",
            s.suppressed_by_mechanism()
        ));
    }
    if !s.too_large.is_empty() {
        let names: Vec<std::borrow::Cow<str>> = s
            .too_large
            .iter()
            .take(5)
            .map(|t| terminal_safe(&t.path))
            .collect();
        let more = s.too_large.len().saturating_sub(names.len());
        line.push_str(&format!(
            " [{}{}]",
            names.join(", "),
            if more > 0 {
                format!(", +{more} more")
            } else {
                String::new()
            }
        ));
    }
    line.push_str(&format!(
        "; {} errors; {:.2}s",
        s.errors.len(),
        s.elapsed.as_secs_f64()
    ));
    line
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
