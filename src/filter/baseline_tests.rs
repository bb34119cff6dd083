//! Baselines: what a baseline file may hold, and accepting, staling, pruning, saving and
//! loading findings through one.
use super::*;
use crate::finding::{fingerprint, Confidence, Position, Severity};

fn finding(rule: &str, path: &str, member: Option<&str>, secret: &str) -> Finding {
    Finding {
        rule_id: rule.into(),
        rule_name: rule.into(),
        severity: Severity::High,
        confidence: Confidence::High,
        path: path.into(),
        member: member.map(Into::into),
        detail: None,
        start: Position { line: 1, column: 1 },
        end: Position {
            line: 1,
            column: 1 + secret.len(),
        },
        offset: 0,
        region: None,
        original_source: None,
        original_file: None,
        secret: secret.into(),
        fingerprint: fingerprint(rule, secret),
        notes: Vec::new(),
        jwt: None,
        evidence: None,
        context: (String::new(), String::new()),
        commit: None,
        later_occurrences: 0,
        verified_by: None,
        signs: Vec::new(),
        allowed_inline: false,
        label: None,
        also_in: Vec::new(),
        redacted: false,
    }
}

fn moved(mut f: Finding, line: usize) -> Finding {
    f.start.line = line;
    f.end.line = line;
    f.offset = 100 * line;
    f
}

const FP_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const FP_B: &str = "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef";

fn file(entries: &str) -> String {
    format!("{{\"version\": 1, \"entries\": [{entries}]}}")
}

fn entry(rule: &str, path: &str, fp: &str) -> String {
    format!("{{\"rule\": \"{rule}\", \"path\": \"{path}\", \"fingerprint\": \"{fp}\"}}")
}

fn listed(b: &Baseline) -> Vec<(String, String, String)> {
    b.entries
        .iter()
        .map(|e| (e.rule.clone(), e.path.clone(), e.fingerprint.clone()))
        .collect()
}

#[test]
fn parse_accepts_a_valid_file_and_sorts_it() {
    let text = file(&format!(
        "{}, {}",
        entry("z.rule", "b.js", FP_A),
        entry("a.rule", "dir/a.js", FP_B)
    ));
    let b = Baseline::parse(&text).expect("valid baseline");
    assert_eq!(b.len(), 2);
    assert_eq!(
        listed(&b),
        [
            ("a.rule".into(), "dir/a.js".into(), FP_B.into()),
            ("z.rule".into(), "b.js".into(), FP_A.into()),
        ]
    );
    assert!(Baseline::parse(&file("")).expect("no entries").is_empty());
}

#[test]
fn parse_rejects_another_version() {
    let text = format!(
        "{{\"version\": 2, \"entries\": [{}]}}",
        entry("r", "p", FP_A)
    );
    assert_eq!(
        Baseline::parse(&text).unwrap_err(),
        "baseline version 2 is not supported"
    );
}

#[test]
fn parse_rejects_a_fingerprint_that_is_not_64_hex_digits() {
    let short = &FP_A[..63];
    let not_hex = format!("{}g", &FP_A[..63]);
    let long = format!("{FP_A}a");
    for (fp, shown) in [
        (short, short.to_string()),
        (not_hex.as_str(), not_hex.clone()),
        (long.as_str(), long.clone()),
        ("", String::new()),
    ] {
        let text = file(&format!(
            "{}, {}",
            entry("r", "p", FP_A),
            entry("r", "q", fp)
        ));
        assert_eq!(
            Baseline::parse(&text).unwrap_err(),
            format!("entry 2: fingerprint '{shown}' is not 64 hex digits")
        );
    }
}

#[test]
fn parse_rejects_control_characters_and_empty_fields() {
    // The cause is printed, so the bad value is shown escaped rather than sent to a terminal.
    let bell = file(&entry("r", "a\\u0007b.js", FP_A));
    assert_eq!(
        Baseline::parse(&bell).unwrap_err(),
        "entry 1: path 'a\\x07b.js' is empty or holds control characters"
    );
    let escape = file(&entry("r\\u001b[2J", "a.js", FP_A));
    assert_eq!(
        Baseline::parse(&escape).unwrap_err(),
        "entry 1: rule 'r\\x1b[2J' is empty or holds control characters"
    );
    let empty = file(&entry("r", "", FP_A));
    assert_eq!(
        Baseline::parse(&empty).unwrap_err(),
        "entry 1: path '' is empty or holds control characters"
    );
}

#[test]
fn parse_rejects_unknown_fields() {
    let with_line = file(&format!(
        "{{\"rule\": \"r\", \"path\": \"p\", \"fingerprint\": \"{FP_A}\", \"line\": 3}}"
    ));
    assert_eq!(
        Baseline::parse(&with_line).unwrap_err(),
        "not a leakhound baseline: unknown field `line`, expected one of `rule`, `path`, \
         `fingerprint` at line 1 column 143"
    );
    assert_eq!(
        Baseline::parse("{\"version\": 1, \"entries\": [], \"created\": 0}").unwrap_err(),
        "not a leakhound baseline: unknown field `created`, expected `version` or `entries` \
         at line 1 column 39"
    );
    assert_eq!(
        Baseline::parse("{\"version\": 1}").unwrap_err(),
        "not a leakhound baseline: missing field `entries` at line 1 column 14"
    );
}

#[test]
fn findings_are_accepted_by_rule_path_and_secret_not_by_line() {
    let a = finding("jwt.token", "src/a.js", None, "secret-a");
    let b = finding("jwt.token", "src/b.js", None, "secret-b");
    let base = Baseline::of(&[a.clone(), b.clone()]);
    assert_eq!(base.len(), 2);
    assert!(base.contains(&a) && base.contains(&b));
    assert!(base.contains(&moved(a.clone(), 40)));
    // The same secret at a new path, a new secret at an old path, the same secret under
    // another rule: each is new.
    assert!(!base.contains(&finding("jwt.token", "src/c.js", None, "secret-a")));
    assert!(!base.contains(&finding("jwt.token", "src/a.js", None, "secret-c")));
    assert!(!base.contains(&finding("bearer.token", "src/a.js", None, "secret-a")));
}

#[test]
fn an_archive_member_is_its_own_path() {
    let inner = finding("jwt.token", "app.apk", Some("assets/x.js"), "secret-a");
    let base = Baseline::of(std::slice::from_ref(&inner));
    assert_eq!(
        listed(&base),
        [(
            "jwt.token".into(),
            "app.apk!assets/x.js".into(),
            fingerprint("jwt.token", "secret-a")
        )]
    );
    assert!(base.contains(&inner));
    assert!(!base.contains(&finding("jwt.token", "app.apk", None, "secret-a")));
}

#[test]
fn stale_entries_are_those_nothing_found_and_remove_prunes_them() {
    let a = finding("jwt.token", "a.js", None, "secret-a");
    let b = finding("jwt.token", "b.js", None, "secret-b");
    let c = finding("jwt.token", "c.js", None, "secret-c");
    let mut base = Baseline::of(&[a.clone(), b.clone(), c.clone()]);
    // `a` moved lines (still matched), `b` is gone, `c` is found twice, `d` is new.
    let d = finding("jwt.token", "d.js", None, "secret-d");
    let found = [
        moved(a.clone(), 9),
        c.clone(),
        moved(c.clone(), 3),
        d.clone(),
    ];
    let stale = base.stale(&found);
    assert_eq!(
        stale,
        [Entry {
            rule: "jwt.token".into(),
            path: "b.js".into(),
            fingerprint: fingerprint("jwt.token", "secret-b"),
        }]
    );
    base.remove(&stale);
    assert_eq!(base.len(), 2);
    assert!(base.contains(&a) && base.contains(&c));
    assert!(!base.contains(&b) && !base.contains(&d));
    assert_eq!(base.stale(&found), []);
    // Removing an entry that is not there is a no-op, not an error.
    base.remove(&stale);
    assert_eq!(base.len(), 2);
}

#[test]
fn save_then_load_keeps_the_entries_sorted_with_a_final_newline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("baseline.json");
    let z = finding("z.rule", "a.js", None, "s1");
    let a2 = finding("a.rule", "b.js", None, "s2");
    let a1 = finding("a.rule", "a.js", None, "s3");
    // Unsorted, with one finding twice: the file holds each entry once, in order.
    let base = Baseline::of(&[z.clone(), a2.clone(), a1.clone(), moved(z.clone(), 5)]);
    base.save(&path).expect("saved");
    let text = std::fs::read_to_string(&path).expect("readable");
    let want = format!(
        r#"{{
  "version": 1,
  "entries": [
    {{
      "rule": "a.rule",
      "path": "a.js",
      "fingerprint": "{}"
    }},
    {{
      "rule": "a.rule",
      "path": "b.js",
      "fingerprint": "{}"
    }},
    {{
      "rule": "z.rule",
      "path": "a.js",
      "fingerprint": "{}"
    }}
  ]
}}
"#,
        a1.fingerprint, a2.fingerprint, z.fingerprint
    );
    assert_eq!(text, want);
    let loaded = Baseline::load(&path).expect("loads");
    assert_eq!(loaded.entries, base.entries);
    assert!(loaded.contains(&a1) && loaded.contains(&a2) && loaded.contains(&z));
}

#[test]
fn a_path_with_control_characters_round_trips_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("baseline.json");
    let odd = finding("jwt.token", "evil\nname\u{1b}.js", None, "secret-a");
    let base = Baseline::of(std::slice::from_ref(&odd));
    assert_eq!(base.entries.first().unwrap().path, "evil\\nname\\x1b.js");
    base.save(&path).expect("saved");
    let loaded = Baseline::load(&path).expect("an escaped path is printable, so it loads");
    assert!(loaded.contains(&odd));
}

#[test]
fn load_names_the_file_it_cannot_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.json");
    let err = Baseline::load(&missing).unwrap_err();
    assert!(matches!(err, BaselineError::Read { ref path, .. } if *path == missing));
    assert_eq!(
        err.to_string(),
        format!(
            "{}: cannot read: No such file or directory (os error 2)",
            missing.display()
        )
    );
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"version\": 7, \"entries\": []}").unwrap();
    assert_eq!(
        Baseline::load(&bad).unwrap_err().to_string(),
        format!("{}: baseline version 7 is not supported", bad.display())
    );
}

/// Fails today: `validate` checks `char::is_control`, which passes bidirectional overrides
/// (U+202E is a format character), though `terminal_safe` escapes them and
/// `--baseline-report` prints entry paths as loaded, relying on this check.
#[test]
fn parse_rejects_a_bidirectional_override_in_a_path() {
    let text = file(&entry("r", "a\\u202eb.js", FP_A));
    assert_eq!(
        Baseline::parse(&text).unwrap_err(),
        "entry 1: path 'a\\u{202e}b.js' is empty or holds control characters"
    );
}

#[test]
fn a_windows_baseline_path_with_backslashes_names_the_reported_path() {
    let windows = &['\\', '/'];
    // JSON's `\\` is one backslash: `src\keys\app.apk!assets/x.js` as Windows tools write it.
    let text = file(&entry(
        "jwt.token",
        r"src\\keys\\app.apk!assets/x.js",
        &fingerprint("jwt.token", "secret-a"),
    ));
    let b = Baseline::parse_for(&text, windows).expect("valid baseline");
    assert_eq!(listed(&b)[0].1, "src/keys/app.apk!assets/x.js");
    // What a Windows walk reports for that file: the path normalised by the walk.
    let reported = crate::source::path::slashed(r"src\keys\app.apk", windows);
    assert!(b.contains(&finding(
        "jwt.token",
        &reported,
        Some("assets/x.js"),
        "secret-a"
    )));
    // On Unix a backslash is part of a file name, so the same entry names another file.
    let b = Baseline::parse_for(&text, &['/']).expect("valid baseline");
    assert_eq!(listed(&b)[0].1, r"src\keys\app.apk!assets/x.js");
    assert!(!b.contains(&finding(
        "jwt.token",
        &reported,
        Some("assets/x.js"),
        "secret-a"
    )));
}
