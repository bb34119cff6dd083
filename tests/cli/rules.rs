//! `rules list` and `rules check`.

use crate::helpers::*;

#[test]
fn rules_check_passes_for_every_builtin_rule() {
    let out = run(&["rules", "check"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains(" 0 failed"), "{text}");
}

#[test]
fn rules_check_fails_on_a_broken_example() {
    use leakhound::pipeline::{check, ScanOptions, Scanner};
    use leakhound::rules::RuleSet;
    let broken = leakhound::rules::BUILTIN_SOURCES[0].1.replace(
        "const token = \"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.",
        "const token = \"eyJ!",
    );
    let rules = RuleSet::from_sources(&[("patterns/jwt.toml", &broken)]).unwrap();
    let (failures, _) = check(&Scanner::new(rules, ScanOptions::default()));
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].rule, "jwt.token");
}

#[test]
fn rules_list_names_every_rule_with_severity() {
    let out = run(&["rules", "list"]);
    let text = stdout(&out);
    assert!(out.status.success());
    for id in [
        "jwt.token",
        "jwt.hmac-key.node",
        "bearer.token",
        "caf.mobile-token",
        "private-key.pem",
    ] {
        assert!(text.lines().any(|l| l.starts_with(id)), "{id} listed");
    }
    assert_eq!(
        text.lines().count(),
        leakhound::rules::RuleSet::builtin().unwrap().rules.len()
    );
}

#[test]
fn rule_files_are_validated() {
    use leakhound::rules::RuleSet;
    let missing_capture = r#"
[[rules]]
id = "x.y"
name = "n"
description = "d"
severity = "high"
confidence = "low"
keywords = ["k"]
pattern = 'k'
remediation = "r"
examples = ["k", "k"]
negative_examples = ["a", "b"]
"#;
    let err = RuleSet::from_sources(&[("t.toml", missing_capture)])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("t.toml: rule x.y: pattern has no `secret`"),
        "{err}"
    );
    let unknown_key = missing_capture.replace("remediation", "remedy");
    let err = RuleSet::from_sources(&[("t.toml", &unknown_key)])
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("t.toml: "), "{err}");
}

#[test]
fn builtin_keywords_fit_two_packed_searchers() {
    let rules = leakhound::rules::RuleSet::builtin().unwrap();
    let m = leakhound::matcher::Matcher::new(&rules);
    assert_eq!(
        m.automata(),
        2,
        "a third keyword searcher is a third pass over every byte"
    );
}

/// Built-in patterns compile on first use, so a scan pays only for the rules its keywords
/// wake; this is where a bad built-in pattern fails, with its rule named. The scan reads
/// the JSON `build.rs` converted the TOML to: the same rules, field for field, in order.
#[test]
fn every_builtin_pattern_compiles_when_checked() {
    let checked = leakhound::rules::RuleSet::from_sources(leakhound::rules::BUILTIN_SOURCES)
        .unwrap_or_else(|e| panic!("{e}"));
    let lazy = leakhound::rules::RuleSet::builtin().unwrap();
    assert_eq!(checked.rules.len(), lazy.rules.len());
    for (a, b) in checked.rules.iter().zip(&lazy.rules) {
        assert_eq!(format!("{:?}", a.spec), format!("{:?}", b.spec));
    }
}

/// A rule's `max_len` bounds what an open repetition (`{19,}`) takes: a bearer token of
/// 4,000 characters is reported, one of 5,000 (a blob, not a token) is not, as when the
/// pattern said `{19,4096}`.
#[test]
fn max_len_bounds_an_open_repetition() {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let token = |n: usize| -> String {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                ALPHABET[(x >> 58) as usize] as char
            })
            .collect()
    };
    let dir = tree(&[
        (
            "ok.sh",
            &format!("curl -H 'Authorization: Bearer {}'\n", token(4000)),
        ),
        (
            "long.sh",
            &format!("curl -H 'Authorization: Bearer {}'\n", token(5000)),
        ),
    ]);
    let (doc, _) = scan_json(dir.path(), &[]);
    let got: Vec<(String, String)> = findings(&doc)
        .iter()
        .map(|f| (field(f, "rule_id"), field(f, "path")))
        .collect();
    assert_eq!(got, [("bearer.token".to_string(), "ok.sh".to_string())]);
}
