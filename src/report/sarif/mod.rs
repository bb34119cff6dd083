//! SARIF 2.1.0 as GitHub code scanning ingests it: one run per repository (one for a scan),
//! one rule entry per rule that fired, relative URIs under `%SRCROOT%`, 1-based regions in UTF-16 columns, and
//! fingerprints that depend on the secret, never on line numbers.

use super::{nest, ReportOptions};
use crate::finding::ScanResult;
use crate::finding::{Finding, Severity};
use crate::rules::{Rule, RuleSet};
use locations::{occurrence_location, original_location, related_location, uri_reference};
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, RunAutomationDetails, Sarif,
    Tool, ToolComponent,
};
use std::collections::BTreeMap;
use std::io::{self, Write};

mod budget;
mod locations;
mod runs;

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/leakhound/leakhound";

/// GitHub code scanning rejects runs with more results than this.
pub const MAX_RESULTS: usize = 25_000;
/// A merged secret's other places listed per result as related locations; the result's
/// `places` property counts them all and the JSON report lists them. A secret shared by a
/// whole organisation is a result in every repository's run: listing every other place in
/// each made the log quadratic in the places, and most of it was cut for GitHub's size limit.
pub(super) const MAX_RELATED_PLACES: usize = 20;
/// GitHub code scanning rejects SARIF files larger than this once gzip-compressed.
pub const MAX_GZIP_BYTES: usize = 10 << 20;

/// Writes one SARIF log that GitHub accepts: one run per label (see [`runs`]), and past
/// GitHub's limits the lowest-severity results of each run are dropped, with a warning on
/// stderr naming how many and which severities.
pub fn write(
    out: &mut dyn Write,
    result: &ScanResult,
    rules: &RuleSet,
    opts: &ReportOptions,
) -> io::Result<()> {
    let groups = runs::groups(result);
    // Most severe first decides what stays; what stays keeps the report's order.
    let ranked: Vec<Vec<usize>> = groups
        .iter()
        .map(|g| {
            let mut r: Vec<usize> = (0..g.findings.len()).collect();
            r.sort_by_key(|&i| std::cmp::Reverse(g.findings[i].finding.severity));
            r
        })
        .collect();
    let measured = budget::measure(&groups, &ranked, rules, opts)?;
    let mut limit = budget::first_limit();
    let mut keep = budget::keep(&measured, limit);
    let many = groups.len() > 1;
    let runs: Vec<Run> = groups
        .iter()
        .zip(&measured)
        .map(|(g, m)| build_run(&m.fired, g.label, many, opts))
        .collect();
    let mut log = Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(runs)
        .build();
    run_properties(&mut log, result);
    let skeleton = serde_json::to_vec_pretty(&log)?;
    let text = loop {
        let text = splice(&skeleton, &measured, &keep);
        let size = budget::gzip_len(&text)?;
        if keep.iter().all(|&k| k == 0) || size <= MAX_GZIP_BYTES {
            break text;
        }
        // The runs compressed together, in the report's order, came out larger than
        // measured: aim lower by as much, and a little more.
        limit = (limit as f64 * MAX_GZIP_BYTES as f64 / size as f64 * 0.97) as usize;
        keep = budget::keep(&measured, limit);
    };
    let dropped: Vec<&Finding> = groups
        .iter()
        .zip(&ranked)
        .zip(&keep)
        .flat_map(|((g, r), &k)| r[k..].iter().map(|&i| g.findings[i].finding.as_ref()))
        .collect();
    if !dropped.is_empty() {
        runs::warn_dropped(&dropped);
    }
    out.write_all(&text)?;
    writeln!(out)
}

/// The log: `skeleton` (every run with an empty results array) with each run's first
/// `keep[r]` measured results, in the report's order, in place of its empty array.
fn splice(skeleton: &[u8], measured: &[budget::Measured], keep: &[usize]) -> Vec<u8> {
    let bytes: usize = measured.iter().zip(keep).map(|(m, &k)| m.bytes_of(k)).sum();
    let mut out = Vec::with_capacity(skeleton.len() + bytes + 2 * keep.len());
    let mut rest = skeleton;
    for (m, &k) in measured.iter().zip(keep) {
        let Some((head, tail)) = nest::split_at_empty(rest, "results", 6) else {
            break;
        };
        out.extend_from_slice(head);
        rest = tail;
        if k == 0 {
            continue;
        }
        let mut kept: Vec<&(usize, Vec<u8>)> = m.results[..k].iter().collect();
        kept.sort_unstable_by_key(|r| r.0);
        for (n, (_, bytes)) in kept.iter().enumerate() {
            out.extend_from_slice(if n == 0 { b"\n" } else { b",\n" });
            out.extend_from_slice(bytes);
        }
        out.extend_from_slice(b"\n      ");
    }
    out.extend_from_slice(rest);
    out
}

/// Findings accepted by a marker, the configuration or a baseline are not results; the first
/// run says how many there were, by mechanism, as the text and JSON summaries do. Apps among
/// the inputs (id, version, SDKs, secrets per SDK) go beside them.
fn run_properties(log: &mut Sarif, result: &ScanResult) {
    let Some(run) = log.runs.first_mut() else {
        return;
    };
    let mut extra = run
        .properties
        .take()
        .map(|p| p.additional_properties)
        .unwrap_or_default();
    if !result.summary.suppressed.is_empty() {
        extra.insert("suppressed".to_string(), json!(result.summary.suppressed));
    }
    if !result.summary.apps.is_empty() {
        extra.insert("apps".to_string(), json!(result.summary.apps));
    }
    if !extra.is_empty() {
        run.properties = Some(PropertyBag::builder().additional_properties(extra).build());
    }
}

/// The SARIF run of the repository `label` listing the rules `fired`, with an empty results
/// array the log's results are spliced into (see [`splice`]); `many` says the log holds other
/// runs, which GitHub keeps apart only by their `automationDetails.id`.
fn build_run(fired: &[&Rule], label: Option<&str>, many: bool, opts: &ReportOptions) -> Run {
    let driver = ToolComponent::builder()
        .name("leakhound")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(fired.iter().map(|r| descriptor(r)).collect::<Vec<_>>())
        .build();
    // upload-sarif's `category` becomes this id; GitHub keeps one analysis per category.
    let category = match (&opts.sarif_category, label) {
        (Some(c), Some(l)) if many => Some(format!("{}/{l}", c.trim_end_matches('/'))),
        (None, Some(l)) if many => Some(format!("leakhound/{l}")),
        (c, _) => c.as_ref().map(|c| c.trim_end_matches('/').to_string()),
    };
    let automation = category.map(|c| RunAutomationDetails::builder().id(format!("{c}/")).build());
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(Vec::new())
        .column_kind(json!("utf16CodeUnits"))
        .original_uri_base_ids(BTreeMap::from([(
            "%SRCROOT%".to_string(),
            ArtifactLocation::builder()
                .description(Message::builder().text("The scan root.").build())
                .build(),
        )]))
        .build();
    run.automation_details = automation;
    if let Some(l) = label {
        let extra = BTreeMap::from([("label".to_string(), json!(l))]);
        run.properties = Some(PropertyBag::builder().additional_properties(extra).build());
    }
    run
}

fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s).build()
}

fn descriptor(r: &Rule) -> ReportingDescriptor {
    let s = &r.spec;
    let mut tags = vec!["security".to_string(), "secret".to_string()];
    tags.extend(s.tags.iter().cloned());
    let mut extra = BTreeMap::new();
    extra.insert(
        "security-severity".into(),
        json!(s.severity.security_score()),
    );
    extra.insert("precision".into(), json!(s.confidence.as_str()));
    extra.insert(
        "problem.severity".into(),
        json!(problem_severity(s.severity)),
    );
    let refs: String = s.references.iter().map(|u| format!("\n- <{u}>")).collect();
    let help_md = format!(
        "**{}**\n\n{}\n\n**Remediation:** {}{}",
        s.name,
        s.description,
        s.remediation,
        if refs.is_empty() {
            String::new()
        } else {
            format!("\n\n**References:**{refs}")
        }
    );
    let mut d = ReportingDescriptor::builder()
        .id(&s.id)
        .name(pascal_name(&s.id))
        .short_description(text(&s.name))
        .full_description(text(&s.description))
        .help(
            MultiformatMessageString::builder()
                .text(format!("{} Remediation: {}", s.description, s.remediation))
                .markdown(help_md)
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(extra)
                .build(),
        )
        .build();
    d.help_uri = s.references.first().cloned();
    d
}

/// SARIF rule names are identifiers; derive one from the stable id.
fn pascal_name(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn problem_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "recommendation",
    }
}

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low => ResultLevel::Note,
    }
}

/// One result, without its rule index (which depends on the rules its run lists); `places`
/// counts where its secret was seen in all (1 for a scan).
fn sarif_result(f: &Finding, places: usize, opts: &ReportOptions) -> SarifResult {
    let region = locations::region_in_file(f.region);
    let location = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(uri_reference(&f.path))
                        .uri_base_id("%SRCROOT%")
                        .build(),
                )
                .region(region)
                .build(),
        )
        .build();
    let fingerprints = BTreeMap::from([
        ("leakhound/v1".to_string(), f.fingerprint.clone()),
        (
            "primaryLocationLineHash".to_string(),
            format!("{}:1", &f.fingerprint[..16]),
        ),
    ]);
    let mut props = BTreeMap::new();
    props.insert("severity".into(), json!(f.severity.as_str()));
    props.insert("secret".into(), json!(f.display_secret(opts.show_secrets)));
    if let Some(jwt) = &f.jwt {
        props.insert("jwt".into(), json!(jwt));
    }
    // GitHub can only show the outer file; the member and the position inside it go here
    // and into the message.
    if let Some(m) = &f.member {
        props.insert("member".into(), json!(m));
        props.insert("member_line".into(), json!(f.start.line));
        props.insert("member_column".into(), json!(f.start.column));
    }
    if let Some(d) = &f.detail {
        props.insert("detail".into(), json!(d));
    }
    if let Some(o) = &f.original_source {
        props.insert("original_source".into(), json!(o));
    }
    if let Some(c) = &f.commit {
        props.insert("commit".into(), json!(c.id));
        props.insert("commit_time".into(), json!(c.time));
        if let Some(a) = &c.author {
            props.insert("author".into(), json!(a));
        }
    }
    if f.later_occurrences > 0 {
        props.insert("later_occurrences".into(), json!(f.later_occurrences));
    }
    if places > 1 {
        props.insert("places".into(), json!(places));
    }
    let mut r = SarifResult::builder()
        .rule_id(&f.rule_id)
        .level(level(f.severity))
        .message(
            Message::builder()
                .text(format!(
                    "{}{} (secret {})",
                    super::message(f),
                    inside(f),
                    f.display_secret(opts.show_secrets)
                ))
                .build(),
        )
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build();
    let here = f.label.as_deref();
    let mut related: Vec<Location> = f
        .verified_by
        .iter()
        .chain(&f.signs)
        .filter(|l| l.line > 0)
        .enumerate()
        .map(|(i, l)| related_location(i, l, here))
        .collect();
    if let Some(file) = &f.original_file {
        related.push(original_location(related.len(), f, file));
    }
    for o in f.also_in.iter().take(MAX_RELATED_PLACES) {
        related.push(occurrence_location(related.len(), o, here));
    }
    if !related.is_empty() {
        r.related_locations = Some(related);
    }
    r
}

/// ` in app.apk!classes.dex:3:14 (dex string 42)` for findings inside an archive member.
fn inside(f: &Finding) -> String {
    match &f.member {
        Some(_) => {
            let detail = f
                .detail
                .as_ref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            format!(
                " in {}:{}:{}{detail}",
                f.location(),
                f.start.line,
                f.start.column
            )
        }
        None => String::new(),
    }
}
