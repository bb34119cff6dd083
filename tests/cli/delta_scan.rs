//! The delta scan (history read from packs in delta order, keywords searched only in what
//! each delta adds) against the full scan of every version, on a history of many small
//! edits around, inside and across secrets.

use crate::helpers::*;
use serde_json::Value;
use std::path::Path;

/// Lines the scanner reports, each with the rule it reports it under.
const SECRETS: [(&str, &str); 5] = [
    (
        r#"const token = jwt.sign({ sub: user.id }, "k9Xq2LmP7vRt4WzN8bYc3HdF6gJs1QaE", { algorithm: "HS256" });"#,
        "jwt.hmac-key.node",
    ),
    (
        r#"const db = { password: "Tr0ub4dor&3-horse-battery" };"#,
        "generic.password",
    ),
    (
        r#"fetch(url, { headers: { Authorization: "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c" } });"#,
        "bearer.token",
    ),
    (
        r#"const aws = "AKIAIOSFODNN7EXAMPLF";"#,
        "aws.access-key-id",
    ),
    (
        r#"const GH = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";"#,
        "github.token",
    ),
];

/// A small deterministic generator, so a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn commit(dir: &Path, n: usize) -> String {
    let date = format!("{} +0000", 1_700_000_000 + n * 60);
    git_ok(dir, &["add", "-A"]);
    let out = git_command(dir)
        .args(["commit", "-q", "--allow-empty", "-m", &format!("c{n}")])
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    git_ok(dir, &["rev-parse", "HEAD"])
}

/// One random edit: filler inserted, deleted or changed; a secret inserted, deleted, or
/// changed by one character (a new secret, or a keyword cut in two).
fn edit(lines: &mut Vec<String>, rng: &mut Lcg, n: usize) {
    let at = rng.below(lines.len() + 1);
    match rng.below(6) {
        0 | 1 => lines.insert(
            at,
            format!("  let v{n} = compute({n}, \"value {}\");", n * 31),
        ),
        2 if !lines.is_empty() => {
            lines.remove(at.min(lines.len() - 1));
        }
        3 => lines.insert(at, SECRETS[rng.below(SECRETS.len())].0.to_string()),
        _ if !lines.is_empty() => {
            let last = lines.len() - 1;
            let line = &mut lines[at.min(last)];
            if !line.is_empty() {
                let pos = rng.below(line.len());
                if line.is_char_boundary(pos) && line.is_char_boundary(pos + 1) {
                    let c = (b'a' + rng.below(26) as u8) as char;
                    line.replace_range(pos..pos + 1, &c.to_string());
                }
            }
        }
        _ => {}
    }
}

fn scan(repo: &Path, extra: &[&str]) -> Value {
    let p = repo.to_string_lossy().into_owned();
    let mut args = vec!["git", p.as_str(), "--format", "json", "--now", NOW];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn delta_scan_and_full_scan_agree_on_a_history_of_edits_around_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git_ok(d, &["init", "-q", "-b", "main"]);
    let mut lines: Vec<String> = (0..40)
        .map(|i| format!("  const row{i} = table.lookup({i});"))
        .collect();
    lines.insert(20, SECRETS[0].0.to_string());
    std::fs::write(d.join("app.js"), lines.join("\n")).unwrap();
    let first = commit(d, 0);
    let mut rng = Lcg(7);
    // A keyword cut by a comment, then joined by deleting it: the new version is two copies
    // of the old one, and the keyword lies across their seam.
    let cut =
        r#"const db = { pass/* 0123456789abcdef0123456789abcdef */word: "Sw0rdf1sh-Secret-44" };"#;
    let (mut joined_line, mut joined_in) = (0, String::new());
    for n in 1..120 {
        for _ in 0..1 + rng.below(3) {
            edit(&mut lines, &mut rng, n);
        }
        if n == 60 {
            lines.insert(lines.len() / 2, cut.to_string());
        }
        if n == 61 {
            let at = lines.iter().position(|l| l == cut).unwrap();
            lines[at] = cut.replace("/* 0123456789abcdef0123456789abcdef */", "");
            joined_line = at as u64 + 1;
        }
        std::fs::write(d.join("app.js"), lines.join("\n")).unwrap();
        let id = commit(d, n);
        if n == 61 {
            joined_in = id;
        }
    }
    git_ok(d, &DEEP_REPACK);
    let delta = scan(d, &[]);
    let full = scan(d, &["--no-delta-scan"]);
    assert_eq!(delta["findings"], full["findings"]);
    assert_eq!(delta["summary"]["bytes"], full["summary"]["bytes"]);
    let found = triples(&delta);
    assert!(found.contains(&(SECRETS[0].1.to_string(), "app.js".to_string(), 21)));
    let at_first = findings(&delta)
        .iter()
        .find(|f| f["rule_id"] == SECRETS[0].1 && f["line"] == 21)
        .unwrap();
    assert_eq!(at_first["commit"], first.as_str());
    assert!(
        findings(&delta)
            .iter()
            .any(|f| f["rule_id"] == "generic.password"
                && f["line"] == joined_line
                && f["commit"] == joined_in.as_str()),
        "{found:?}"
    );
    // Every secret line was planted, and several were changed into new secrets.
    for (_, rule) in SECRETS {
        assert!(found.iter().any(|(r, _, _)| r == rule), "{rule}: {found:?}");
    }
    assert!(found.len() > 2 * SECRETS.len(), "{found:?}");
    assert!(found
        .iter()
        .all(|(r, p, _)| p == "app.js" && SECRETS.iter().any(|s| s.1 == r)));
}
