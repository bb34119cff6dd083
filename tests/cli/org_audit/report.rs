//! The report job: one merged report and a summary that accounts for every repository.

use super::*;

#[test]
fn the_report_job_merges_every_batch_into_one_report() {
    let org = Org::new(LISTING);
    let (tools, matrix) = org.planned();
    let (results, _) = org.scan(&tools, &matrix);
    let ws = org.workspace("report", &[(&tools, "tools"), (&results, "results")]);
    let rec = org.run(&ws, "report", &[], &[]);

    assert_eq!(step(&rec, "report")["exit"], 0, "{}", dump(&rec));
    assert_eq!(
        (
            &step(&rec, "__3")["with"]["name"],
            &step(&rec, "__3")["with"]["path"]
        ),
        (&json!("org-audit-report"), &json!("report/"))
    );
    // One failed repository fails the job, after the report is uploaded.
    assert!(ran(&rec, "verdict"));
    assert_eq!(rec["status"], "failure");
    assert!(annotations(&rec).contains(
        &"::error title=org-audit::1 repositories could not be scanned in full; the job summary names them and why.".into()
    ));

    let sarif = ws.join("report/org-report.sarif");
    assert_eq!(
        sarif_check(&sarif, &[SHARED, API_ONLY, ARCHIVED]),
        "sarif problems=0"
    );
    let doc: Value = serde_json::from_str(&read(&sarif)).unwrap();
    // One run per repository with findings: acme/docs has none, acme/ghost no report.
    let runs: Vec<(&str, usize)> = doc["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let label = r["properties"]["label"].as_str().unwrap();
            (label, r["results"].as_array().unwrap().len())
        })
        .collect();
    assert_eq!(runs, [("acme/api", 2), ("acme/web", 1)]);
    let html = read(&ws.join("report/org-report.html"));
    for label in ["acme/api", "acme/web"] {
        assert!(html.contains(label), "{label} is not in the HTML report");
    }
    for secret in [SHARED, API_ONLY, ARCHIVED, TOKEN] {
        assert!(!html.contains(secret));
    }

    let summary = rec["summary"].as_str().unwrap();
    let (head, problems) = summary
        .split_once("#### Repositories with problems")
        .unwrap();
    assert_eq!(
        head,
        "### org-audit: 3 finding(s) in 4 repositories\n\n\
         | repositories scanned | with problems | findings | distinct secrets | critical | high | medium | low |\n\
         |---|---|---|---|---|---|---|---|\n\
         | 3 | 1 | 3 | 2 | 3 | 0 | 0 | 0 |\n\n\
         | repository | findings |\n|---|---|\n\
         | `acme/api` | 2 |\n| `acme/web` | 1 |\n\n"
    );
    assert!(
        problems.starts_with("\n\n| repository | status | detail |\n|---|---|---|\n| `acme/ghost` | failed | clone\\: fatal\\: "),
        "{problems}"
    );
}

/// A batch whose job never reported (cancelled, timed out) is named in the summary, and the
/// report still merges what the other batches found.
#[test]
fn repositories_of_a_batch_that_never_reported_are_named() {
    let org = Org::new(LISTING);
    let (tools, mut matrix) = org.planned();
    matrix["include"].as_array_mut().unwrap().remove(0);
    let (results, _) = org.scan(&tools, &matrix);
    let ws = org.workspace("report", &[(&tools, "tools"), (&results, "results")]);
    let rec = org.run(&ws, "report", &[], &[]);
    assert_eq!(
        step(&rec, "report")["outputs"]["failed"],
        "3",
        "{}",
        dump(&rec)
    );
    assert_eq!(step(&rec, "report")["outputs"]["findings"], "1");
    let summary = rec["summary"].as_str().unwrap();
    assert!(
        summary.contains(
            "| `acme/api` | missing | no result\\: its job did not finish |\n\
             | `acme/docs` | missing | no result\\: its job did not finish |\n\
             | `acme/ghost` | failed | clone\\: fatal\\: "
        ),
        "{summary}"
    );
    assert!(summary.contains("| `acme/web` | 1 |\n"), "{summary}");
}
