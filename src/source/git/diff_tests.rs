//! The iterative tree diff: which files a commit adds or modifies against its parent (or a
//! given base), in nested, retyped and very deep trees, and what it does with unreadable trees.
use super::*;
use crate::source::git::pack::Cache;
use git2::{Commit, Repository, Signature, Time};
use std::collections::BTreeMap;
use std::path::Path;
use tempfile::TempDir;

const FILE: i32 = 0o100644;
const DIR: i32 = 0o040000;

fn bare() -> (TempDir, Repository) {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = Repository::init_bare(dir.path()).expect("git init");
    (dir, repo)
}

/// The tree of `files` (`dir/sub/name`, content), nested as their paths say.
fn tree(repo: &Repository, files: &[(&str, &str)]) -> Oid {
    let mut dirs: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    let mut b = repo.treebuilder(None).expect("treebuilder");
    for &(path, content) in files {
        match path.split_once('/') {
            Some((dir, rest)) => dirs.entry(dir).or_default().push((rest, content)),
            None => {
                let blob = repo.blob(content.as_bytes()).expect("blob");
                b.insert(path, blob, FILE).expect("insert file");
            }
        }
    }
    for (dir, sub) in dirs {
        b.insert(dir, tree(repo, &sub), DIR).expect("insert dir");
    }
    b.write().expect("write tree")
}

fn commit_tree(repo: &Repository, tree: Oid, parent: Option<Oid>) -> Oid {
    let tree = repo.find_tree(tree).expect("tree");
    let sig = Signature::new(
        "Test Author",
        "author@example.com",
        &Time::new(1_700_000_000, 0),
    )
    .expect("signature");
    let parents: Vec<Commit<'_>> = parent
        .map(|p| repo.find_commit(p).expect("parent"))
        .into_iter()
        .collect();
    let parents: Vec<&Commit<'_>> = parents.iter().collect();
    repo.commit(None, &sig, &sig, "test", &tree, &parents)
        .expect("commit")
}

fn commit(repo: &Repository, files: &[(&str, &str)], parent: Option<Oid>) -> Oid {
    commit_tree(repo, tree(repo, files), parent)
}

fn text(repo: &Repository, blob: Oid) -> String {
    let blob = repo.find_blob(blob).expect("blob");
    String::from_utf8(blob.content().to_vec()).expect("utf-8 test content")
}

/// What `id` changes, read through libgit2 (these repositories hold loose objects).
fn read(repo: &Repository, id: Oid, against: Option<Oid>) -> Result<CommitChanges, git2::Error> {
    let (mut cache, shallow) = (Cache::new(1 << 20), Default::default());
    commit_changes(
        &mut Objects::new(repo, &[], &mut cache, &shallow),
        id,
        against,
    )
}

/// (path, new content, old content) of what `id` changes, in the order the diff gives them.
fn changes(
    repo: &Repository,
    id: Oid,
    against: Option<Oid>,
) -> Vec<(String, String, Option<String>)> {
    let c = read(repo, id, against).expect("commit readable");
    assert_eq!(c.bad.len(), 0, "unexpected unreadable objects");
    c.blobs
        .into_iter()
        .map(|(new, path, old)| (path, text(repo, new), old.map(|o| text(repo, o))))
        .collect()
}

fn added(path: &str, content: &str) -> (String, String, Option<String>) {
    (path.into(), content.into(), None)
}

fn modified(path: &str, content: &str, before: &str) -> (String, String, Option<String>) {
    (path.into(), content.into(), Some(before.into()))
}

#[test]
fn a_root_commit_adds_every_file_depth_first_in_git_order() {
    let (_dir, repo) = bare();
    let id = commit(
        &repo,
        &[
            ("src/lib.rs", "lib"),
            ("README", "readme"),
            ("src.txt", "txt"),
            ("src/a/b.rs", "b"),
        ],
        None,
    );
    // Git compares a subtree's name as `src/`, so `src.txt` ('.' < '/') comes first.
    assert_eq!(
        changes(&repo, id, None),
        [
            added("README", "readme"),
            added("src.txt", "txt"),
            added("src/a/b.rs", "b"),
            added("src/lib.rs", "lib"),
        ]
    );
    let meta = read(&repo, id, None).expect("readable").meta;
    assert_eq!(meta.id, id.to_string());
    assert_eq!(meta.time, 1_700_000_000);
    assert_eq!(meta.author, "Test Author <author@example.com>");
}

#[test]
fn added_and_modified_files_in_nested_directories_are_listed_and_deleted_ones_not() {
    let (_dir, repo) = bare();
    let parent = commit(
        &repo,
        &[
            ("a/b/keep.txt", "keep"),
            ("a/b/mod.txt", "v1"),
            ("a/b/del.txt", "gone soon"),
            ("a/c/same.txt", "same"),
            ("top.txt", "top v1"),
        ],
        None,
    );
    let child = commit(
        &repo,
        &[
            ("a/b/keep.txt", "keep"),
            ("a/b/mod.txt", "v2"),
            ("a/b/new.txt", "new"),
            ("a/c/same.txt", "same"),
            ("top.txt", "top v2"),
            ("z/deep/er/new.txt", "deeper"),
        ],
        Some(parent),
    );
    assert_eq!(
        changes(&repo, child, None),
        [
            modified("a/b/mod.txt", "v2", "v1"),
            added("a/b/new.txt", "new"),
            modified("top.txt", "top v2", "top v1"),
            added("z/deep/er/new.txt", "deeper"),
        ]
    );
}

#[test]
fn a_commit_that_only_deletes_changes_nothing() {
    let (_dir, repo) = bare();
    let parent = commit(
        &repo,
        &[("a/x.txt", "x"), ("a/y.txt", "y"), ("b.txt", "b")],
        None,
    );
    let child = commit(&repo, &[("a/x.txt", "x")], Some(parent));
    assert_eq!(changes(&repo, child, None), []);
}

#[test]
fn a_subtree_replaced_by_a_file_and_a_file_by_a_subtree_are_added() {
    let (_dir, repo) = bare();
    let parent = commit(
        &repo,
        &[
            ("x/inner.txt", "was in a dir"),
            ("y", "was a file"),
            ("z", "z"),
        ],
        None,
    );
    let child = commit(
        &repo,
        &[
            ("x", "now a file"),
            ("y/inner.txt", "now in a dir"),
            ("z", "z"),
        ],
        Some(parent),
    );
    // Neither has a blob before it at that path: what was there was the other kind.
    assert_eq!(
        changes(&repo, child, None),
        [
            added("x", "now a file"),
            added("y/inner.txt", "now in a dir")
        ]
    );
}

#[test]
fn a_given_base_replaces_the_parent() {
    let (_dir, repo) = bare();
    let c1 = commit(&repo, &[("a.txt", "1"), ("b.txt", "1")], None);
    let c2 = commit(&repo, &[("a.txt", "2"), ("b.txt", "1")], Some(c1));
    let c3 = commit(&repo, &[("a.txt", "2"), ("b.txt", "3")], Some(c2));
    assert_eq!(changes(&repo, c3, None), [modified("b.txt", "3", "1")]);
    assert_eq!(
        changes(&repo, c3, Some(c1)),
        [modified("a.txt", "2", "1"), modified("b.txt", "3", "1")]
    );
}

#[test]
fn symlinks_and_submodules_are_not_scanned_but_executables_are() {
    let (_dir, repo) = bare();
    let mut b = repo.treebuilder(None).expect("treebuilder");
    let target = repo.blob(b"../secret.txt").expect("blob");
    let script = repo.blob(b"#!/bin/sh\n").expect("blob");
    b.insert("link", target, 0o120000).expect("symlink");
    b.insert("run.sh", script, 0o100755).expect("executable");
    // A submodule entry names a commit of another repository, absent here.
    let sub = Oid::from_str("1111111111111111111111111111111111111111").unwrap();
    b.insert("vendor", sub, 0o160000).expect("submodule");
    let id = commit_tree(&repo, b.write().expect("tree"), None);
    assert_eq!(changes(&repo, id, None), [added("run.sh", "#!/bin/sh\n")]);
}

#[test]
fn a_tree_deeper_than_a_small_stack_is_diffed() {
    const DEPTH: usize = 2000;
    let (_dir, repo) = bare();
    let deep = |content: &str| {
        let mut b = repo.treebuilder(None).expect("treebuilder");
        b.insert("f", repo.blob(content.as_bytes()).expect("blob"), FILE)
            .expect("insert");
        let mut id = b.write().expect("tree");
        for _ in 0..DEPTH {
            let mut b = repo.treebuilder(None).expect("treebuilder");
            b.insert("d", id, DIR).expect("insert");
            id = b.write().expect("tree");
        }
        id
    };
    let parent = commit_tree(&repo, deep("old"), None);
    let child = commit_tree(&repo, deep("new"), Some(parent));
    let path = format!("{}f", "d/".repeat(DEPTH));
    // 256 KiB is far less than a walk that recursed once per level would need, so this
    // overflows (and aborts the test binary) unless the walk keeps its own stack.
    let dir = repo.path().to_path_buf();
    let got = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let repo = Repository::open_bare(dir).expect("reopen");
            changes(&repo, child, None)
        })
        .expect("thread starts")
        .join()
        .expect("diff finishes");
    assert_eq!(got, [modified(&path, "new", "old")]);
}

#[test]
fn an_unreadable_subtree_is_reported_and_its_siblings_still_listed() {
    let (dir, repo) = bare();
    let id = commit(
        &repo,
        &[
            ("a/gone/x.txt", "x"),
            ("a/kept.txt", "kept"),
            ("b.txt", "b"),
        ],
        None,
    );
    let gone = repo
        .find_commit(id)
        .unwrap()
        .tree()
        .unwrap()
        .get_path(Path::new("a/gone"))
        .unwrap()
        .id();
    let hex = gone.to_string();
    std::fs::remove_file(dir.path().join("objects").join(&hex[..2]).join(&hex[2..]))
        .expect("loose tree object removed");
    // A fresh handle, so no cached copy of the removed tree is read.
    let repo = Repository::open_bare(dir.path()).expect("reopen");
    let c = read(&repo, id, None).expect("the commit itself is readable");
    let listed: Vec<&str> = c.blobs.iter().map(|(_, p, _)| p.as_str()).collect();
    assert_eq!(listed, ["a/kept.txt", "b.txt"]);
    let bad: Vec<(&str, Oid, &str)> = c
        .bad
        .iter()
        .map(|b| (b.kind, b.oid, b.path.as_str()))
        .collect();
    assert_eq!(bad, [("tree", gone, "a/gone")]);
}

#[test]
fn an_unreadable_commit_is_an_error() {
    let (_dir, repo) = bare();
    let missing = Oid::from_str("2222222222222222222222222222222222222222").unwrap();
    let err = read(&repo, missing, None).err().expect("no such commit");
    assert_eq!(err.code(), git2::ErrorCode::NotFound);
}

#[test]
fn deltas_keep_added_and_modified_files_with_their_old_blob() {
    let (_dir, repo) = bare();
    let old = repo
        .find_tree(tree(
            &repo,
            &[("a/mod.txt", "v1"), ("a/del.txt", "d"), ("keep", "k")],
        ))
        .unwrap();
    let new = repo
        .find_tree(tree(
            &repo,
            &[("a/mod.txt", "v2"), ("a/new.txt", "n"), ("keep", "k")],
        ))
        .unwrap();
    let diff = repo
        .diff_tree_to_tree(Some(&old), Some(&new), None)
        .expect("diff");
    let got: Vec<(String, String, Option<String>)> = deltas(&diff)
        .into_iter()
        .map(|(new, path, old)| (path, text(&repo, new), old.map(|o| text(&repo, o))))
        .collect();
    assert_eq!(
        got,
        [modified("a/mod.txt", "v2", "v1"), added("a/new.txt", "n")]
    );
}
