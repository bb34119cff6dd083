//! `leakhound git`: history, ranges, staged changes, odd repositories. Repositories are built
//! by each test with the git CLI, isolated from the user's git configuration.

use crate::helpers::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const OLD: &str = "JWT_SECRET=9c4e1a7f3b8d2e6a0c5f9b1d4e8a2c6f\n";
const NEW: &str = "REFRESH_TOKEN_SECRET=r3fr3sh-T0ken-Secret-Value-55\n";

/// A repository built by a test (also used by `merge.rs`).
pub struct Repo {
    dir: tempfile::TempDir,
    tick: std::cell::Cell<u64>,
}

fn git_in(dir: &Path, args: &[&str]) -> String {
    git_ok(dir, args)
}

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        git_in(dir.path(), &["init", "-q", "-b", "main"]);
        Repo {
            dir,
            tick: 0.into(),
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.dir.path(), args)
    }

    pub fn write(&self, rel: &str, content: &str) {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    /// Stages everything and commits with a distinct, increasing date; returns the commit id.
    pub fn commit(&self, msg: &str) -> String {
        self.tick.set(self.tick.get() + 1);
        let date = format!("{} +0000", 1_700_000_000 + self.tick.get() * 60);
        self.git(&["add", "-A"]);
        let out = git_command(self.dir.path())
            .args(["commit", "-q", "--allow-empty", "-m", msg])
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.git(&["rev-parse", "HEAD"])
    }
}

/// Scans `repo`; a full-history scan is repeated on a packed copy (where blobs are read in
/// delta order) and with `--no-delta-scan`, and all three must report the same.
fn scan_git(repo: &Path, extra: &[&str]) -> (Value, std::process::Output) {
    let (doc, out) = scan_git_once(repo, extra);
    let history = !extra
        .iter()
        .any(|a| ["--staged", "--range", "--since"].contains(a));
    if history {
        same_when_packed(repo, extra, &doc);
    }
    (doc, out)
}

fn scan_git_once(repo: &Path, extra: &[&str]) -> (Value, std::process::Output) {
    let p = repo.to_string_lossy().into_owned();
    let mut args = vec!["git", p.as_str(), "--format", "json", "--now", NOW];
    args.extend_from_slice(extra);
    let out = run(&args);
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
    (doc, out)
}

/// Packs a copy of `repo` with deep delta chains and checks that the delta scan and the full
/// scan of it report what `doc` (the scan of `repo`) holds. A repository git cannot repack
/// (the corruption tests) is left out.
fn same_when_packed(repo: &Path, extra: &[&str], doc: &Value) {
    let copy = tempfile::tempdir().unwrap();
    copy_dir(repo, copy.path());
    let packed = git_command(copy.path()).args(DEEP_REPACK).output().unwrap();
    if !packed.status.success() {
        return;
    }
    let full: Vec<&str> = extra.iter().copied().chain(["--no-delta-scan"]).collect();
    for args in [extra, &full[..]] {
        let (again, _) = scan_git_once(copy.path(), args);
        assert_eq!(again["findings"], doc["findings"], "{args:?}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    let mut todo = vec![(from.to_path_buf(), to.to_path_buf())];
    while let Some((src, dst)) = todo.pop() {
        std::fs::create_dir_all(&dst).unwrap();
        for e in std::fs::read_dir(&src).unwrap() {
            let e = e.unwrap();
            let target = dst.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                todo.push((e.path(), target));
            } else {
                std::fs::copy(e.path(), &target).unwrap();
            }
        }
    }
}

/// `(rule, path, line, commit)` of every finding.
fn found(doc: &Value) -> Vec<(String, String, u64, String)> {
    let mut v: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["commit"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn one(rule: &str, path: &str, line: u64, commit: &str) -> (String, String, u64, String) {
    (rule.into(), path.into(), line, commit.into())
}

const CFG: &str = "jwt.hmac-key.config";

#[test]
fn secret_committed_then_removed_is_found_only_in_history() {
    let r = Repo::new();
    r.write("app/.env", &format!("PORT=80\n{OLD}"));
    let c1 = r.commit("add env");
    r.write("app/.env", "PORT=80\n");
    r.commit("remove secret");
    let (doc, out) = scan_git(&r.path(), &[]);
    assert_eq!(found(&doc), vec![one(CFG, "app/.env", 2, &c1)]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(doc["findings"][0]["commit_time"], 1_700_000_060);
    let (worktree, _) = scan_json(&r.path(), &[]);
    assert_eq!(triples(&worktree), vec![], "the working tree is clean");
}

#[test]
fn secret_in_a_file_deleted_later_is_found() {
    let r = Repo::new();
    r.write("old/settings.env", OLD);
    let c1 = r.commit("add");
    r.git(&["rm", "-q", "old/settings.env"]);
    r.commit("delete");
    let (doc, _) = scan_git(&r.path(), &[]);
    assert_eq!(found(&doc), vec![one(CFG, "old/settings.env", 1, &c1)]);
}

#[test]
fn secret_on_an_unmerged_branch_is_found() {
    let r = Repo::new();
    r.write("README", "hi\n");
    r.commit("init");
    r.git(&["checkout", "-q", "-b", "experiment"]);
    r.write("exp.env", OLD);
    let c = r.commit("experiment");
    r.git(&["checkout", "-q", "main"]);
    let (doc, _) = scan_git(&r.path(), &[]);
    assert_eq!(found(&doc), vec![one(CFG, "exp.env", 1, &c)]);
    let (doc, _) = scan_git(&r.path(), &["--branch", "main"]);
    assert_eq!(found(&doc), vec![], "not reachable from main");
}

#[test]
fn secret_added_and_removed_on_a_side_branch_then_merged_is_found() {
    let r = Repo::new();
    r.write("README", "hi\n");
    r.commit("init");
    r.git(&["checkout", "-q", "-b", "side"]);
    r.write("side.env", OLD);
    let s1 = r.commit("side adds secret");
    r.write("side.env", "nothing\n");
    r.commit("side removes it");
    r.git(&["checkout", "-q", "main"]);
    r.write("main.txt", "main work\n");
    r.commit("main work");
    r.git(&["merge", "-q", "--no-ff", "-m", "merge side", "side"]);
    r.git(&["branch", "-q", "-D", "side"]);
    let (doc, _) = scan_git(&r.path(), &[]);
    assert_eq!(found(&doc), vec![one(CFG, "side.env", 1, &s1)]);
}

#[test]
fn same_secret_copied_to_a_second_path_is_reported_per_path() {
    let r = Repo::new();
    r.write("a.env", OLD);
    let c1 = r.commit("a");
    r.write("b.env", OLD);
    let c2 = r.commit("b");
    let (doc, _) = scan_git(&r.path(), &[]);
    assert_eq!(
        found(&doc),
        vec![one(CFG, "a.env", 1, &c1), one(CFG, "b.env", 1, &c2)]
    );
}

#[test]
fn same_secret_in_many_versions_of_a_file_is_one_finding_with_a_count() {
    let r = Repo::new();
    r.write("a.env", &format!("{OLD}V=1\n"));
    let c1 = r.commit("v1");
    for v in 2..=4 {
        r.write("a.env", &format!("{OLD}V={v}\n"));
        r.commit("bump");
    }
    let (doc, _) = scan_git(&r.path(), &[]);
    assert_eq!(found(&doc), vec![one(CFG, "a.env", 1, &c1)]);
    assert_eq!(doc["findings"][0]["later_occurrences"], 3);
}

#[test]
fn range_reports_only_the_new_secret() {
    let r = Repo::new();
    r.write("a.env", OLD);
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("a.env", &format!("{OLD}{NEW}"));
    let c2 = r.commit("adds a new secret next to the old one");
    r.git(&["checkout", "-q", "main"]);
    r.write("other.txt", "main moved on\n");
    r.commit("main");
    let (doc, _) = scan_git(&r.path(), &["--range", "main..feature"]);
    assert_eq!(found(&doc), vec![one(CFG, "a.env", 2, &c2)]);
    r.git(&["checkout", "-q", "feature"]);
    let (doc, _) = scan_git(&r.path(), &["--since", "main"]);
    assert_eq!(found(&doc), vec![one(CFG, "a.env", 2, &c2)]);
}

#[test]
fn staged_sees_the_index_not_the_working_tree() {
    let r = Repo::new();
    r.write("a.env", OLD);
    r.commit("base");
    r.write("a.env", &format!("{OLD}{NEW}"));
    r.git(&["add", "a.env"]);
    r.write("a.env", OLD); // the working tree no longer has it; the index does
    let (doc, out) = scan_git(&r.path(), &["--staged"]);
    assert_eq!(found(&doc), vec![one(CFG, "a.env", 2, "")]);
    assert_eq!(out.status.code(), Some(1));
    r.git(&["reset", "-q", "a.env"]);
    let (doc, out) = scan_git(&r.path(), &["--staged"]);
    assert_eq!(found(&doc), vec![], "nothing staged");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn staged_works_before_the_first_commit() {
    let r = Repo::new();
    r.write("first.env", OLD);
    r.git(&["add", "first.env"]);
    let (doc, _) = scan_git(&r.path(), &["--staged"]);
    assert_eq!(found(&doc), vec![one(CFG, "first.env", 1, "")]);
}

#[test]
fn bare_repository() {
    let r = Repo::new();
    r.write("a.env", OLD);
    let c1 = r.commit("a");
    let bare = tempfile::tempdir().unwrap();
    let target = bare.path().join("r.git");
    git_in(
        bare.path(),
        &[
            "clone",
            "-q",
            "--bare",
            r.path().to_str().unwrap(),
            target.to_str().unwrap(),
        ],
    );
    let (doc, _) = scan_git(&target, &[]);
    assert_eq!(found(&doc), vec![one(CFG, "a.env", 1, &c1)]);
}

#[test]
fn shallow_clone_warns() {
    let r = Repo::new();
    r.write("a.env", OLD);
    r.commit("a");
    r.write("b.txt", "more\n");
    r.commit("b");
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("shallow");
    let url = format!("file://{}", r.path().display());
    git_in(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            target.to_str().unwrap(),
        ],
    );
    let (doc, out) = scan_git(&target, &[]);
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("shallow clone") && err.contains("fetch-depth: 0"),
        "{err}"
    );
    assert_eq!(found(&doc).len(), 1, "what is there is still scanned");
}

#[test]
fn corrupt_object_is_one_error_and_the_scan_goes_on() {
    let r = Repo::new();
    r.write("a.env", OLD);
    r.write("victim.txt", "this blob will be corrupted\n");
    let c1 = r.commit("a");
    let victim = r.git(&["rev-parse", "HEAD:victim.txt"]);
    let obj = r
        .path()
        .join(".git/objects")
        .join(&victim[..2])
        .join(&victim[2..]);
    let mut perm = std::fs::metadata(&obj).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(&obj, perm).unwrap();
    std::fs::write(&obj, b"\x78\x9cgarbage-not-zlib").unwrap();
    let (doc, out) = scan_git(&r.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&victim) && err.contains("victim.txt"), "{err}");
    assert_eq!(found(&doc), vec![one(CFG, "a.env", 1, &c1)]);
}

/// Overwrites the loose object `oid` with bytes that do not inflate.
fn corrupt_loose(r: &Repo, oid: &str) {
    let obj = r
        .path()
        .join(".git/objects")
        .join(&oid[..2])
        .join(&oid[2..]);
    let mut perm = std::fs::metadata(&obj).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(&obj, perm).unwrap();
    std::fs::write(&obj, b"\x78\x9cgarbage-not-zlib").unwrap();
}

/// The `leakhound: error:` lines of a run, each of which must name a different object.
fn error_lines(out: &std::process::Output) -> Vec<String> {
    let err = stderr(out);
    let lines: Vec<String> = err
        .lines()
        .filter(|l| l.starts_with("leakhound: error: "))
        .map(String::from)
        .collect();
    let mut unique = lines.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), lines.len(), "one line per object: {err}");
    lines
}

#[test]
fn corrupt_tree_is_one_error_naming_commit_and_path_and_the_scan_goes_on() {
    let r = Repo::new();
    r.write("lib/victim/a.txt", "first\n");
    r.write("lib/keep.txt", "keep\n");
    let c1 = r.commit("a");
    let victim = r.git(&["rev-parse", "HEAD:lib/victim"]);
    r.write("lib/victim/a.txt", "second\n");
    r.commit("b");
    r.write("app.env", OLD);
    let c3 = r.commit("secret");
    corrupt_loose(&r, &victim);
    let (doc, out) = scan_git(&r.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let errors = error_lines(&out);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains(&format!("tree {victim} (commit {c1}, lib/victim)")),
        "{errors:?}"
    );
    assert_eq!(found(&doc), vec![one(CFG, "app.env", 1, &c3)]);
    assert_eq!(
        doc["summary"]["errors"].as_array().unwrap().len(),
        1,
        "counted"
    );
}

#[test]
fn corrupt_commit_is_one_error_and_later_commits_are_still_scanned() {
    let r = Repo::new();
    r.write("a.txt", "one\n");
    let c1 = r.commit("one");
    r.write("a.txt", "two\n");
    let bad = r.commit("two");
    r.write("b.txt", "three\n");
    r.commit("three");
    r.write("app.env", OLD);
    let c4 = r.commit("secret");
    corrupt_loose(&r, &bad);
    let (doc, out) = scan_git(&r.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let errors = error_lines(&out);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains(&format!("commit {bad}")), "{errors:?}");
    assert_eq!(found(&doc), vec![one(CFG, "app.env", 1, &c4)]);
    // A range over the damage also goes on.
    let range = format!("{c1}..HEAD");
    let (doc, out) = scan_git(&r.path(), &["--range", &range]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(found(&doc), vec![one(CFG, "app.env", 1, &c4)]);
}

#[test]
fn truncated_pack_names_each_unreadable_object_once_and_loose_secrets_are_found() {
    let r = Repo::new();
    for i in 0..4 {
        r.write(&format!("dir{i}/f.txt"), &format!("file {i}\n"));
        r.commit(&format!("c{i}"));
    }
    r.git(&["repack", "-a", "-d", "-q"]);
    r.write("app.env", OLD);
    let last = r.commit("secret, in a loose object");
    let parent = r.git(&["rev-parse", "HEAD~1"]);
    let packs = r.path().join(".git/objects/pack");
    let pack = std::fs::read_dir(&packs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pack"))
        .unwrap();
    let mut perm = std::fs::metadata(&pack).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(&pack, perm).unwrap();
    let len = std::fs::metadata(&pack).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&pack)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let (doc, out) = scan_git(&r.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let errors = error_lines(&out);
    assert!(
        errors
            .iter()
            .any(|e| e.contains(&format!("commit {parent} (parent of commit {last})"))),
        "{errors:?}"
    );
    // The new commit's tree is loose, its four packed subtrees are not: each named once.
    for i in 0..4 {
        let dir = format!("(commit {last}, dir{i}): ");
        assert_eq!(
            errors.iter().filter(|e| e.contains(&dir)).count(),
            1,
            "{dir} {errors:?}"
        );
    }
    assert_eq!(errors.len(), 5, "{errors:?}");
    assert_eq!(found(&doc), vec![one(CFG, "app.env", 1, &last)]);
}

#[test]
fn shallow_range_beyond_the_cut_says_how_to_fetch() {
    let r = Repo::new();
    r.write("a.txt", "a\n");
    r.commit("a");
    r.write("app.env", OLD);
    r.commit("b");
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("shallow");
    let url = format!("file://{}", r.path().display());
    git_in(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            target.to_str().unwrap(),
        ],
    );
    let t = target.to_str().unwrap();
    let out = run(&["git", t, "--range", "HEAD~1..HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for needle in [
        "HEAD~1",
        "shallow clone",
        "git fetch --deepen=N",
        "git fetch --unshallow",
        "fetch-depth: 0",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn shallow_range_without_the_merge_base_diffs_the_two_ends() {
    let r = Repo::new();
    r.write("base.env", OLD);
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("feature.env", NEW);
    r.write("base.env", &format!("# moved\n{OLD}"));
    r.commit("feature");
    r.git(&["checkout", "-q", "main"]);
    r.write("main.txt", "main moves on\n");
    r.commit("main");
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("shallow");
    let url = format!("file://{}", r.path().display());
    git_in(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            &url,
            target.to_str().unwrap(),
        ],
    );
    let head = git_in(&target, &["rev-parse", "origin/feature"]);
    let (doc, out) = scan_git(&target, &["--range", "origin/main..origin/feature"]);
    let err = stderr(&out);
    assert!(
        err.contains("merge base") && err.contains("git fetch --deepen=N"),
        "{err}"
    );
    // What the feature adds, and not the secret base.env already held.
    assert_eq!(found(&doc), vec![one(CFG, "feature.env", 1, &head)]);
    assert_eq!(out.status.code(), Some(1), "{err}");
}

#[test]
fn not_a_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["git", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("leakhound: error: ") && err.contains("not a git repository"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn history_sarif_keeps_fingerprints_and_carries_the_commit() {
    let r = Repo::new();
    r.write("a.env", OLD);
    let c1 = r.commit("a");
    let p = r.path().to_string_lossy().into_owned();
    let sarif: Value =
        serde_json::from_slice(&run(&["git", &p, "--format", "sarif"]).stdout).unwrap();
    let res = &sarif["runs"][0]["results"][0];
    assert_eq!(res["properties"]["commit"], Value::from(c1));
    assert_eq!(
        res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "a.env"
    );
    let (doc, _) = scan_json(&r.path(), &[]);
    assert_eq!(
        res["partialFingerprints"]["leakhound/v1"], doc["findings"][0]["fingerprint"],
        "same as a file scan"
    );
}

#[test]
fn stash_and_unreachable_blobs() {
    let r = Repo::new();
    r.write("README", "hi\n");
    r.commit("init");
    r.write("stashed.env", OLD);
    r.git(&["add", "stashed.env"]);
    r.git(&["stash", "-q"]);
    let (doc, _) = scan_git(&r.path(), &[]);
    let paths: Vec<String> = found(&doc).into_iter().map(|f| f.1).collect();
    assert_eq!(paths, vec!["stashed.env"], "refs/stash is history too");

    let dangling = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(dangling.path(), NEW).unwrap();
    let oid = r.git(&["hash-object", "-w", dangling.path().to_str().unwrap()]);
    let (doc, _) = scan_git(&r.path(), &[]);
    assert_eq!(
        found(&doc).len(),
        1,
        "unreachable blobs only with --all-objects"
    );
    let (doc, _) = scan_git(&r.path(), &["--all-objects"]);
    let paths: Vec<String> = found(&doc).into_iter().map(|f| f.1).collect();
    assert_eq!(
        paths,
        vec![format!("(unreachable)/{oid}"), "stashed.env".to_string()]
    );
}

/// A crafted repository can nest trees deeper than a thread's stack (git itself builds this
/// one): the tree diff keeps its own stack, so the secret at the bottom is still found.
#[test]
fn tree_nested_30k_deep_is_walked_without_recursion() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    git_ok(dir.path(), &["init", "-q", "-b", "main"]);
    let path = format!("{}/k.env", vec!["a"; 30_000].join("/"));
    let data = "JWT_SECRET=9c4e1a7f3b8d2e6a0c5f9b1d4e8a2c6f\n";
    let stream = format!(
        "commit refs/heads/main\ncommitter T <t@example.com> 1700000000 +0000\ndata 4\ndeep\n\
         M 100644 inline {path}\ndata {}\n{data}\n",
        data.len()
    );
    let mut child = git_command(dir.path())
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    let head = git_ok(dir.path(), &["rev-parse", "HEAD"]);
    let (doc, out) = scan_git(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(found(&doc), vec![one(CFG, &path, 1, &head)]);
}
