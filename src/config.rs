//! `.leakhound.toml`: what a team has reviewed and accepted. Path globs and value patterns
//! that are never findings, rules turned off or re-rated, and extra rules in the same format
//! as `patterns/`. Every mistake is reported as `FILE:LINE: cause`.

use crate::rules::Severity;
use crate::rules::{RuleSet, RuleSpec};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use regex::Regex;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file name looked up at the scan root and the repository root.
pub const FILE_NAME: &str = ".leakhound.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    allowlist: AllowlistFile,
    #[serde(default)]
    disabled_rules: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<Severity>>,
    #[serde(default)]
    rules: Vec<RuleSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowlistFile {
    /// Globs over the finding's path (and `path!member` inside artifacts).
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    /// Regexes over the secret value.
    #[serde(default)]
    values: Vec<Spanned<String>>,
    /// Case-insensitive words; a secret containing one is not a finding.
    #[serde(default)]
    stopwords: Vec<String>,
}

/// A loaded, validated configuration.
#[derive(Debug, Default)]
pub struct Config {
    /// Where it came from.
    pub source: Option<PathBuf>,
    /// Allowlisted path globs.
    pub paths: Option<GlobSet>,
    /// Allowlisted value regexes.
    pub values: Vec<Regex>,
    /// Allowlisted words (lower case): a secret containing one is accepted.
    pub stopwords: Vec<String>,
    /// Rule ids turned off.
    pub disabled: Vec<String>,
    severity: HashMap<String, Severity>,
    /// Extra rules, compiled by [`Config::apply_rules`].
    extra: Vec<RuleSpec>,
    /// The extra rules' example texts: the configuration file itself is not a leak.
    pub examples: Vec<String>,
    /// Line of each extra rule's `id`, so a rule that does not compile is named by line.
    rule_lines: HashMap<String, usize>,
}

/// A configuration problem: `file:line: message`.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ConfigError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// `.leakhound.toml` in `root` or, failing that, at the root of the git work tree holding it.
pub fn discover(root: &Path) -> Option<PathBuf> {
    let start = if root.is_dir() { root } else { root.parent()? };
    let start = start.canonicalize().ok()?;
    let here = start.join(FILE_NAME);
    if here.is_file() {
        return Some(here);
    }
    let top = start.ancestors().find(|d| d.join(".git").exists())?;
    Some(top.join(FILE_NAME)).filter(|p| p.is_file())
}

impl Config {
    /// Reads and validates `path` against `rules` (rule ids must exist).
    pub fn load(path: &Path, rules: &RuleSet) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_path_buf(),
            line: None,
            message: format!("cannot read: {e}"),
        })?;
        Self::parse(path, &text, rules)
    }

    /// Validates `text` as the configuration file `path`.
    pub fn parse(path: &Path, text: &str, rules: &RuleSet) -> Result<Config, ConfigError> {
        let err = |span: Option<std::ops::Range<usize>>, message: String| ConfigError {
            file: path.to_path_buf(),
            line: span.map(|s| line_of(text, s.start)),
            message,
        };
        let file: ConfigFile =
            toml::from_str(text).map_err(|e| err(e.span(), e.message().trim().to_string()))?;
        let mut globs = GlobSetBuilder::new();
        for g in &file.allowlist.paths {
            // `\\` escapes on every system (globset's default treats it as a separator on
            // Windows): reported paths always use `/`, so a glob means the same everywhere.
            let glob = GlobBuilder::new(g.get_ref())
                .backslash_escape(true)
                .build()
                .map_err(|e| err(Some(g.span()), format!("bad path glob: {}", e.kind())))?;
            globs.add(glob);
        }
        let paths = globs
            .build()
            .map_err(|e| err(None, format!("path globs: {e}")))?;
        let mut values = Vec::new();
        for v in &file.allowlist.values {
            let re = Regex::new(v.get_ref()).map_err(|e| {
                err(
                    Some(v.span()),
                    format!("bad value regex: {}", crate::rules::regex_error(&e)),
                )
            })?;
            values.push(re);
        }
        let known = |id: &str| rules.get(id).is_some() || file.rules.iter().any(|r| r.id == id);
        for id in &file.disabled_rules {
            if !known(id.get_ref()) {
                return Err(err(
                    Some(id.span()),
                    format!("unknown rule id `{}`", id.get_ref()),
                ));
            }
        }
        let mut severity = HashMap::new();
        for (id, sev) in &file.severity {
            if !known(id) {
                return Err(err(
                    Some(sev.span()),
                    format!("unknown rule id `{id}` in [severity]"),
                ));
            }
            severity.insert(id.clone(), *sev.get_ref());
        }
        Ok(Config {
            source: Some(path.to_path_buf()),
            paths: (!file.allowlist.paths.is_empty()).then_some(paths),
            values,
            stopwords: file
                .allowlist
                .stopwords
                .iter()
                .map(|s| s.to_lowercase())
                .collect(),
            disabled: file
                .disabled_rules
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            severity,
            examples: file
                .rules
                .iter()
                .flat_map(|r| r.examples.iter().chain(&r.negative_examples).cloned())
                .collect(),
            extra: file.rules,
            rule_lines: id_lines(text),
        })
    }

    /// Adds the extra rules and removes the disabled ones.
    pub fn apply_rules(&mut self, rules: &mut RuleSet) -> Result<(), ConfigError> {
        let name = self
            .source
            .as_ref()
            .map_or_else(|| FILE_NAME.to_string(), |p| p.display().to_string());
        let before = rules.rules.len();
        rules
            .extend(&name, std::mem::take(&mut self.extra))
            .map_err(|e| ConfigError {
                file: PathBuf::from(&name),
                line: e
                    .rule
                    .as_ref()
                    .and_then(|id| self.rule_lines.get(id).copied()),
                message: match e.rule {
                    Some(id) => format!("rule {id}: {}", e.message),
                    None => e.message,
                },
            })?;
        if let Some((id, by)) = self.disabled.iter().find_map(|id| {
            let by = rules.dependents(id, &self.disabled);
            (!by.is_empty()).then(|| (id.clone(), by.join(", ")))
        }) {
            // Leave both as they were: the extra rules go back to the configuration.
            self.extra = rules.rules.drain(before..).map(|r| r.spec).collect();
            return Err(ConfigError {
                file: PathBuf::from(&name),
                line: None,
                message: format!(
                    "disabled_rules: {id} is used by {by}; disable those too or keep it"
                ),
            });
        }
        rules.disable(&self.disabled);
        Ok(())
    }

    /// The severity the configuration gives `rule_id`, if it re-rates it.
    pub fn severity(&self, rule_id: &str) -> Option<Severity> {
        self.severity.get(rule_id).copied()
    }
}

/// `id = "…"` lines (rule ids) and their 1-based numbers.
fn id_lines(text: &str) -> HashMap<String, usize> {
    let re = Regex::new(r#"^\s*id\s*=\s*["']([^"']+)["']"#).expect("id regex compiles");
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| Some((re.captures(l)?.get(1)?.as_str().to_string(), i + 1)))
        .collect()
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
