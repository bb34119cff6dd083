//! Baselines: findings a team has accepted, keyed on what survives refactors. An entry is
//! (rule id, secret fingerprint, path): no line, commit or time, so a secret that moves lines
//! stays accepted, while the same secret at a new path, or a new secret on an old line, is
//! reported. No raw secret is stored. Entries are sorted so the file does not churn.

use crate::finding::{terminal_safe, unsafe_char, Finding};
use crate::source::path::{slashed, NATIVE_SEPARATORS};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Why a baseline file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file cannot be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The baseline file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a baseline, or holds an invalid entry.
    #[error("{}: {cause}", path.display())]
    Invalid {
        /// The baseline file.
        path: PathBuf,
        /// What is wrong, naming the entry.
        cause: String,
    },
}

/// The file format version written today.
const VERSION: u32 = 1;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Rule id.
    pub rule: String,
    /// `path` or `path!member`, relative to the scan root.
    pub path: String,
    /// The finding's fingerprint (SHA-256 of rule id and secret).
    pub fingerprint: String,
}

impl Entry {
    /// A baseline is input like any other: a fingerprint is 64 hex digits and the rule and
    /// path are printable, so every later use (slicing, printing to a terminal) is safe.
    fn validate(&self) -> Result<(), String> {
        if self.fingerprint.len() != 64 || !self.fingerprint.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(format!(
                "fingerprint '{}' is not 64 hex digits",
                terminal_safe(&self.fingerprint)
            ));
        }
        for (what, value) in [("rule", &self.rule), ("path", &self.path)] {
            if value.is_empty() || value.chars().any(unsafe_char) {
                return Err(format!(
                    "{what} '{}' is empty or holds control characters",
                    terminal_safe(value)
                ));
            }
        }
        Ok(())
    }

    fn of(f: &Finding) -> Entry {
        // Stored as shown: a file name with control characters round-trips and stays printable.
        Entry {
            rule: terminal_safe(&f.rule_id).into_owned(),
            path: slashed(&terminal_safe(&f.location()), NATIVE_SEPARATORS),
            fingerprint: f.fingerprint.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    entries: Vec<Entry>,
}

/// A loaded baseline.
#[derive(Debug, Default)]
pub struct Baseline {
    entries: BTreeSet<Entry>,
}

impl Baseline {
    /// The accepted set for `findings`.
    pub fn of(findings: &[Finding]) -> Baseline {
        Baseline {
            entries: findings.iter().map(Entry::of).collect(),
        }
    }

    /// Reads a baseline file; the error names the file and the cause.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|cause| BaselineError::Invalid {
            path: path.to_path_buf(),
            cause,
        })
    }

    /// Parses a baseline's text; the error names the entry and the cause.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        Self::parse_for(text, NATIVE_SEPARATORS)
    }

    /// [`Baseline::parse`] on an operating system whose path separators are `separators`: a
    /// path written with `\` on Windows (by hand, or by a tool that did not normalise it)
    /// names the same file as the `/` form leakhound reports.
    fn parse_for(text: &str, separators: &[char]) -> Result<Baseline, String> {
        let file: BaselineFile =
            serde_json::from_str(text).map_err(|e| format!("not a leakhound baseline: {e}"))?;
        if file.version != VERSION {
            return Err(format!(
                "baseline version {} is not supported",
                file.version
            ));
        }
        for (i, e) in file.entries.iter().enumerate() {
            e.validate()
                .map_err(|cause| format!("entry {}: {cause}", i + 1))?;
        }
        let entries = file.entries.into_iter().map(|mut e| {
            e.path = slashed(&e.path, separators);
            e
        });
        Ok(Baseline {
            entries: entries.collect(),
        })
    }

    /// Writes the baseline, sorted, one entry per line.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let file = BaselineFile {
            version: VERSION,
            entries: self.entries.iter().cloned().collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).map_err(std::io::Error::other)?;
        text.push('\n');
        std::fs::write(path, text)
    }

    /// True when `f` was accepted.
    pub fn contains(&self, f: &Finding) -> bool {
        self.entries.contains(&Entry::of(f))
    }

    /// Entries that none of `found` matches any more.
    pub fn stale(&self, found: &[Finding]) -> Vec<Entry> {
        let seen: BTreeSet<Entry> = found.iter().map(Entry::of).collect();
        self.entries.difference(&seen).cloned().collect()
    }

    /// Removes `entries`.
    pub fn remove(&mut self, entries: &[Entry]) {
        for e in entries {
            self.entries.remove(e);
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
#[path = "baseline_tests.rs"]
mod tests;
