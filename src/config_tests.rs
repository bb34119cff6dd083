//! `.leakhound.toml` parsing and rule changes: what a valid file sets, each mistake named by
//! file and line, and disabled rules that other rules' relations still need.
use super::*;
use std::sync::OnceLock;

const FILE: &str = "proj/.leakhound.toml";

/// Parsing only reads the rule set, and compiling the built-in rules is the slow part.
fn builtin() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().expect("built-in rules compile"))
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(Path::new(FILE), text, builtin())
}

/// The `FILE:LINE: cause` line a rejected file gives.
fn rejected(text: &str) -> String {
    parse(text).expect_err("the file is rejected").to_string()
}

/// An extra rule in a configuration file, with the fields a rule must have.
fn extra_rule(id: &str, pattern: &str) -> String {
    format!(
        r#"[[rules]]
id = "{id}"
name = "Acme deploy key"
description = "A deploy key for Acme's pipeline."
severity = "high"
confidence = "medium"
keywords = ["ACME_DEPLOY"]
pattern = '''{pattern}'''
remediation = "Rotate the key."
examples = ['ACME_DEPLOY="ad_0123456789abcdef"', 'ACME_DEPLOY="ad_fedcba9876543210"']
negative_examples = ['ACME_DEPLOY=""', 'ACME_DEPLOY="changeme"']
"#
    )
}

const GOOD_PATTERN: &str = r#"ACME_DEPLOY="(?P<secret>ad_[0-9a-f]{16})""#;

#[test]
fn a_valid_file_sets_every_section() {
    let text = format!(
        r#"disabled_rules = ["bearer.postman", "acme.deploy-key"]

[allowlist]
paths = ["fixtures/**", "**/*.test.js"]
values = ["^TESTONLY-"]
stopwords = ["Dummy", "NOTREAL"]

[severity]
"jwt.token" = "medium"
"acme.deploy-key" = "critical"

{}"#,
        extra_rule("acme.deploy-key", GOOD_PATTERN)
    );
    let cfg = parse(&text).expect("valid file");
    assert_eq!(cfg.source.as_deref(), Some(Path::new(FILE)));
    let paths = cfg.paths.as_ref().expect("path globs");
    assert!(paths.is_match("fixtures/demo/server.js"));
    assert!(paths.is_match("web/app.test.js"));
    assert!(!paths.is_match("web/app.js"));
    let values: Vec<&str> = cfg.values.iter().map(Regex::as_str).collect();
    assert_eq!(values, ["^TESTONLY-"]);
    // Stopwords match case-insensitively, so they are kept in lower case.
    assert_eq!(cfg.stopwords, ["dummy", "notreal"]);
    assert_eq!(cfg.disabled, ["bearer.postman", "acme.deploy-key"]);
    assert_eq!(cfg.severity("jwt.token"), Some(Severity::Medium));
    assert_eq!(cfg.severity("acme.deploy-key"), Some(Severity::Critical));
    assert_eq!(cfg.severity("bearer.token"), None);
    assert_eq!(cfg.extra.len(), 1);
    assert_eq!(cfg.extra[0].id, "acme.deploy-key");
    assert_eq!(
        cfg.examples,
        [
            r#"ACME_DEPLOY="ad_0123456789abcdef""#,
            r#"ACME_DEPLOY="ad_fedcba9876543210""#,
            r#"ACME_DEPLOY="""#,
            r#"ACME_DEPLOY="changeme""#,
        ]
    );
}

#[test]
fn an_empty_file_changes_nothing() {
    let cfg = parse("").expect("empty file");
    assert!(cfg.paths.is_none());
    assert!(cfg.values.is_empty() && cfg.stopwords.is_empty() && cfg.disabled.is_empty());
    assert!(cfg.extra.is_empty() && cfg.examples.is_empty());
}

#[test]
fn unknown_keys_are_rejected_at_their_line() {
    assert_eq!(
        rejected("[allowlist]\npaths = [\"a/**\"]\nvalue = [\"x\"]\n"),
        format!("{FILE}:3: unknown field `value`, expected one of `paths`, `values`, `stopwords`")
    );
    assert_eq!(
        rejected("\n\ndisabled = [\"jwt.token\"]\n"),
        format!(
            "{FILE}:3: unknown field `disabled`, expected one of `allowlist`, `disabled_rules`, \
             `severity`, `rules`"
        )
    );
}

#[test]
fn a_bad_value_regex_is_named_by_its_line() {
    assert_eq!(
        rejected("[allowlist]\nvalues = [\n  \"ok\",\n  \"(unclosed\",\n]\n"),
        format!("{FILE}:4: bad value regex: unclosed group")
    );
}

#[test]
fn a_bad_path_glob_is_named_by_its_line() {
    assert_eq!(
        rejected("[allowlist]\n\npaths = [\"a/[b\"]\n"),
        format!("{FILE}:3: bad path glob: unclosed character class; missing ']'")
    );
}

#[test]
fn unknown_rule_ids_are_rejected() {
    assert_eq!(
        rejected("disabled_rules = [\n  \"jwt.token\",\n  \"no.such-rule\",\n]\n"),
        format!("{FILE}:3: unknown rule id `no.such-rule`")
    );
    assert_eq!(
        rejected("[severity]\n\"jwt.token\" = \"low\"\n\"no.such-rule\" = \"high\"\n"),
        format!("{FILE}:3: unknown rule id `no.such-rule` in [severity]")
    );
    assert_eq!(
        rejected("[severity]\n\"jwt.token\" = \"urgent\"\n"),
        format!(
            "{FILE}:2: unknown variant `urgent`, expected one of `low`, `medium`, `high`, \
             `critical`"
        )
    );
}

#[test]
fn extra_rules_are_added_and_disabled_rules_removed() {
    let text = format!(
        "disabled_rules = [\"bearer.postman\"]\n\n{}",
        extra_rule("acme.deploy-key", GOOD_PATTERN)
    );
    let mut cfg = parse(&text).expect("valid file");
    let mut rules = RuleSet::builtin().expect("built-in rules compile");
    let before = rules.rules.len();
    cfg.apply_rules(&mut rules).expect("rules apply");
    assert_eq!(rules.rules.len(), before);
    assert!(rules.get("bearer.postman").is_none());
    let added = rules.get("acme.deploy-key").expect("extra rule added");
    assert_eq!(added.spec.severity, Severity::High);
    assert!(added
        .regex
        .get()
        .is_match(br#"ACME_DEPLOY="ad_0123456789abcdef""#));
}

#[test]
fn an_extra_rule_with_a_bad_pattern_is_named_by_its_id_line() {
    let text = format!("\n\n{}", extra_rule("acme.bad", r"(?P<secret>ad_[0-9"));
    let mut cfg = parse(&text).expect("the regex is only compiled when rules apply");
    let mut rules = RuleSet::builtin().expect("built-in rules compile");
    let err = cfg.apply_rules(&mut rules).expect_err("bad pattern");
    assert_eq!(
        err.to_string(),
        format!("{FILE}:4: rule acme.bad: bad pattern regex: unclosed character class")
    );
}

#[test]
fn an_extra_rule_reusing_a_builtin_id_is_rejected() {
    let mut cfg = parse(&extra_rule("jwt.token", GOOD_PATTERN)).expect("parses");
    let mut rules = RuleSet::builtin().expect("built-in rules compile");
    let err = cfg.apply_rules(&mut rules).expect_err("duplicate id");
    // Named by the configuration's own `id` line: the built-in file is not the user's to fix.
    assert_eq!(
        err.to_string(),
        format!("{FILE}:2: rule jwt.token: duplicate rule id")
    );
}

#[test]
fn disabling_a_rule_others_depend_on_names_them() {
    // caf.client-secret pairs with caf.client-id, and caf.mobile-token's issuer is one.
    let mut cfg = parse("disabled_rules = [\"caf.client-id\"]\n").expect("ids exist");
    let mut rules = RuleSet::builtin().expect("built-in rules compile");
    let err = cfg.apply_rules(&mut rules).expect_err("dependents remain");
    assert_eq!(
        err.to_string(),
        format!(
            "{FILE}: disabled_rules: caf.client-id is used by caf.client-secret, \
             caf.mobile-token; disable those too or keep it"
        )
    );
}

#[test]
fn disabling_a_rule_with_only_some_dependents_names_the_rest() {
    let text = "disabled_rules = [\"caf.client-id\", \"caf.mobile-token\"]\n";
    let mut cfg = parse(text).expect("ids exist");
    let mut rules = RuleSet::builtin().expect("built-in rules compile");
    let err = cfg
        .apply_rules(&mut rules)
        .expect_err("caf.client-secret remains");
    assert_eq!(
        err.to_string(),
        format!(
            "{FILE}: disabled_rules: caf.client-id is used by caf.client-secret; disable \
             those too or keep it"
        )
    );
}

#[test]
fn disabling_a_rule_with_its_dependents_is_accepted() {
    let text =
        "disabled_rules = [\"caf.mobile-token\", \"caf.client-id\", \"caf.client-secret\"]\n";
    let mut cfg = parse(text).expect("ids exist");
    let mut rules = RuleSet::builtin().expect("built-in rules compile");
    let before = rules.rules.len();
    cfg.apply_rules(&mut rules)
        .expect("nothing left depends on them");
    assert_eq!(rules.rules.len(), before - 3);
    for id in ["caf.client-id", "caf.client-secret", "caf.mobile-token"] {
        assert!(rules.get(id).is_none(), "{id} still loaded");
    }
    assert!(rules.get("caf.token").is_some());
}

#[test]
fn line_of_counts_from_one() {
    assert_eq!(line_of("a\nb\nc", 0), 1);
    assert_eq!(line_of("a\nb\nc", 2), 2);
    assert_eq!(line_of("a\nb\nc", 4), 3);
    // An offset past the end (a span at end of input) is the last line, not a panic.
    assert_eq!(line_of("a\n", 99), 2);
}

#[test]
fn path_globs_match_windows_paths_as_reported_and_backslash_escapes_everywhere() {
    let cfg = parse(
        r#"[allowlist]
paths = ['tests/fixtures/**', 'literal\*.env']
"#,
    )
    .expect("valid");
    let globs = cfg.paths.expect("path globs");
    let windows = &['\\', '/'];
    let reported = crate::source::path::slashed(r"tests\fixtures\keys\id_rsa", windows);
    assert!(globs.is_match(&reported), "{reported}");
    // `\*` is an escaped star on every system, never a separator before a wildcard.
    assert!(globs.is_match("literal*.env"));
    assert!(!globs.is_match("literal/x.env"));
    assert!(!globs.is_match("literalx.env"));
}
