//! The configuration's allowlist: paths, values and stopwords a team has accepted, and the
//! examples in the configuration's own rules.

use crate::config::{Config, FILE_NAME};
use crate::finding::Finding;

/// Why a finding was suppressed by configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// Its path matches an allowlisted glob.
    Path,
    /// Its value matches an allowlisted regex or stopword.
    Value,
    /// It is an example written in the configuration file's own extra rules.
    Example,
}

impl Allowed {
    /// The mechanism's name in summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            Allowed::Path => "config-path",
            Allowed::Value => "config-value",
            Allowed::Example => "config-example",
        }
    }
}

/// Whether the allowlist covers `f`, and how.
pub fn allows(cfg: &Config, f: &Finding) -> Option<Allowed> {
    let in_config = f.member.is_none() && f.path.rsplit('/').next() == Some(FILE_NAME);
    if in_config && cfg.examples.iter().any(|e| e.contains(&f.secret)) {
        return Some(Allowed::Example);
    }
    if let Some(globs) = &cfg.paths {
        if globs.is_match(&f.path) || globs.is_match(f.location()) {
            return Some(Allowed::Path);
        }
    }
    let lower = f.secret.to_lowercase();
    if cfg.values.iter().any(|r| r.is_match(&f.secret))
        || cfg.stopwords.iter().any(|w| lower.contains(w.as_str()))
    {
        return Some(Allowed::Value);
    }
    None
}
