//! Records the commit the binary is built from, for `leakhound --version`. Never uses the
//! network, and never fails the build: a source without history says `unknown`.
//!
//! In order: `LEAKHOUND_COMMIT` (release builds, or a container build whose context has no
//! `.git`), the git checkout this crate is the root of, then `.cargo_vcs_info.json`, which
//! `cargo package` writes into a crate tarball (`cargo install leakhound`).

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=LEAKHOUND_COMMIT");
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let dir = Path::new(&dir);
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

/// `{"git": {"sha1": "…"}, …}`, read without a JSON parser to keep build dependencies at none.
fn from_vcs_info(dir: &Path) -> Option<String> {
    let path = dir.join(".cargo_vcs_info.json");
    // Only an existing file: cargo reruns the script on every build for a missing one.
    let text = std::fs::read_to_string(&path).ok()?;
    println!("cargo:rerun-if-changed={}", path.display());
    let after = &text[text.find("\"sha1\"")? + 6..];
    let value = after.split('"').nth(1)?;
    is_commit(value).then(|| value.to_string())
}
