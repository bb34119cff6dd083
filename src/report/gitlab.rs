//! GitLab's secret-detection report (`artifacts:reports:secret_detection`, schema 15.x), so
//! findings show in merge requests and the vulnerability report. Secrets stay redacted.

use super::ReportOptions;
use crate::finding::{hex, Finding, ScanResult, Severity};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::io::{self, Write};

/// The report schema version this writer follows.
const SCHEMA_VERSION: &str = "15.0.7";
/// What GitLab's own analyzer writes when findings have no commit (plain file scans).
const NO_COMMIT: &str = "0000000";

/// Writes one report document.
pub fn write(out: &mut dyn Write, result: &ScanResult, opts: &ReportOptions) -> io::Result<()> {
    let end = opts.now;
    let start = end - result.summary.elapsed.as_secs() as i64;
    let tool = json!({
        "id": "leakhound",
        "name": "leakhound",
        "version": env!("CARGO_PKG_VERSION"),
        "vendor": { "name": "leakhound" },
    });
    let doc = json!({
        "version": SCHEMA_VERSION,
        "vulnerabilities": result.findings.iter().map(|f| vulnerability(f, opts)).collect::<Vec<_>>(),
        "scan": {
            "analyzer": tool,
            "scanner": tool,
            "type": "secret_detection",
            "start_time": timestamp(start),
            "end_time": timestamp(end),
            "status": "success",
        },
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

fn vulnerability(f: &Finding, opts: &ReportOptions) -> Value {
    json!({
        "id": uuid_like(f),
        "category": "secret_detection",
        "name": f.rule_name,
        "description": super::message(f),
        "severity": severity(f.severity),
        "confidence": capitalised(f.confidence.as_str()),
        "raw_source_code_extract": f.display_secret(opts.show_secrets),
        "scanner": { "id": "leakhound", "name": "leakhound" },
        "location": {
            "file": f.location(),
            "start_line": f.start.line,
            "end_line": f.end.line,
            "commit": { "sha": f.commit.as_ref().map_or(NO_COMMIT, |c| c.id.as_str()) },
        },
        "identifiers": [{
            "type": "leakhound_rule_id",
            "name": format!("leakhound rule {}", f.rule_id),
            "value": f.rule_id,
        }],
    })
}

/// A stable id per (location, fingerprint), in UUID form as GitLab expects.
fn uuid_like(f: &Finding) -> String {
    let mut h = Sha256::new();
    h.update(f.location().as_bytes());
    h.update([0]);
    h.update(f.fingerprint.as_bytes());
    let x = hex(&h.finalize()[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC, the schema's date-time pattern (civil-from-days, H. Hinnant).
pub(super) fn timestamp(unix: i64) -> String {
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_are_utc_civil_dates() {
        assert_eq!(super::timestamp(0), "1970-01-01T00:00:00");
        assert_eq!(super::timestamp(1_764_000_000), "2025-11-24T16:00:00");
        assert_eq!(super::timestamp(951_782_400), "2000-02-29T00:00:00");
    }
}
