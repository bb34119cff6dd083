//! The Action's setup from a release: a local HTTP server on 127.0.0.1 serves a directory laid
//! out like GitHub's release downloads (`OWNER/REPO/releases/download/TAG/…`), with archives
//! packed by the release workflow's own `.github/scripts/package.sh`, so the download, the
//! SHA256SUMS check and the fallback to a build run exactly as on a runner, offline.

use crate::action::*;
use crate::helpers::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const TAG: &str = "v9.9.9";
const LINUX_X64: &str = "x86_64-unknown-linux-musl";

/// Every runner a release is built for, with its Rust target (as release.yml's matrix).
const RUNNERS: &[(&str, &str, &str)] = &[
    ("Linux", "X64", "x86_64-unknown-linux-musl"),
    ("Linux", "ARM64", "aarch64-unknown-linux-musl"),
    ("macOS", "X64", "x86_64-apple-darwin"),
    ("macOS", "ARM64", "aarch64-apple-darwin"),
    ("Windows", "X64", "x86_64-pc-windows-msvc"),
];

/// `tests/tools/serve.py` over a directory, stopped when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) url: String,
}

impl Server {
    fn start(dir: &Path) -> Server {
        Server::start_with(dir, &[])
    }

    /// The server with more serve.py arguments (`--basic USER:PASSWORD`).
    pub(crate) fn start_with(dir: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(tool("python3"))
            .arg(repo().join("tests/tools/serve.py"))
            .arg(dir)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line.trim().parse().expect("serve.py prints its port");
        Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The release's download directory under the server's root.
fn release_dir(site: &Path) -> PathBuf {
    site.join("leakhound/leakhound/releases/download").join(TAG)
}

/// Packs the binary under test as `target`'s archive of the release; returns its file name.
fn pack(site: &Path, target: &str) -> String {
    pack_binary(site, target, &bin())
}

/// Packs `binary` as `target`'s archive of the release; returns its file name.
fn pack_binary(site: &Path, target: &str, binary: &Path) -> String {
    let out = Command::new("bash")
        .arg(repo().join(".github/scripts/package.sh"))
        .args([target, TAG])
        .arg(binary)
        .arg(release_dir(site))
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "package.sh: {}", stderr(&out));
    let path = stdout(&out).trim().to_string();
    Path::new(&path)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

fn sha256(path: &Path) -> String {
    let digest = Sha256::digest(std::fs::read(path).unwrap());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes SHA256SUMS for `archives`, as `sha256sum` prints it.
fn write_sums(site: &Path, archives: &[String]) {
    let dir = release_dir(site);
    let text: String = archives
        .iter()
        .map(|a| format!("{}  {a}\n", sha256(&dir.join(a))))
        .collect();
    std::fs::write(dir.join("SHA256SUMS"), text).unwrap();
}

/// A pull request scanned with the action at `action_ref` against the server, on `os`/`arch`,
/// with a `cargo` on PATH that only records that it was called.
struct Setup {
    r: Repos,
    action: PathBuf,
    site: PathBuf,
    home: PathBuf,
    path: String,
}

impl Setup {
    fn new() -> Setup {
        let r = repos();
        let dir = r.ws.parent().unwrap().to_path_buf();
        let action = action_copy(&dir, false);
        let home = dir.join("home");
        std::fs::create_dir_all(&home).unwrap();
        let path = format!(
            "{}:{}",
            fake_cargo(&dir).display(),
            std::env::var("PATH").unwrap()
        );
        let site = dir.join("site");
        std::fs::create_dir_all(release_dir(&site)).unwrap();
        Setup {
            r,
            action,
            site,
            home,
            path,
        }
    }

    /// `env` are runner variables (`NAME=VALUE`), `raw` further arguments of action_run.py.
    fn run(
        &self,
        server: &str,
        action_ref: &str,
        inputs: &[(&str, &str)],
        env: &[&str],
        raw: &[&str],
    ) -> Value {
        let ev = payload(
            &self.r,
            "pull_request",
            &[("BASE", &self.r.main), ("HEAD", &self.r.feature)],
        );
        let mut extra: Vec<String> = vec![
            format!("HOME={}", self.home.display()),
            format!("PATH={}", self.path),
            format!("GITHUB_SERVER_URL={server}"),
        ]
        .into_iter()
        .chain(env.iter().map(ToString::to_string))
        .flat_map(|e| ["--env".to_string(), e])
        .collect();
        extra.extend([
            "--github".to_string(),
            format!("action_ref={action_ref}"),
            "--github".to_string(),
            "action_repository=leakhound/leakhound".to_string(),
        ]);
        extra.extend(raw.iter().map(ToString::to_string));
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        run_action_yml(
            &self.action.join("action.yml"),
            &self.r.ws,
            "pull_request",
            &ev,
            inputs,
            &extra,
        )
    }

    /// Cuts the action copy down to its setup clock and release steps, for tests about the
    /// download alone: no build, no scan.
    fn download_only(&self) {
        let path = self.action.join("action.yml");
        let text = std::fs::read_to_string(&path).unwrap();
        let end = text
            .find("    - name: Resolve the leakhound build\n")
            .expect("the build steps follow the download");
        std::fs::write(&path, &text[..end]).unwrap();
    }

    fn cargo_calls(&self) -> usize {
        let log = self.r.ws.parent().unwrap().join("cargo.log");
        std::fs::read_to_string(log).map_or(0, |t| t.lines().count())
    }
}

fn release_how(archive: &str) -> String {
    format!("release {TAG} ({archive}, checked against SHA256SUMS)")
}

#[test]
fn a_release_of_the_actions_ref_is_downloaded_checked_and_used_without_a_compiler() {
    let s = Setup::new();
    let archive = pack(&s.site, LINUX_X64);
    write_sums(&s.site, std::slice::from_ref(&archive));
    let server = Server::start(&s.site);

    let rec = s.run(&server.url, TAG, &[], &[], &[]);
    let release = step(&rec, "release");
    assert_eq!(release["exit"], 0, "{}", dump(&rec));
    let binary = release["outputs"]["binary"].as_str().unwrap();
    assert!(
        binary.ends_with(&format!(
            "/leakhound-release/leakhound-{TAG}-{LINUX_X64}/leakhound"
        )),
        "{binary}"
    );
    let version = stdout(&Command::new(bin()).arg("--version").output().unwrap());
    assert_eq!(
        release["stdout"],
        format!(
            "leakhound: {}, from {archive} (checked against SHA256SUMS)\n",
            version.trim()
        )
    );
    for id in ["key", "cache", "build", "save"] {
        assert!(!ran(&rec, id), "{id}: {}", dump(&rec));
    }
    assert_eq!(s.cargo_calls(), 0, "no compiler when a release exists");
    let secs = release["seconds"].as_f64().unwrap();
    assert!(secs < 10.0, "setup took {secs} s");
    assert_eq!(step(&rec, "scan")["env"]["LEAKHOUND_BIN"], binary);
    assert_eq!(rec["outputs"]["findings"], "1");
    let summary = scan_summary(&rec, &release_how(&archive));
    assert!(
        summary.starts_with("### leakhound: 1 finding(s) (pr, "),
        "{summary}"
    );

    // `version` names the release when the action's own ref has none (a branch).
    let rec = s.run(&server.url, "main", &[("version", TAG)], &[], &[]);
    let again = step(&rec, "release")["outputs"]["binary"].as_str().unwrap();
    assert!(
        again.ends_with(&format!("/leakhound-{TAG}-{LINUX_X64}/leakhound")),
        "{again}"
    );
    assert_eq!(s.cargo_calls(), 0);
}

#[test]
fn a_checksum_mismatch_fails_the_step_and_nothing_is_built_or_scanned() {
    let s = Setup::new();
    let archive = pack(&s.site, LINUX_X64);
    write_sums(&s.site, std::slice::from_ref(&archive));
    let path = release_dir(&s.site).join(&archive);
    let want = sha256(&path);
    // One byte more than the release listed: a truncated, swapped or tampered download.
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.push(0);
    std::fs::write(&path, &bytes).unwrap();
    let got = sha256(&path);
    let server = Server::start(&s.site);

    let rec = s.run(&server.url, TAG, &[], &[], &[]);
    assert_eq!(step(&rec, "release")["exit"], 1, "{}", dump(&rec));
    assert_eq!(
        annotations(&rec),
        vec![format!(
            "::error title=leakhound::{archive} does not match SHA256SUMS of release {TAG} (SHA-256 {got}, expected {want})"
        )]
    );
    for id in ["key", "build", "setup", "scan"] {
        assert!(!ran(&rec, id), "{id}: {}", dump(&rec));
    }
    assert_eq!(rec["status"], "failure");
    assert_eq!(s.cargo_calls(), 0);

    // A release whose SHA256SUMS does not list the archive cannot be checked either.
    std::fs::write(release_dir(&s.site).join("SHA256SUMS"), "").unwrap();
    let rec = s.run(&server.url, TAG, &[], &[], &[]);
    assert_eq!(
        annotations(&rec),
        vec![format!(
            "::error title=leakhound::SHA256SUMS of release {TAG} does not list {archive}, so it cannot be checked"
        )]
    );
    assert!(!ran(&rec, "scan") && rec["status"] == "failure");
}

#[test]
fn a_ref_without_a_release_or_a_runner_without_a_build_is_built_from_source() {
    let s = Setup::new();
    let archive = pack(&s.site, LINUX_X64);
    write_sums(&s.site, &[archive]);
    let server = Server::start(&s.site);

    // A branch: no release of that name (HTTP 404).
    let rec = s.run(&server.url, "main", &[], &[], &[]);
    let why = "leakhound/leakhound has no release main";
    assert_eq!(step(&rec, "release")["exit"], 0, "{}", dump(&rec));
    assert_eq!(step(&rec, "release")["outputs"]["why"], why);
    assert!(ran(&rec, "build") && ran(&rec, "save"), "{}", dump(&rec));
    assert_eq!(s.cargo_calls(), 1);
    assert_eq!(rec["outputs"]["findings"], "1");
    scan_summary(&rec, &format!("a build from source ({why})"));

    // A release without this runner's build; the cached build of the source is used.
    let rec = s.run(
        &server.url,
        TAG,
        &[],
        &["RUNNER_ARCH=ARM64"],
        &["--uses-output", "cache.cache-hit=true"],
    );
    let why = format!("release {TAG} has no aarch64-unknown-linux-musl build");
    assert_eq!(step(&rec, "release")["outputs"]["why"], why.as_str());
    assert!(!ran(&rec, "build"), "{}", dump(&rec));
    scan_summary(&rec, &format!("a cached build ({why})"));
    assert_eq!(s.cargo_calls(), 1);
}

#[test]
fn every_runner_gets_the_archive_the_release_workflow_builds_for_it() {
    let workflow = std::fs::read_to_string(repo().join(".github/workflows/release.yml")).unwrap();
    let s = Setup::new();
    // Names and layout are under test here, not the binary: a script that answers --version
    // as leakhound does keeps five archives small and quick to pack.
    let stand_in = s.site.join("stand-in");
    std::fs::write(
        &stand_in,
        "#!/bin/sh\necho 'leakhound 9.9.9 (commit unknown)'\n",
    )
    .unwrap();
    let archives: Vec<String> = RUNNERS
        .iter()
        .map(|(_, _, target)| {
            assert!(
                workflow.contains(&format!("target: {target}\n")),
                "release.yml builds no {target}"
            );
            pack_binary(&s.site, target, &stand_in)
        })
        .collect();
    write_sums(&s.site, &archives);
    let server = Server::start(&s.site);
    s.download_only();
    for ((os, arch, target), archive) in RUNNERS.iter().zip(&archives) {
        let os_env = format!("RUNNER_OS={os}");
        let arch_env = format!("RUNNER_ARCH={arch}");
        let rec = s.run(&server.url, TAG, &[], &[&os_env, &arch_env], &[]);
        let exe = if *os == "Windows" { ".exe" } else { "" };
        let binary = step(&rec, "release")["outputs"]["binary"].as_str().unwrap();
        assert!(
            binary.ends_with(&format!("leakhound-{TAG}-{target}/leakhound{exe}")),
            "{os} {arch}: {}",
            dump(&rec)
        );
        assert_eq!(
            step(&rec, "release")["outputs"]["how"],
            release_how(archive).as_str()
        );
        assert_eq!(
            step(&rec, "release")["stdout"],
            format!("leakhound: leakhound 9.9.9 (commit unknown), from {archive} (checked against SHA256SUMS)\n")
        );
    }
    assert_eq!(s.cargo_calls(), 0);
}
