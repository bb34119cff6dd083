//! The page around the sections: head with inline CSS and a content security policy, the
//! header saying what was scanned and what was found, and the filter script at the end.

use super::escape::Esc;
use super::Tally;
use crate::finding::{ScanResult, Severity};
use crate::report::ReportOptions;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::io::{self, Write};

const CSS: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("filter.js");
/// Errors, warnings and apps listed in the header; the rest are counted.
const SHOWN_NOTES: usize = 50;

/// `<head>` and the opening of `<body>`. The policy lets only this page's own script run
/// (by hash) and loads nothing: a name that escaped escaping still could not run, and the
/// file never reaches the network.
pub fn head(out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT));
    let inputs = opts.scan.inputs.join(", ");
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'sha256-{hash}'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>leakhound report: {}</title>\n<style>\n{CSS}</style></head>\n<body>",
        Esc(&inputs)
    )
}

/// The header: what was scanned, by which version, when; totals by severity; the red banner
/// when secrets are shown.
pub fn header(
    out: &mut dyn Write,
    result: &ScanResult,
    tally: &Tally,
    opts: &ReportOptions,
) -> io::Result<()> {
    writeln!(out, "<header><h1>leakhound report</h1>")?;
    if opts.show_secrets {
        writeln!(
            out,
            "<div class=\"banner\" id=\"secrets-shown\" role=\"alert\">This report shows \
             secrets in full (--show-secrets). Treat the file itself as a secret: do not \
             attach it to tickets, chats or e-mail.</div>"
        )?;
    } else {
        writeln!(
            out,
            "<p class=\"note\" id=\"redacted\">Secrets are redacted: each shows its first \
             characters and its length, as «abcd…(32)».</p>"
        )?;
    }
    scanned(out, result, opts)?;
    writeln!(out, "<ul class=\"totals\" id=\"totals\">")?;
    for (s, n) in Severity::ALL.iter().zip(tally.by_severity) {
        writeln!(out, "<li class=\"{0}\"><b>{n}</b>{0}</li>", s.as_str())?;
    }
    writeln!(
        out,
        "<li><b>{}</b>findings in all</li></ul>",
        result.findings.len()
    )?;
    notes(out, result)?;
    writeln!(out, "</header>")
}

fn scanned(out: &mut dyn Write, result: &ScanResult, opts: &ReportOptions) -> io::Result<()> {
    let info = &opts.scan;
    let s = &result.summary;
    let version = if info.version.is_empty() {
        env!("CARGO_PKG_VERSION")
    } else {
        &info.version
    };
    writeln!(out, "<dl class=\"meta\">")?;
    let mut row = |k: &str, v: &str| writeln!(out, "<dt>{k}</dt><dd>{}</dd>", Esc(v));
    if !info.inputs.is_empty() {
        row("Scanned", &info.inputs.join(", "))?;
    }
    if !info.mode.is_empty() {
        row("Mode", &info.mode)?;
    }
    if !info.refs.is_empty() {
        row("Refs", &info.refs.join(", "))?;
    }
    row(
        "Finished",
        &format!("{} UTC", crate::report::gitlab::timestamp(opts.now)),
    )?;
    row("leakhound", &format!("version {version}"))?;
    row(
        "Read",
        &format!(
            "{} files, {} bytes in {:.2} s; skipped {} binary, {} too large, {} ignored",
            s.files,
            s.bytes,
            s.elapsed.as_secs_f64(),
            s.binary_skipped,
            s.too_large.len(),
            s.ignored
        ),
    )?;
    if !s.suppressed.is_empty() {
        row("Suppressed", &s.suppressed_by_mechanism())?;
    }
    writeln!(out, "</dl>")
}

/// Inputs that failed, warnings and apps: each list capped, with the rest counted.
fn notes(out: &mut dyn Write, result: &ScanResult) -> io::Result<()> {
    let s = &result.summary;
    let errors: Vec<String> = s
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.path, e.cause))
        .collect();
    list(out, "errors", "Inputs that could not be read", &errors)?;
    list(out, "warnings", "Warnings", &s.warnings)?;
    let apps: Vec<String> = s
        .apps
        .iter()
        .map(|a| {
            let who = [&a.platform, &a.package, &a.version]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ");
            let secrets: Vec<String> = a.secrets.iter().map(|(k, n)| format!("{k} {n}")).collect();
            format!(
                "{}: {who}; SDKs: {}; secrets: {}",
                a.path,
                a.sdks.join(", "),
                secrets.join(", ")
            )
        })
        .collect();
    list(out, "apps", "Apps", &apps)
}

fn list(out: &mut dyn Write, id: &str, title: &str, items: &[String]) -> io::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<details id=\"{id}\"><summary>{title} ({})</summary><ul>",
        items.len()
    )?;
    for item in items.iter().take(SHOWN_NOTES) {
        writeln!(out, "<li class=\"mono\">{}</li>", Esc(item))?;
    }
    if items.len() > SHOWN_NOTES {
        writeln!(out, "<li>+{} more</li>", items.len() - SHOWN_NOTES)?;
    }
    writeln!(out, "</ul></details>")
}

/// The script and the end of the page.
pub fn tail(out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "<footer class=\"note\"><p>Written by leakhound. This page loads nothing from the \
         network; without scripts it shows every finding, with them the filters work.</p>\
         </footer>\n<script>{SCRIPT}</script>\n</body></html>"
    )
}
