//! What a finding is: rule, location, redacted secret, fingerprint and decoded token facts;
//! how detections become located findings; what a whole scan hands on.

mod build;
pub mod lines;
mod printable;
mod summary;

pub use crate::detect::{JwtFlag, JwtInfo, Note as DetectNote};
pub use crate::rules::{Confidence, Severity};
pub use build::build;
pub use printable::{terminal_safe, unsafe_char};
pub use summary::{App, InputError, ScanResult, Skipped, Summary};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A 1-based position. Columns count UTF-16 code units, as GitHub code scanning and SARIF's
/// default `columnKind` expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column in UTF-16 code units.
    pub column: usize,
}

/// Where the bytes of a secret found inside a member sit in the top-level file itself, for
/// viewers that can only open that file (GitHub code scanning, editors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Region {
    /// Start in the top-level file.
    pub start: Position,
    /// End in the top-level file (exclusive column).
    pub end: Position,
}

/// The version of the JSON shape of findings and reports (`schema_version`): bumped when a
/// field changes meaning or disappears, never for an added field. `merge` reads this version.
pub const SCHEMA_VERSION: u32 = 1;

/// The commit that first introduced a finding's blob at its path (git modes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    /// Full hex commit id.
    pub id: String,
    /// Author time, unix seconds.
    pub time: i64,
    /// `Name <email>`, only when asked for (`--include-author`); never in fingerprints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

/// A pointer from one finding to another (a token to the key that signs it, and back).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Link {
    /// `path` or `path!member` of the other finding; for a public example secret, its name.
    pub location: String,
    /// Its line (0 for a public secret).
    pub line: usize,
    /// Its column (0 for a public secret).
    pub column: usize,
    /// Its line and column in the top-level file, where a viewer can open it (`None` for a
    /// public secret, or inside a binary container).
    #[serde(skip)]
    pub file_position: Option<Position>,
    /// Its fingerprint (empty for a public secret).
    pub fingerprint: String,
    /// Its rule id (`public-secret` for a public example secret).
    pub rule_id: String,
    /// The repository or artifact the other finding came from, when that is known and
    /// may differ from the linking finding's (`merge`); `None` means the same one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl Link {
    /// A link to `f`.
    pub fn to(f: &Finding) -> Link {
        Link {
            location: f.location(),
            line: f.start.line,
            column: f.start.column,
            file_position: f.region.map(|r| r.start),
            fingerprint: f.fingerprint.clone(),
            rule_id: f.rule_id.clone(),
            label: f.label.clone(),
        }
    }

    /// A link to a publicly known secret, named but never printed.
    pub fn public(what: &str) -> Link {
        Link {
            location: what.to_string(),
            line: 0,
            column: 0,
            file_position: None,
            fingerprint: String::new(),
            rule_id: "public-secret".into(),
            label: None,
        }
    }
}

/// A fact about a finding beyond its rule and location, for reports to put into words (and,
/// in JSON, to hand on as data so `merge` words them the same way).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Note {
    /// What a detector established.
    Detected(DetectNote),
    /// A JWT whose `iss` is a client id found at `at` (a finding of rule `id_rule`, by name).
    IssuerSeen {
        /// The name of the client-id rule.
        id_rule: String,
        /// Where the client id is.
        at: Link,
    },
    /// A client secret in the same file or bundle as a client id.
    PairedWith {
        /// The name of the client-id rule.
        id_rule: String,
        /// Where the client id is.
        at: Link,
    },
    /// A candidate key that signs a token of a rule family (`CAF`).
    SignsFamilyToken(String),
    /// A token whose signature verifies under the key at the link (`verified_by`).
    SignedBy(Link),
    /// A token with a genuine signature under the public key at the link.
    GenuineUnder(Link),
    /// A token whose HMAC key is the public key's text at the link.
    Forged(Link),
    /// A token signed with a publicly known secret, named.
    PublicSecret(String),
}

/// One reported secret.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable rule id, e.g. `jwt.hmac-key.node`.
    pub rule_id: String,
    /// Rule display name.
    pub rule_name: String,
    /// Severity after detector adjustments.
    pub severity: Severity,
    /// Rule confidence.
    pub confidence: Confidence,
    /// Path relative to the scan root (for archive content, the outer file).
    pub path: String,
    /// Member inside `path` for content found in archives and binary formats (`!`-joined).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// Where in a binary member the text came from (`dex string 42`, `offset 0x1f00`,
    /// `key CAF.token`), when line and column refer to extracted text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Start of the secret.
    pub start: Position,
    /// End of the secret (exclusive column).
    pub end: Position,
    /// Byte offset of the secret in its blob.
    pub offset: usize,
    /// Where the secret's bytes are in the top-level file `path`: `start`..`end` for a plain
    /// file; for a secret inside a member, its place in the file when that file is text (a
    /// source map's `sourcesContent`, an XML plist, an inline source map); `None` inside
    /// binary containers and decoded binaries, where no line of the file holds it.
    #[serde(skip)]
    pub region: Option<Region>,
    /// For a secret in a source map's original source: the name the map gives that source.
    #[serde(skip)]
    pub original_source: Option<String>,
    /// That original source as a file of the scanned tree, when it exists there.
    #[serde(skip)]
    pub original_file: Option<String>,
    /// The raw secret. Reports print it only when asked to; use [`redact`] otherwise.
    #[serde(skip)]
    pub secret: String,
    /// Hex SHA-256 over (rule id, secret): stable when the secret moves.
    pub fingerprint: String,
    /// What detection and proof established, in the order they did (reports put these into
    /// words).
    #[serde(skip)]
    pub notes: Vec<Note>,
    /// Why a credential found by its name counts (generic rules only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<crate::detect::named::Evidence>,
    /// Decoded token facts, for findings that are JWTs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt: Option<JwtInfo>,
    /// Up to [`EXCERPT_CHARS`] characters of the line before and after the secret, with any
    /// other secret on the line masked, so a minified line is shown as a short excerpt.
    #[serde(skip)]
    pub context: (String, String),
    /// Where history introduced it (git modes only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitInfo>,
    /// Later commits that introduced the same secret at the same path again.
    pub later_occurrences: usize,
    /// For a token: the key finding (or public secret) whose HMAC verifies it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_by: Option<Link>,
    /// For a key: the tokens it was proven to sign.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signs: Vec<Link>,
    /// A `leakhound:allow` (or `gitleaks:allow`, `pragma: allowlist secret`) comment sits on
    /// the secret's line: reviewed and accepted.
    #[serde(skip)]
    pub allowed_inline: bool,
    /// The repository or artifact it came from (`--label`, or the `origin` remote for `git`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Other places the same secret was seen (`merge`: same fingerprint), in a stable order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_in: Vec<Occurrence>,
    /// `secret` holds only the redacted form: the finding was read back from a report written
    /// without `--show-secrets`, so proof cannot use it and reports print it as it is.
    #[serde(skip)]
    pub redacted: bool,
}

/// Another place a secret was seen, beside a finding's own location (`merge`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Occurrence {
    /// The repository or artifact.
    pub label: Option<String>,
    /// Path relative to that scan's root.
    pub path: String,
    /// Member inside `path`, for archive content.
    pub member: Option<String>,
    /// Where in a binary member the text came from.
    pub detail: Option<String>,
    /// Start of the secret.
    pub start: Position,
    /// End of the secret (exclusive column).
    pub end: Position,
    /// Where the secret's bytes are in the top-level file, when a line of it holds them.
    pub region: Option<Region>,
    /// The commit that introduced it (git modes).
    pub commit: Option<CommitInfo>,
    /// Later commits that introduced it at the same path again.
    pub later_occurrences: usize,
}

/// The fingerprint of a secret under a rule: hex SHA-256 of `rule_id NUL secret`.
pub fn fingerprint(rule_id: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0u8]);
    h.update(secret.as_bytes());
    hex(&h.finalize())
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// The redacted form of a secret: its first 4 characters, `…`, and its length in characters.
pub fn redact(secret: &str) -> String {
    let len = secret.chars().count();
    let head: String = secret.chars().take(4.min(len / 2)).collect();
    format!("{head}…({len})")
}

/// How much of the line around a secret an excerpt shows, on each side.
pub const EXCERPT_CHARS: usize = 24;

impl Finding {
    /// `…before<secret>after…`, the secret redacted unless `show`.
    pub fn excerpt(&self, show: bool) -> String {
        let (before, after) = &self.context;
        format!("{before}«{}»{after}", self.display_secret(show))
    }

    /// `path` or `path!member`, as shown to people.
    pub fn location(&self) -> String {
        crate::source::member::display(&self.path, self.member.as_deref())
    }

    /// This finding's own place, as another finding's [`Finding::also_in`] lists it.
    pub fn occurrence(&self) -> Occurrence {
        Occurrence {
            label: self.label.clone(),
            path: self.path.clone(),
            member: self.member.clone(),
            detail: self.detail.clone(),
            start: self.start,
            end: self.end,
            region: self.region,
            commit: self.commit.clone(),
            later_occurrences: self.later_occurrences,
        }
    }

    /// The same finding seen at `o` instead: its location fields replaced by `o`'s (a merged
    /// finding as one repository's report shows it).
    pub fn at(&self, o: &Occurrence) -> Finding {
        Finding {
            label: o.label.clone(),
            path: o.path.clone(),
            member: o.member.clone(),
            detail: o.detail.clone(),
            start: o.start,
            end: o.end,
            region: o.region,
            commit: o.commit.clone(),
            later_occurrences: o.later_occurrences,
            ..self.clone()
        }
    }

    /// The secret as it should be printed: raw only when `show` is set (and it is known).
    pub fn display_secret(&self, show: bool) -> String {
        if show || self.redacted {
            self.secret.clone()
        } else {
            redact(&self.secret)
        }
    }
}
