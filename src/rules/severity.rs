//! How bad a rule's finding is and how sure the rule is: part of a rule as written.

use serde::{Deserialize, Serialize};

/// How bad a leak is if the secret is real.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: public sample tokens and the like.
    Low,
    /// Worth a look: expired or unsigned tokens, encrypted keys.
    Medium,
    /// A usable credential.
    High,
    /// A credential that lets anyone mint or sign on the owner's behalf.
    Critical,
}

impl Severity {
    /// All severities, most severe first.
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    /// Lower-case name as used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// GitHub's `security-severity` score (0–10) for this level.
    pub fn security_score(self) -> &'static str {
        match self {
            Severity::Low => "3.0",
            Severity::Medium => "5.5",
            Severity::High => "8.0",
            Severity::Critical => "9.5",
        }
    }
}

/// How sure a rule is that a match is a real secret rather than look-alike text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Shape-only match.
    Low,
    /// Shape plus some context.
    Medium,
    /// Structure verified (decoded header, PEM body) or strong context.
    High,
}

impl Confidence {
    /// Lower-case name as used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}
