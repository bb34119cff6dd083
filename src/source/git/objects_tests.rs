//! Commits and trees read through the pack reader against what libgit2 reads, and the raw
//! parsers against hand-made and broken objects.
use super::super::diff::commit_changes;
use super::super::pack::{open_all, Pack};
use super::*;
use crate::source::git::test_git::repack_deep;
use std::path::Path;

fn git(dir: &Path, args: &[&str], author: &str) {
    let env = [
        ("GIT_AUTHOR_NAME", author),
        ("GIT_AUTHOR_EMAIL", "dev@example.com"),
        ("GIT_AUTHOR_DATE", "1700000000 +0200"),
    ];
    crate::source::git::test_git::git(dir, args, &env);
}

/// 30 commits editing, adding, moving and deleting files three directories deep, and one
/// file in the middle of a 60-file directory, with a symlink and an executable, repacked so
/// trees and commits are delta chains.
fn nested_history() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"], "a");
    for i in 0..30 {
        for (j, sub) in ["src/core", "src/core/deep", "docs", "src/ui"]
            .iter()
            .enumerate()
        {
            std::fs::create_dir_all(d.join(sub)).unwrap();
            let body: String = (0..=i).map(|k| format!("line {k} of {sub}\n")).collect();
            std::fs::write(d.join(sub).join(format!("f{}.txt", (i + j) % 4)), body).unwrap();
        }
        std::fs::create_dir_all(d.join("big")).unwrap();
        for k in 0..60 {
            if i == 0 || k == (i * 7) % 60 {
                std::fs::write(d.join(format!("big/f{k:02}.txt")), format!("{i} {k}\n")).unwrap();
            }
        }
        if i % 7 == 3 {
            std::fs::remove_file(d.join("docs/f0.txt")).ok();
            let _ = std::fs::rename(d.join("src/ui/f1.txt"), d.join("src/moved.txt"));
        }
        if i == 5 {
            std::os::unix::fs::symlink("src/core/f0.txt", d.join("link")).unwrap();
            git(
                d,
                &["update-index", "--add", "--chmod=+x", "src/core/f1.txt"],
                "a",
            );
        }
        git(d, &["add", "-A"], "a");
        let author = format!("  Dev {i} O'Neil ");
        git(d, &["commit", "-q", "-m", &format!("c{i}")], &author);
    }
    repack_deep(d, &[]);
    dir
}

/// [`nested_history`] opened: the repository, its one pack, and its commits from HEAD.
fn opened_history() -> (tempfile::TempDir, Repository, Vec<Pack>, Vec<Oid>) {
    let dir = nested_history();
    let repo = Repository::open(dir.path()).unwrap();
    let (packs, warnings) = open_all(&dir.path().join(".git/objects"));
    assert!(warnings.is_empty() && packs.len() == 1, "{warnings:?}");
    let mut walk = repo.revwalk().unwrap();
    walk.push_head().unwrap();
    let ids: Vec<Oid> = walk.map(Result::unwrap).collect();
    assert_eq!(ids.len(), 30);
    (dir, repo, packs, ids)
}

#[test]
fn every_commit_diffs_the_same_through_the_packs_as_through_libgit2() {
    let (_dir, repo, packs, ids) = opened_history();
    let shallow = HashSet::default();
    let (mut cold, mut warm) = (Cache::new(0), Cache::new(8 << 20));
    let mut libgit2 = Cache::new(8 << 20);
    let mut listed = 0;
    for &id in &ids {
        let mut via_git2 = Objects::new(&repo, &[], &mut libgit2, &shallow);
        let want = commit_changes(&mut via_git2, id, None).unwrap();
        for cache in [&mut cold, &mut warm] {
            let mut via_packs = Objects::new(&repo, &packs, cache, &shallow);
            let got = commit_changes(&mut via_packs, id, None).unwrap();
            assert_eq!(got.blobs, want.blobs, "commit {id}");
            assert!(got.bad.is_empty() && want.bad.is_empty());
            assert_eq!(
                (got.meta.time, &got.meta.author),
                (want.meta.time, &want.meta.author)
            );
        }
        // The author as libgit2 parses it: trimmed name, e-mail, time without the zone.
        let c = repo.find_commit(id).unwrap();
        let a = c.author();
        let libgit2_author = format!("{} <{}>", a.name().unwrap(), a.email().unwrap());
        assert_eq!(
            (want.meta.author, want.meta.time),
            (libgit2_author, a.when().seconds())
        );
        listed += want.blobs.len();
    }
    // Every commit changes four files and one in `big/`; the symlink is never listed.
    assert!(listed >= 150, "{listed}");
}

#[test]
fn a_shallow_boundary_commit_has_no_parents() {
    let dir = nested_history();
    let repo = Repository::open(dir.path()).unwrap();
    let head = repo.head().unwrap().target().unwrap();
    let (mut cache, shallow) = (Cache::new(1 << 20), HashSet::from_iter([head]));
    let mut objects = Objects::new(&repo, &[], &mut cache, &shallow);
    assert!(objects.commit(head).unwrap().parents.is_empty());
    let none = HashSet::default();
    let mut objects = Objects::new(&repo, &[], &mut cache, &none);
    assert_eq!(objects.commit(head).unwrap().parents.len(), 1);
}

#[test]
fn a_commit_header_is_read_as_libgit2_reads_it() {
    let raw = b"tree 1111111111111111111111111111111111111111\n\
        parent 2222222222222222222222222222222222222222\n\
        parent 3333333333333333333333333333333333333333\n\
        author  Ann <b> Lee  < ann@example.com > 1700000001 +0100\n\
        committer C <c@c> 1 +0000\n\
        gpgsig -----BEGIN PGP SIGNATURE-----\n \n author x <y> 5 +0000\n\n\
        author Not <a@header> 9 +0000\n";
    let c = parse_commit(raw).unwrap();
    assert_eq!(c.tree.to_string(), "1".repeat(40));
    assert_eq!(c.parents.len(), 2);
    // The e-mail is inside the last `<…>`, as libgit2 reads it; the name is what precedes.
    assert_eq!(
        (c.author.as_str(), c.time),
        ("Ann <b> Lee <ann@example.com>", 1_700_000_001)
    );
    assert!(parse_commit(b"parent 2222222222222222222222222222222222222222\n").is_none());
    assert!(parse_commit(b"tree 12345\n").is_none());
    let no_author = parse_commit(b"tree 1111111111111111111111111111111111111111\n").unwrap();
    assert_eq!((no_author.author.as_str(), no_author.time), ("", 0));
}

#[test]
fn tree_entries_parse_until_the_bytes_stop_making_sense() {
    let id = [7u8; 20];
    let mut raw = Vec::new();
    for (mode, name) in [
        ("100644", "a.txt"),
        ("40000", "dir"),
        ("120000", "ln"),
        ("160000", "sub"),
    ] {
        raw.extend_from_slice(format!("{mode} {name}\0").as_bytes());
        raw.extend_from_slice(&id);
    }
    let tree = Tree(raw.clone().into());
    let mut at = 0;
    let mut seen = Vec::new();
    while let Next::Entry(e, next) = tree.entry(at) {
        seen.push((
            String::from_utf8_lossy(e.name).to_string(),
            e.is_tree(),
            e.is_blob(),
            e.is_file(),
        ));
        assert_eq!(e.oid(), Oid::from_bytes(&id).unwrap());
        at = next;
    }
    assert!(matches!(tree.entry(at), Next::End));
    let kinds = [
        ("a.txt", false, true, true),
        ("dir", true, false, false),
        ("ln", false, true, false),
        ("sub", false, false, false),
    ];
    let want: Vec<_> = kinds
        .iter()
        .map(|&(n, t, b, f)| (n.to_string(), t, b, f))
        .collect();
    assert_eq!(seen, want);
    for broken in [
        &b"10064x a\0"[..],
        b" a\0",
        b"100644 a-without-nul",
        b"100644 a\0short-id",
        b"77777777 a\0",
    ] {
        let mut bytes = raw.clone();
        bytes.extend_from_slice(broken);
        bytes.extend_from_slice(&id[..broken.len().min(3)]);
        let tree = Tree(bytes.into());
        let (mut at, mut n) = (0, 0);
        while let Next::Entry(_, next) = tree.entry(at) {
            (at, n) = (next, n + 1);
        }
        assert_eq!(n, 4, "{}", String::from_utf8_lossy(broken));
        assert!(matches!(tree.entry(at), Next::Malformed));
    }
}

/// (path, blob, blob before) of what libgit2's own tree diff says `id` adds or modifies.
fn libgit2_changes(repo: &Repository, id: Oid) -> Vec<(String, Oid, Option<Oid>)> {
    let c = repo.find_commit(id).unwrap();
    let old = c.parent(0).ok().map(|p| p.tree().unwrap());
    let diff = repo
        .diff_tree_to_tree(old.as_ref(), Some(&c.tree().unwrap()), None)
        .unwrap();
    let mut out: Vec<_> = diff
        .deltas()
        .filter(|d| matches!(d.status(), git2::Delta::Added | git2::Delta::Modified))
        .filter(|d| d.new_file().id() != d.old_file().id())
        .filter(|d| d.new_file().mode() != git2::FileMode::Link)
        .map(|d| {
            let path = d.new_file().path().unwrap().to_string_lossy().to_string();
            let old = d.old_file().id();
            (path, d.new_file().id(), (!old.is_zero()).then_some(old))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_byte_skipping_diff_lists_what_libgit2s_tree_diff_lists() {
    let (_dir, repo, packs, ids) = opened_history();
    let (mut cache, shallow) = (Cache::new(8 << 20), HashSet::default());
    for id in ids {
        let mut objects = Objects::new(&repo, &packs, &mut cache, &shallow);
        let mut ours: Vec<_> = commit_changes(&mut objects, id, None)
            .unwrap()
            .blobs
            .into_iter()
            .map(|(oid, path, before)| (path, oid, before))
            .collect();
        ours.sort();
        assert_eq!(ours, libgit2_changes(&repo, id), "commit {id}");
    }
}
