//! Two jobs, neither using the network:
//!
//! - Converts the rule files in `patterns/` to one JSON document embedded in the binary.
//!   Parsing 100 KB of TOML took 3 ms of every start (a fifth of a one-file scan); JSON of
//!   the same rules parses in a tenth of that. A rule file that is not valid TOML fails the
//!   build, naming the file.
//! - Records the commit the binary is built from, for `leakhound --version`. This part never
//!   fails the build: a source without history says `unknown`. In order:
//!   `LEAKHOUND_COMMIT` (release builds, or a container build whose context has no `.git`),
//!   the git checkout this crate is the root of, then `.cargo_vcs_info.json`, which
//!   `cargo package` writes into a crate tarball (`cargo install leakhound`).

use std::path::Path;
use std::process::Command;

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let dir = Path::new(&dir);
    #[cfg(not(leakhound_commit_only))]
    rules::write_rules(dir);
    write_commit(dir);
}

/// The rule-file half, which needs `toml` and `serde_json`.
#[cfg(not(leakhound_commit_only))]
mod rules {
    use std::path::{Path, PathBuf};

    /// The rule files in `patterns/`, in load order (rule order breaks ties between rules that
    /// report the same span). Every file there must be listed.
    const RULE_FILES: &[&str] = &[
        "jwt",
        "signing-keys",
        "crypto-keys",
        "bearer",
        "caf",
        "generic",
        "app-secrets",
        "cloud-tokens",
        "providers",
        "private-keys",
        "key-material",
    ];

    /// Writes `OUT_DIR/rules.json`, `[{"file": "patterns/jwt.toml", "rules": [...]}, ...]`, and
    /// `OUT_DIR/rule_sources.rs`, the same files as TOML text for `rules check` and the tests.
    pub fn write_rules(dir: &Path) {
        let patterns = dir.join("patterns");
        println!("cargo:rerun-if-changed={}", patterns.display());
        check_listed(&patterns);
        let mut files = Vec::new();
        let mut sources = String::from(
            "/// The rule files in `patterns/`, `(name, TOML text)` in load order.\n\
             pub const BUILTIN_SOURCES: &[(&str, &str)] = &[\n",
        );
        for stem in RULE_FILES {
            let name = format!("patterns/{stem}.toml");
            let path = dir.join(&name);
            println!("cargo:rerun-if-changed={}", path.display());
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let value: toml::Value =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let rules = value
                .get("rules")
                .cloned()
                .unwrap_or(toml::Value::Array(vec![]));
            files.push(serde_json::json!({ "file": name, "rules": rules }));
            sources.push_str(&format!(
                "    ({name:?}, include_str!({:?})),\n",
                path.display().to_string()
            ));
        }
        sources.push_str("];\n");
        let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
        let json = serde_json::to_string(&files).expect("JSON values serialise");
        write(&out.join("rules.json"), &json);
        write(&out.join("rule_sources.rs"), &sources);
    }

    /// A rule file nobody listed would silently not ship.
    fn check_listed(patterns: &Path) {
        let entries =
            std::fs::read_dir(patterns).unwrap_or_else(|e| panic!("{}: {e}", patterns.display()));
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".toml") {
                assert!(
                    RULE_FILES.contains(&stem),
                    "patterns/{name} is not in build.rs's RULE_FILES"
                );
            }
        }
    }

    fn write(path: &Path, text: &str) {
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

fn write_commit(dir: &Path) {
    println!("cargo:rerun-if-env-changed=LEAKHOUND_COMMIT");
    let commit = std::env::var("LEAKHOUND_COMMIT")
        .ok()
        .filter(|c| is_commit(c))
        .or_else(|| from_git(dir))
        .or_else(|| from_vcs_info(dir))
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=LEAKHOUND_COMMIT={commit}");
}

fn is_commit(s: &str) -> bool {
    (7..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// HEAD of the repository whose top level is `dir`; a crate unpacked inside some other
/// repository (a vendored copy) is not that repository's HEAD.
fn from_git(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let commit = git(dir, &["rev-parse", "HEAD"]).filter(|c| is_commit(c))?;
    // A new commit or checkout changes HEAD or the ref it names: rebuild the version then.
    for name in ["HEAD", "packed-refs"] {
        rerun_on_git_path(dir, name);
    }
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        rerun_on_git_path(dir, &branch);
    }
    Some(commit)
}

fn rerun_on_git_path(dir: &Path, name: &str) {
    if let Some(path) = git(
        dir,
        &["rev-parse", "--path-format=absolute", "--git-path", name],
    ) {
        if Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    out.status.success().then(|| text.trim().to_string())
}

/// `{"git": {"sha1": "…"}, …}`, read as text so that this half of the script needs only
/// `std` (the packaging test compiles it alone, with `--cfg leakhound_commit_only`).
fn from_vcs_info(dir: &Path) -> Option<String> {
    let path = dir.join(".cargo_vcs_info.json");
    // Only an existing file: cargo reruns the script on every build for a missing one.
    let text = std::fs::read_to_string(&path).ok()?;
    println!("cargo:rerun-if-changed={}", path.display());
    let after = &text[text.find("\"sha1\"")? + 6..];
    let value = after.split('"').nth(1)?;
    is_commit(value).then(|| value.to_string())
}
