//! The cache-tree diff of the index against HEAD, against libgit2's diff of the same index,
//! on indexes git writes: nested edits, new directories, deletions, mode and type changes,
//! version 4, no cached trees, and the kinds this reader leaves to libgit2.
use super::super::diff::deltas;
use super::*;
use git2::Oid;

fn git(dir: &Path, args: &[&str]) {
    crate::source::git::test_git::git(dir, args, &[]);
}

fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A committed tree of nested directories, with its index's cached trees written.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    for (i, path) in [
        "a/x.txt",
        "a/b/y.txt",
        "a/b/c/z.txt",
        "d/w.txt",
        "top.txt",
        "m.sh",
    ]
    .iter()
    .enumerate()
    {
        write(d, path, &format!("{i}\n"));
    }
    std::os::unix::fs::symlink("top.txt", d.join("link")).unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "base"]);
    dir
}

type Listed = Vec<(String, Oid, Option<Oid>)>;

fn sorted(changes: Vec<Change>) -> Listed {
    let mut out: Listed = changes.into_iter().map(|(o, p, b)| (p, o, b)).collect();
    out.sort();
    out
}

/// (ours, libgit2's) for the index at `index`.
fn both(d: &Path, index: &Path) -> (Option<Listed>, Listed) {
    let repo = Repository::open(d).unwrap();
    let ours = changes(&repo, index).map(sorted);
    let head = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
    let idx = git2::Index::open(index).unwrap();
    let diff = repo
        .diff_tree_to_index(head.as_ref(), Some(&idx), None)
        .unwrap();
    (ours, sorted(deltas(&diff)))
}

fn same(d: &Path, want: &[&str]) {
    let (ours, theirs) = both(d, &d.join(".git/index"));
    let ours = ours.expect("this index is read by the cache-tree reader");
    assert_eq!(ours, theirs);
    let paths: Vec<&str> = ours.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(paths, want);
}

#[test]
fn staged_edits_additions_and_type_changes_are_what_libgit2_lists() {
    let dir = repo();
    let d = dir.path();
    same(d, &[]);
    let cached = |d: &Path| {
        let f = index::parse(&std::fs::read(d.join(".git/index")).unwrap()).unwrap();
        let mut dirs: Vec<String> = f.trees.into_keys().collect();
        dirs.sort();
        dirs
    };
    assert_eq!(cached(d), ["", "a", "a/b", "a/b/c", "d"]);
    write(d, "a/b/c/z.txt", "edited\n");
    git(d, &["add", "a/b/c/z.txt"]);
    // Staging a file invalidates the cached trees on its way, and only those.
    assert_eq!(cached(d), ["d"]);
    write(d, "n/e/w.txt", "new\n");
    std::fs::remove_file(d.join("d/w.txt")).unwrap();
    git(d, &["add", "-A"]);
    git(d, &["update-index", "--chmod=+x", "m.sh"]);
    same(d, &["a/b/c/z.txt", "m.sh", "n/e/w.txt"]);
    std::fs::remove_file(d.join("link")).unwrap();
    write(d, "link", "now a file\n");
    std::fs::remove_file(d.join("top.txt")).unwrap();
    std::os::unix::fs::symlink("a/x.txt", d.join("top.txt")).unwrap();
    // `add -A` takes the work tree's mode again: `m.sh` is no longer executable there.
    git(d, &["add", "-A"]);
    same(d, &["a/b/c/z.txt", "link", "n/e/w.txt", "top.txt"]);
    // Version 4 compresses paths against the previous entry's.
    git(d, &["update-index", "--index-version", "4"]);
    same(d, &["a/b/c/z.txt", "link", "n/e/w.txt", "top.txt"]);
}

#[test]
fn an_index_without_cached_trees_and_a_temporary_index_are_read_too() {
    let dir = repo();
    let d = dir.path();
    let tmp = d.join("tmp-index");
    let index_file = [("GIT_INDEX_FILE", tmp.to_str().unwrap())];
    let with_tmp = |args: &[&str]| crate::source::git::test_git::git(d, args, &index_file);
    // Entries added one by one to an empty index: no `TREE` extension at all.
    write(d, "a/b/y.txt", "changed\n");
    with_tmp(&["update-index", "--add", "a/x.txt", "a/b/y.txt", "d/w.txt"]);
    let (ours, theirs) = both(d, &tmp);
    assert_eq!(ours.expect("read"), theirs);
    assert_eq!(theirs.len(), 1, "{theirs:?}");
}

#[test]
fn conflicts_and_split_indexes_are_left_to_libgit2() {
    let dir = repo();
    let d = dir.path();
    git(d, &["update-index", "--split-index"]);
    write(d, "top.txt", "x\n");
    git(d, &["add", "top.txt"]);
    let repo = Repository::open(d).unwrap();
    assert!(changes(&repo, &d.join(".git/index")).is_none());
    let mut raw = std::fs::read(d.join(".git/index")).unwrap();
    raw.truncate(30);
    assert!(index::parse(&raw).is_none());
    assert!(index::parse(b"DIRC\0\0\0\x09\0\0\0\0").is_none());
}

#[test]
fn a_tree_cache_nesting_deeper_than_the_path_budget_is_refused_quickly() {
    // 20,000 directories each inside the last: 7 bytes a level, quadratically many bytes of
    // paths if they were all spelled out.
    let mut raw = b"DIRC\0\0\0\x02\0\0\0\0TREE".to_vec();
    let data = "a\0-1 1\n".repeat(20_000);
    raw.extend_from_slice(&(data.len() as u32).to_be_bytes());
    raw.extend_from_slice(data.as_bytes());
    raw.extend_from_slice(&[0; 20]);
    let started = std::time::Instant::now();
    assert!(index::parse(&raw).is_none());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // The same shape, shallow, parses: the root and two levels, all invalidated.
    let mut raw = b"DIRC\0\0\0\x02\0\0\0\0TREE".to_vec();
    let data = "\0-1 1\na\0-1 1\nb\0-1 0\n";
    raw.extend_from_slice(&(data.len() as u32).to_be_bytes());
    raw.extend_from_slice(data.as_bytes());
    raw.extend_from_slice(&[0; 20]);
    let f = index::parse(&raw).expect("parses");
    assert!(f.entries.is_empty() && f.trees.is_empty());
}
