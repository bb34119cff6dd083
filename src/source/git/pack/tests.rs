//! The pack reader against packs git writes, and against broken ones.
use super::delta::{apply, DeltaError};
use super::index::{blob_chains, Entry, Kind};
use super::*;
use crate::source::git::test_git::repack_deep;
use std::collections::HashMap;

fn git(dir: &Path, args: &[&str]) {
    crate::source::git::test_git::git(dir, args, &[]);
}

/// A repository with 40 versions of one growing file and a few others, packed with deltas
/// that name their base by offset (git's default) or, with `by_id`, by object id.
fn packed_repo_with(by_id: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    let mut text = String::new();
    for i in 0..40 {
        text.insert_str(
            text.len() / 2,
            &format!("line {i}: token value {}\n", i * 7919),
        );
        std::fs::write(d.join("grow.txt"), &text).unwrap();
        std::fs::write(d.join(format!("f{}.txt", i % 3)), format!("small {i}\n")).unwrap();
        git(d, &["add", "-A"]);
        git(d, &["commit", "-q", "-m", &format!("c{i}")]);
    }
    repack_deep(d, &[&format!("repack.useDeltaBaseOffset={}", !by_id)]);
    dir
}

fn packed_repo() -> tempfile::TempDir {
    packed_repo_with(false)
}

/// Every blob the packs' walks visit: id → (bytes, whether it came through a delta).
fn visit_all(objects: &Path, held: usize) -> HashMap<Oid, (Vec<u8>, bool)> {
    let (packs, warnings) = open_all(objects);
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut seen = HashMap::new();
    for pack in &packs {
        for &root in pack.roots() {
            let mut visit = |v: Visit<'_, Vec<u8>>| {
                let (oid, bytes, parent) = (v.oid, v.bytes, v.parent);
                if let Some((base, ops)) = parent {
                    // The instructions rebuild the bytes from the parent's.
                    let mut rebuilt = Vec::new();
                    for op in ops {
                        match op.from {
                            Some(f) => rebuilt.extend_from_slice(&base[f..f + op.len]),
                            None => rebuilt.extend_from_slice(&bytes[op.target()]),
                        }
                        assert_eq!(rebuilt.len(), op.to + op.len);
                    }
                    assert_eq!(rebuilt, bytes);
                }
                let again = seen.insert(oid, (bytes.to_vec(), parent.is_some()));
                assert!(again.is_none(), "{oid} visited twice");
                bytes.to_vec()
            };
            pack.walk(root, u64::MAX, held, &mut visit);
        }
    }
    seen
}

#[test]
fn every_blob_of_a_packed_repository_is_visited_once_with_its_content() {
    for by_id in [false, true] {
        every_blob_visited_once(&packed_repo_with(by_id));
    }
}

fn every_blob_visited_once(dir: &tempfile::TempDir) {
    let repo = git2::Repository::open(dir.path()).unwrap();
    let seen = visit_all(&dir.path().join(".git/objects"), usize::MAX);
    let mut blobs = 0;
    let odb = repo.odb().unwrap();
    odb.foreach(|oid| {
        let obj = odb.read(*oid).unwrap();
        if obj.kind() == git2::ObjectType::Blob {
            blobs += 1;
            assert_eq!(seen.get(oid).map(|s| s.0.as_slice()), Some(obj.data()));
        }
        true
    })
    .unwrap();
    assert_eq!(seen.len(), blobs);
    assert!(
        seen.values().filter(|s| s.1).count() >= 30,
        "deltas were walked"
    );
}

#[test]
fn bases_over_the_held_budget_leave_their_subtrees_unvisited() {
    let dir = packed_repo();
    let all = visit_all(&dir.path().join(".git/objects"), usize::MAX);
    let some = visit_all(&dir.path().join(".git/objects"), 0);
    assert!(some.len() < all.len());
    for (oid, (bytes, _)) in &some {
        assert_eq!(&all[oid].0, bytes);
    }
}

#[test]
fn a_damaged_object_skips_its_subtree_and_nothing_else() {
    let dir = packed_repo();
    let objects = dir.path().join(".git/objects");
    let all = visit_all(&objects, usize::MAX);
    let pack_path = std::fs::read_dir(objects.join("pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pack"))
        .unwrap();
    let (packs, _) = open_all(&objects);
    // Flip bytes inside the largest delta's compressed data.
    let victim = packs[0]
        .entries
        .iter()
        .filter(|e| e.kind == Kind::Delta)
        .max_by_key(|e| e.end - e.data)
        .unwrap()
        .clone();
    drop(packs);
    let mut raw = std::fs::read(&pack_path).unwrap();
    for b in &mut raw[victim.data as usize + 2..victim.end as usize] {
        *b ^= 0x5a;
    }
    let mut perm = std::fs::metadata(&pack_path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(&pack_path, perm).unwrap();
    std::fs::write(&pack_path, raw).unwrap();
    let some = visit_all(&objects, usize::MAX);
    assert!(!some.contains_key(&victim.oid));
    assert!(some.len() < all.len() && some.len() > all.len() / 2);
    for (oid, (bytes, _)) in &some {
        assert_eq!(&all[oid].0, bytes);
    }
}

#[test]
fn an_index_that_is_not_version_two_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("x.idx");
    let pack = dir.path().join("x.pack");
    std::fs::write(&pack, b"PACK\0\0\0\x02\0\0\0\0").unwrap();
    for bad in [&b""[..], b"\xfftOc\0\0\0\x01", b"\xfftOc\0\0\0\x02\0\0"] {
        std::fs::write(&idx, bad).unwrap();
        assert!(matches!(
            Pack::open(&pack, &idx),
            Err(IndexError::Corrupt(_))
        ));
    }
}

fn entry(kind: Kind, base: Option<u32>) -> Entry {
    Entry {
        oid: Oid::from_bytes(&[0; 20]).unwrap(),
        offset: 0,
        data: 0,
        end: 0,
        kind,
        size: 0,
        base,
    }
}

#[test]
fn delta_chains_ending_in_a_cycle_or_a_missing_base_are_not_blobs() {
    let entries = [
        entry(Kind::Blob, None),
        entry(Kind::Delta, Some(0)),
        entry(Kind::Delta, Some(1)),
        entry(Kind::Delta, Some(4)),
        entry(Kind::Delta, Some(3)),
        entry(Kind::Delta, None),
        entry(Kind::Delta, Some(5)),
        entry(Kind::Tree, None),
        entry(Kind::Delta, Some(7)),
    ];
    assert_eq!(
        blob_chains(&entries),
        [true, true, true, false, false, false, false, false, false]
    );
}

/// A delta: header sizes, then instructions.
fn d(src: u8, dst: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![src, dst];
    v.extend_from_slice(body);
    v
}

#[test]
fn deltas_copy_and_insert() {
    let base = b"hello world";
    // copy 5 from 6 ("world"), insert "!", copy 5 from 0 ("hello")
    let delta = d(11, 11, &[0x91, 6, 5, 1, b'!', 0x90, 5]);
    let (out, ops) = apply(base, &delta, 100).unwrap();
    assert_eq!(out, b"world!hello");
    assert_eq!(
        ops,
        [
            Op {
                to: 0,
                len: 5,
                from: Some(6)
            },
            Op {
                to: 5,
                len: 1,
                from: None
            },
            Op {
                to: 6,
                len: 5,
                from: Some(0)
            },
        ]
    );
}

#[test]
fn a_copy_of_size_zero_means_64_kib() {
    let base = vec![7u8; 0x10000];
    // Both sizes 0x10000 as varints, then a copy naming no offset or size byte.
    let delta = [0x80, 0x80, 4, 0x80, 0x80, 4, 0x80];
    let (out, ops) = apply(&base, &delta, u64::MAX).unwrap();
    assert_eq!(out.len(), 0x10000);
    assert_eq!(
        ops,
        [Op {
            to: 0,
            len: 0x10000,
            from: Some(0)
        }]
    );
}

#[test]
fn broken_deltas_are_errors_not_panics() {
    let base = b"hello world";
    let cases: [(Vec<u8>, DeltaError); 7] = [
        (d(11, 5, &[0x91, 8, 5]), DeltaError::Malformed),
        (d(11, 5, &[0]), DeltaError::Malformed),
        (d(11, 5, &[5, b'a']), DeltaError::Truncated),
        (
            d(10, 5, &[5, b'a', b'b', b'c', b'd', b'e']),
            DeltaError::BaseSize {
                expected: 10,
                actual: 11,
            },
        ),
        (d(11, 100, &[]), DeltaError::TooLarge(100)),
        (d(11, 5, &[2, b'a', b'b']), DeltaError::Malformed),
        (vec![0x8b], DeltaError::Truncated),
    ];
    for (delta, want) in cases {
        assert_eq!(apply(base, &delta, 50).unwrap_err(), want, "{delta:?}");
    }
}

#[test]
fn every_object_read_by_id_is_what_libgit2_reads_whatever_the_cache_holds() {
    for by_id in [false, true] {
        let dir = packed_repo_with(by_id);
        let repo = git2::Repository::open(dir.path()).unwrap();
        let odb = repo.odb().unwrap();
        let (packs, _) = open_all(&dir.path().join(".git/objects"));
        let pack = &packs[0];
        let mut ids = Vec::new();
        odb.foreach(|id| {
            ids.push(*id);
            true
        })
        .unwrap();
        assert!(ids.len() > 100, "{} objects", ids.len());
        let deltas = pack
            .entries
            .iter()
            .filter(|e| e.kind == Kind::Delta)
            .count();
        assert!(deltas > 30, "{deltas} deltas: the test needs delta chains");
        // Nothing cached, a little, and everything: each read resolves the same bytes.
        for budget in [0, 4096, 64 << 20] {
            let mut cache = Cache::new(budget);
            for id in &ids {
                let i = pack.find(id).expect("in the pack");
                let (kind, bytes) = pack.object(0, i, u64::MAX, &mut cache).unwrap();
                let want = odb.read(*id).unwrap();
                let want_kind = match want.kind() {
                    git2::ObjectType::Commit => Kind::Commit,
                    git2::ObjectType::Tree => Kind::Tree,
                    git2::ObjectType::Blob => Kind::Blob,
                    _ => Kind::Tag,
                };
                assert_eq!((kind, &bytes[..]), (want_kind, want.data()), "{id}");
            }
        }
        let absent = Oid::from_str("1111111111111111111111111111111111111111").unwrap();
        assert_eq!(pack.find(&absent), None);
    }
}

#[test]
fn an_object_over_the_limit_or_on_a_broken_chain_is_an_error_each_time() {
    let dir = packed_repo();
    let (packs, _) = open_all(&dir.path().join(".git/objects"));
    let pack = &packs[0];
    let deepest = (0..pack.len() as u32)
        .filter(|&i| pack.entries[i as usize].kind == Kind::Delta)
        .max_by_key(|&i| pack.entries[i as usize].size)
        .unwrap();
    let mut cache = Cache::new(1 << 20);
    assert!(pack.object(0, deepest, 10, &mut cache).is_err());
    // Remembered as failed: not resolved again, even under a higher limit.
    assert!(pack.object(0, deepest, u64::MAX, &mut cache).is_err());
    let mut fresh = Cache::new(1 << 20);
    assert!(pack.object(0, deepest, u64::MAX, &mut fresh).is_ok());
}
