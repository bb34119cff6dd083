//! The organisation audit (`.github/workflows/org-audit.yml`), its jobs run offline by
//! `tests/tools/action_run.py` as action.yml's steps are: a fake `gh` prints a fixed listing,
//! the organisation is bare repositories under a `file://` base (the workflow's `git-url`),
//! and each job gets the files the one before uploaded, copied without their mode bits as
//! upload-artifact and download-artifact pass them.

use crate::action::{annotations, commit_file, dump, ran, run_action_yml, step};
use crate::action_release::Server;
use crate::helpers::*;
use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

mod plan;
mod report;
mod scan;

/// In acme/api and acme/web: one secret in two repositories.
const SHARED: &str = "3c8e1f0a9b4c7d6e5d2c2a1b0c9d8e7f";
/// In acme/api only.
const API_ONLY: &str = "8e7f3c8e1f0a9b4c7d6e5d2c2a1b0c9d";
/// In acme/legacy, which is archived: never cloned, never reported.
const ARCHIVED: &str = "0c9d8e7f3c8e1f0a9b4c7d6e5d2c2a1b";
/// The ORG_AUDIT_TOKEN secret: given to gh and git, and printed nowhere.
const TOKEN: &str = "ghs_orgAuditTestToken0123456789";

/// What the fake `gh repo list` prints: the three repositories, one without secrets (its
/// report is empty), an archived one, one the exclude pattern drops, a fork, one listed but
/// gone (its clone fails), and names that are not this organisation's OWNER/NAME (a path,
/// another owner, a workflow command).
const LISTING: &str = r#"[
 {"nameWithOwner": "acme/web", "isArchived": false, "isFork": false},
 {"nameWithOwner": "acme/api", "isArchived": false, "isFork": false},
 {"nameWithOwner": "acme/docs", "isArchived": false, "isFork": false},
 {"nameWithOwner": "acme/legacy", "isArchived": true, "isFork": false},
 {"nameWithOwner": "acme/scratch-1", "isArchived": false, "isFork": false},
 {"nameWithOwner": "acme/upstream", "isArchived": false, "isFork": true},
 {"nameWithOwner": "acme/ghost", "isArchived": false, "isFork": false},
 {"nameWithOwner": "acme/..", "isArchived": false, "isFork": false},
 {"nameWithOwner": "other/api", "isArchived": false, "isFork": false},
 {"nameWithOwner": "acme/x\n::error::pwned", "isArchived": false, "isFork": false}
]"#;

const PLANNED: &str = "acme/api\nacme/docs\nacme/ghost\nacme/web\n";

/// A temporary organisation: bare repositories under `git/acme/`, the fake `gh` in `bin/`
/// (it records its arguments and GH_TOKEN beside itself), and a workspace per job.
struct Org {
    dir: tempfile::TempDir,
}

impl Org {
    fn new(listing: &str) -> Org {
        let dir = tempfile::tempdir().unwrap();
        let org = Org { dir };
        let secret = |s: &str| format!("JWT_SECRET={s}\n");
        org.repository(
            "api",
            &[
                ("app.env", secret(SHARED)),
                ("deploy/prod.env", secret(API_ONLY)),
            ],
        );
        org.repository("web", &[("config.env", secret(SHARED))]);
        org.repository("docs", &[("README.md", "# Docs\n".to_string())]);
        org.repository("legacy", &[("old.env", secret(ARCHIVED))]);
        org.repository("scratch-1", &[("x.env", secret(ARCHIVED))]);
        let bin = org.path("bin");
        std::fs::create_dir(&bin).unwrap();
        std::fs::write(org.path("listing.json"), listing).unwrap();
        let gh = bin.join("gh");
        std::fs::write(
            &gh,
            "#!/bin/sh\nd=\"$(dirname \"$0\")/..\"\nprintf '%s\\n' \"$@\" >\"$d/gh-args\"\n\
             printf '%s' \"$GH_TOKEN\" >\"$d/gh-token\"\ncat \"$d/listing.json\"\n",
        )
        .unwrap();
        std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
        org
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// acme/NAME: one commit per file, pushed to the bare `git/acme/NAME.git` (which an HTTP
    /// server can also serve).
    fn repository(&self, name: &str, files: &[(&str, String)]) {
        let work = self.path(&format!("work/{name}"));
        std::fs::create_dir_all(&work).unwrap();
        git_ok(&work, &["init", "-q", "-b", "main"]);
        for (file, content) in files {
            if let Some(parent) = Path::new(file).parent() {
                std::fs::create_dir_all(work.join(parent)).unwrap();
            }
            commit_file(&work, file, content, file);
        }
        let bare = self.path(&format!("git/acme/{name}.git"));
        let bare = bare.to_str().unwrap();
        git_ok(&work, &["clone", "-q", "--bare", ".", bare]);
        git_ok(Path::new(bare), &["update-server-info"]);
    }

    /// A job's workspace holding `from`'s files under `into` (an artifact download).
    fn workspace(&self, job: &str, artifacts: &[(&Path, &str)]) -> PathBuf {
        let ws = self.path(&format!("ws-{job}"));
        std::fs::create_dir_all(&ws).unwrap();
        for (from, into) in artifacts {
            download(from, &ws.join(into));
        }
        ws
    }

    /// Runs `job` of the workflow for `org=acme` with the git base, the secret and `extra`
    /// action_run.py arguments.
    fn run(&self, ws: &Path, job: &str, inputs: &[(&str, &str)], extra: &[&str]) -> Value {
        let payload = self.path("event.json");
        std::fs::write(&payload, "{}").unwrap();
        let url = format!("file://{}", self.path("git").display());
        let mut all = vec![("org", "acme"), ("git-url", url.as_str())];
        all.extend_from_slice(inputs);
        let path = format!(
            "PATH={}:{}",
            self.path("bin").display(),
            std::env::var("PATH").unwrap()
        );
        let secret = format!("ORG_AUDIT_TOKEN={TOKEN}");
        let mut args = vec!["--job", job, "--env", &path, "--secret", &secret];
        args.extend_from_slice(extra);
        let workflow = repo().join(".github/workflows/org-audit.yml");
        let rec = run_action_yml(&workflow, ws, "workflow_dispatch", &payload, &all, &args);
        assert!(
            !printed(&rec).contains(TOKEN),
            "the token was printed: {}",
            dump(&rec)
        );
        rec
    }

    /// The plan job, with `.leakhound` the checkout of this repository and the action's setup
    /// giving the binary under test.
    fn plan(&self, inputs: &[(&str, &str)]) -> (PathBuf, Value) {
        let ws = self.workspace("plan", &[]);
        std::os::unix::fs::symlink(repo(), ws.join(".leakhound")).unwrap();
        let binary = format!("setup.binary={}", bin().display());
        let rec = self.run(&ws, "plan", inputs, &["--uses-output", &binary]);
        assert_eq!(rec["status"], "success", "{}", dump(&rec));
        (ws.join("tools"), rec)
    }

    /// The plan every scan and report test starts from: acme/api and acme/docs in batch 1,
    /// acme/ghost and acme/web in batch 2. Returns the bundled tools and the matrix.
    fn planned(&self) -> (PathBuf, Value) {
        let (tools, rec) = self.plan(&[("exclude", "scratch-*"), ("batch-size", "2")]);
        let matrix = serde_json::from_str(rec["outputs"]["matrix"].as_str().unwrap()).unwrap();
        (tools, matrix)
    }

    /// One scan job per batch of `matrix`; returns the directory all their results are in
    /// (as the report job's merged download has them) and each job's record.
    fn scan(&self, tools: &Path, matrix: &Value) -> (PathBuf, Vec<Value>) {
        let results = self.path("results");
        std::fs::create_dir_all(&results).unwrap();
        let mut recs = Vec::new();
        for entry in matrix["include"].as_array().unwrap() {
            let batch = entry["batch"].to_string();
            let ws = self.workspace(&format!("scan-{batch}"), &[(tools, "tools")]);
            let m_batch = format!("batch={batch}");
            let m_repos = format!("repositories={}", entry["repositories"].as_str().unwrap());
            let extra = ["--matrix", &m_batch, "--matrix", &m_repos];
            let rec = self.run(&ws, "scan", &[], &extra);
            download(&ws.join("results"), &results);
            recs.push(rec);
        }
        (results, recs)
    }
}

/// Copies the files of `from` into `to` with mode 0644, as an artifact comes back.
fn download(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        std::fs::copy(entry.path(), &dest).unwrap();
        std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
}

/// Everything a job printed: each step's output and the job summary (not the steps' `env:`,
/// which the record keeps for tests and the runner never shows).
fn printed(rec: &Value) -> String {
    let mut text = rec["summary"].as_str().unwrap().to_string();
    for s in rec["steps"].as_array().unwrap() {
        for stream in ["stdout", "stderr"] {
            text += s[stream].as_str().unwrap_or("");
        }
    }
    text
}

/// The file names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn jsonl(path: &Path) -> Vec<Value> {
    read(path)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The plan a matrix of `names` in batches of `size` must be.
fn matrix_of(names: &[String], size: usize) -> Value {
    let include: Vec<Value> = names
        .chunks(size)
        .enumerate()
        .map(|(i, c)| json!({"batch": i + 1, "repositories": c.join(" ")}))
        .collect();
    json!({ "include": include })
}
