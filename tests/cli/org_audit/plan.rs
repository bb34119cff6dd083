//! The plan job: listing, filtering and batching, and the action setup it relies on.

use super::*;

#[test]
fn the_plan_lists_filters_and_batches_the_organisation() {
    let org = Org::new(LISTING);
    let (tools, rec) = org.plan(&[("exclude", "Scratch-*"), ("batch-size", "2")]);
    let matrix: Value = serde_json::from_str(rec["outputs"]["matrix"].as_str().unwrap()).unwrap();
    assert_eq!(
        matrix,
        json!({"include": [
            {"batch": 1, "repositories": "acme/api acme/docs"},
            {"batch": 2, "repositories": "acme/ghost acme/web"},
        ]})
    );
    assert_eq!(rec["outputs"]["repositories"], "4");
    assert_eq!(read(&tools.join("plan.txt")), PLANNED);
    // The token reaches gh through its environment, not its arguments.
    assert_eq!(
        read(&org.path("gh-args")),
        "repo\nlist\nacme\n--limit\n1000\n--json\nnameWithOwner,isArchived,isFork\n"
    );
    assert_eq!(read(&org.path("gh-token")), TOKEN);
    let bundled = names(&tools);
    assert_eq!(
        bundled,
        [
            "leakhound",
            "plan.sh",
            "plan.txt",
            "report.sh",
            "scan-batch.sh"
        ]
    );
    // leakhound is checked out at the version and set up once, by the action itself.
    let checkout = &step(&rec, "__0")["with"];
    assert_eq!(
        (&checkout["repository"], &checkout["ref"]),
        (&json!("leakhound/leakhound"), &json!("main"))
    );
    assert_eq!(step(&rec, "setup")["uses"], "./.leakhound");
    assert_eq!(
        step(&rec, "setup")["with"],
        json!({"mode": "setup", "version": "main"})
    );
    // Names that are not acme/NAME are skipped and shown JSON-encoded: no workflow command.
    assert_eq!(
        annotations(&rec),
        [
            r#"::warning title=org-audit::skipped 3 listed name(s) that are not acme/NAME: "acme/..","other/api","acme/x\n::error::pwned""#
        ]
    );
    assert_eq!(
        rec["summary"],
        "### org-audit plan\n\nacme: 10 listed, 4 to audit in 2 job(s) of up to 2 (skipped: 1 \
         archived, 1 forks, 1 by include/exclude, 3 invalid names)\n"
    );

    // include narrows, and archived repositories and forks are kept when asked.
    let org = Org::new(LISTING);
    let (tools, _) = org.plan(&[
        ("include", "a*, legacy upstream"),
        ("skip-archived", "false"),
        ("skip-forks", "false"),
    ]);
    assert_eq!(
        read(&tools.join("plan.txt")),
        "acme/api\nacme/legacy\nacme/upstream\n"
    );
}

/// plan.sh alone, on a listing of `n` repositories: the matrix it outputs.
fn plan_of(n: usize, batch_size: &str) -> Value {
    let listing: Vec<Value> = (0..n)
        .map(|i| json!({"nameWithOwner": format!("acme/r{i:04}"), "isArchived": false, "isFork": false}))
        .collect();
    let org = Org::new(&serde_json::to_string(&listing).unwrap());
    let out = Command::new("bash")
        .arg(repo().join(".github/scripts/org-audit/plan.sh"))
        .env(
            "PATH",
            format!(
                "{}:{}",
                org.path("bin").display(),
                std::env::var("PATH").unwrap()
            ),
        )
        .envs([
            ("ORG", "acme"),
            ("INCLUDE", ""),
            ("EXCLUDE", ""),
            ("SKIP_ARCHIVED", "true"),
            ("SKIP_FORKS", "true"),
            ("LIMIT", "5000"),
            ("BATCH_SIZE", batch_size),
        ])
        .env("PLAN_FILE", org.path("plan.txt"))
        .env("GITHUB_OUTPUT", org.path("output"))
        .env("GITHUB_STEP_SUMMARY", org.path("summary"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let output = read(&org.path("output"));
    let matrix = output
        .lines()
        .next()
        .unwrap()
        .strip_prefix("matrix=")
        .unwrap();
    let matrix: Value = serde_json::from_str(matrix).unwrap();
    let jobs = matrix["include"].as_array().unwrap().len();
    assert!(output.contains(&format!("\njobs={jobs}\n")), "{output}");
    matrix
}

#[test]
fn batches_grow_so_the_matrix_stays_within_256_jobs() {
    let names = |n: usize| -> Vec<String> { (0..n).map(|i| format!("acme/r{i:04}")).collect() };
    // 600 repositories one per job would be 600 jobs: three per job make 200.
    assert_eq!(plan_of(600, "1"), matrix_of(&names(600), 3));
    assert_eq!(plan_of(256, "1"), matrix_of(&names(256), 1));
    assert_eq!(plan_of(257, "1"), matrix_of(&names(257), 2));
    assert_eq!(plan_of(7, "3"), matrix_of(&names(7), 3));
    assert_eq!(plan_of(0, "10"), json!({"include": []}));
}

/// The action's `setup` mode, which the plan job uses: the binary is set up and named, and
/// nothing is scanned.
#[test]
fn the_actions_setup_mode_only_sets_up_leakhound() {
    let org = Org::new("[]");
    let ws = org.workspace("setup", &[]);
    let payload = org.path("event.json");
    std::fs::write(&payload, "{}").unwrap();
    let binary = bin().display().to_string();
    let rec = run_action_yml(
        &repo().join("action.yml"),
        &ws,
        "workflow_dispatch",
        &payload,
        &[("mode", "setup"), ("binary", &binary)],
        &[],
    );
    assert_eq!(rec["status"], "success", "{}", dump(&rec));
    assert_eq!(rec["outputs"]["binary"], binary);
    assert!(!ran(&rec, "scan") && !ran(&rec, "upload") && !ran(&rec, "verdict"));
    assert!(!ws.join("leakhound.sarif").exists());
}
