//! A source map names the sources it was built from (`webpack://app/./src/config.ts`,
//! `../src/config.ts`); when such a file exists in the scanned tree, a finding in the map's
//! copy of it can point at the file itself too.

use crate::finding::Finding;
use rustc_hash::FxHashMap;
use std::path::{Component, Path};

/// Most trailing name segments tried, and most directories tried for each: a name is
/// looked up at most `MAX_SEGMENTS * MAX_ANCESTORS` times, whatever the map holds.
const MAX_SEGMENTS: usize = 8;
const MAX_ANCESTORS: usize = 8;
/// Most distinct names looked up per file; a map with more sources than this keeps the
/// rest as names only.
const MAX_NAMES: usize = 1024;

/// Sets `original_file` on the findings of one scanned file (`path`, relative to `root`)
/// whose original source exists under `root`.
pub fn resolve(root: &Path, path: &str, findings: &mut [Finding]) {
    let mut seen: FxHashMap<String, Option<String>> = FxHashMap::default();
    for f in findings.iter_mut() {
        let Some(name) = &f.original_source else {
            continue;
        };
        if let Some(known) = seen.get(name) {
            f.original_file.clone_from(known);
            continue;
        }
        if seen.len() >= MAX_NAMES {
            continue;
        }
        let found = lookup(root, path, name);
        f.original_file.clone_from(&found);
        seen.insert(name.clone(), found);
    }
}

/// The first existing file among: the name relative to the map's directory, then the name's
/// trailing segments (longest first) under the map's directory and each directory above it
/// up to `root`. Never a path outside `root`.
fn lookup(root: &Path, map_path: &str, name: &str) -> Option<String> {
    let dir: Vec<&str> = map_path
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    let dir = &dir[..dir.len().saturating_sub(1)];
    // `webpack://app/./src/x.ts`: what follows the scheme is a path under some root.
    let after_scheme = name.split_once("://").map_or(name, |(_, rest)| rest);
    let segments: Vec<&str> = after_scheme
        .split(['/', '\\'])
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    let relative = join(dir, &segments);
    let tails = (0..segments.len().min(MAX_SEGMENTS)).map(|k| &segments[k..]);
    let mut candidates = relative.into_iter().chain(tails.flat_map(|tail| {
        (0..=dir.len())
            .rev()
            .take(MAX_ANCESTORS)
            .filter_map(move |d| join(&dir[..d], tail))
    }));
    candidates.find(|c| root.join(c).is_file())
}

/// `dir` joined with `segments`, `..` resolved; `None` if it climbs out of the root or names
/// nothing.
fn join(dir: &[&str], segments: &[&str]) -> Option<String> {
    let mut out: Vec<&str> = dir.to_vec();
    for s in segments {
        match *s {
            ".." => {
                out.pop()?;
            }
            s if Path::new(s)
                .components()
                .all(|c| matches!(c, Component::Normal(_))) =>
            {
                out.push(s);
            }
            _ => return None,
        }
    }
    (!out.is_empty()).then(|| out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_inside_the_root_only() {
        let dir = std::env::temp_dir().join(format!("lh-originals-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("web/src")).unwrap();
        std::fs::create_dir_all(dir.join("web/dist")).unwrap();
        std::fs::write(dir.join("web/src/config.ts"), "x").unwrap();
        let map = "web/dist/app.js.map";
        for name in [
            "webpack://app/./src/config.ts",
            "../src/config.ts",
            "/home/ci/build/web/src/config.ts",
            "src/config.ts",
        ] {
            assert_eq!(
                lookup(&dir, map, name).as_deref(),
                Some("web/src/config.ts"),
                "{name}"
            );
        }
        for name in ["../../../etc/passwd", "webpack://app/src/missing.ts", ""] {
            assert_eq!(lookup(&dir, map, name), None, "{name}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
