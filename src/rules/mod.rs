//! Rules are data: `patterns/*.toml`, compiled into the binary, parsed and checked at start-up.

mod pattern;
mod relations;
mod severity;

pub use pattern::{regex_error, Pattern};
pub use relations::{Relations, Role};
use serde::Deserialize;
pub use severity::{Confidence, Severity};

// The rule files shipped in `patterns/`, embedded so an install needs no data files:
// `BUILTIN_SOURCES`, `(name, TOML text)` in load order, written by `build.rs`, which also
// converts them to the JSON that `RuleSet::builtin` reads.
include!(concat!(env!("OUT_DIR"), "/rule_sources.rs"));

/// The rules of `BUILTIN_SOURCES` as JSON, converted at build time.
const BUILTIN_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/rules.json"));

/// Code that validates or reshapes a regex match beyond what a regex can say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DetectorKind {
    /// The secret must be a structurally valid JWT; claims are decoded.
    Jwt,
    /// Decode the secret as a JWT when it has that shape; otherwise keep it as an opaque token.
    MaybeJwt,
    /// The secret is an identifier passed to a sign call; find its literal value in the blob.
    IndirectKey,
    /// A PEM private-key block whose body must be real base64 of a plausible size.
    Pem,
    /// A JWK object with a private member `d`.
    JwkPrivate,
    /// A JWK object of `kty: oct` whose `k` is an HMAC key.
    JwkOct,
    /// The keyword is part of a name; the credential is the literal given to that name
    /// (see `detect::named`). The rule id's last part names the kind (`generic.password`).
    Named,
}

/// Where a rule's `context` regex is looked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContextScope {
    /// Anywhere within the context radius.
    #[default]
    Window,
    /// The `http(s)://` URL nearest to the match, so a token is tied to the host it is sent
    /// to rather than to any host mentioned nearby.
    NearestUrl,
}

/// When a rule's findings reach the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Report {
    /// Every finding is reported.
    #[default]
    Always,
    /// Reported only when it signs a token found in the same scan or proof pairs it with
    /// other evidence (a candidate key that verifies a token is a confirmed key).
    WhenProven,
    /// Never reported: public keys and client ids that proof uses as evidence.
    Never,
}

/// One rule as written in a pattern file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable id; never changes once released.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What the rule finds and why it matters.
    pub description: String,
    /// Default severity.
    pub severity: Severity,
    /// How sure a match is.
    pub confidence: Confidence,
    /// Literal keywords for the prefilter; a region is only confirmed near one of them.
    pub keywords: Vec<String>,
    /// Regex with a named capture `secret` (quoted literal) and/or `bare` (unquoted value).
    pub pattern: String,
    /// Minimum secret length in characters.
    #[serde(default)]
    pub min_len: Option<usize>,
    /// Maximum secret length in characters. A pattern says `{16,}` and this says 4096: a
    /// bounded repetition `{16,4096}` compiles to thousands of automaton states (7 ms of
    /// start-up per rule), an open one to one.
    #[serde(default)]
    pub max_len: Option<usize>,
    /// Minimum Shannon entropy of the secret, bits per character.
    #[serde(default)]
    pub min_entropy: Option<f64>,
    /// Secret values matching this regex are dropped (paths, file names, …).
    #[serde(default)]
    pub reject: Option<String>,
    /// Secret values must match this regex (e.g. opaque tokens must contain a digit).
    #[serde(default)]
    pub require: Option<String>,
    /// A regex that must match near the match (within `context_radius` bytes).
    #[serde(default)]
    pub context: Option<String>,
    /// How far around the match `context` is searched (default [`CONTEXT_RADIUS`]).
    #[serde(default)]
    pub context_radius: Option<usize>,
    /// What `context` must match: anything in the radius, or the URL nearest to the match.
    #[serde(default)]
    pub context_scope: ContextScope,
    /// Extra validation in code.
    #[serde(default)]
    pub detector: Option<DetectorKind>,
    /// Bytes before a keyword where a match may start.
    #[serde(default)]
    pub window_before: Option<usize>,
    /// Bytes after a keyword where a match may end.
    #[serde(default)]
    pub window_after: Option<usize>,
    /// When two rules report the same secret span, the higher priority wins.
    #[serde(default)]
    pub priority: i32,
    /// How to fix a leak (SARIF help).
    pub remediation: String,
    /// Links for the reader.
    #[serde(default)]
    pub references: Vec<String>,
    /// Free-form tags (`jwt`, `caf`, …).
    #[serde(default)]
    pub tags: Vec<String>,
    /// When findings are reported: key material (public keys, client ids, candidate
    /// literals) is collected for proof and reported only when proof says so.
    #[serde(default)]
    pub report: Report,
    /// What proof may use findings of this rule as.
    #[serde(default)]
    pub role: Option<Role>,
    /// Findings of other rules that become findings of this one when proof connects them.
    #[serde(default)]
    pub relations: Relations,
    /// Only in web or mobile app code or inside a built artifact.
    #[serde(default)]
    pub client_side: bool,
    /// Texts that must give a finding of this rule.
    pub examples: Vec<String>,
    /// Texts that must not give a finding of this rule.
    pub negative_examples: Vec<String>,
}

/// How far around a match a rule's `context` regex is searched unless the rule says.
pub const CONTEXT_RADIUS: usize = 16 * 1024;
const DEFAULT_WINDOW_BEFORE: usize = 256;
const DEFAULT_WINDOW_AFTER: usize = 512;

/// A rule ready to run.
#[derive(Debug)]
pub struct Rule {
    /// The rule as written.
    pub spec: RuleSpec,
    /// The pattern, compiled on first use.
    pub regex: Pattern,
    /// `reject`, compiled on first use.
    pub reject: Option<Pattern>,
    /// `require`, compiled on first use.
    pub require: Option<Pattern>,
    /// `context`, compiled on first use.
    pub context: Option<Pattern>,
    /// Effective window before a keyword.
    pub window_before: usize,
    /// Effective window after a keyword.
    pub window_after: usize,
}

/// A problem with a rule file: `file: rule ID: message`.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {}{message}", rule.as_ref().map(|id| format!("rule {id}: ")).unwrap_or_default())]
pub struct RuleError {
    /// Pattern file name.
    pub file: String,
    /// Rule id, when the file parsed that far.
    pub rule: Option<String>,
    /// What is wrong.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    rules: Vec<RuleSpec>,
}

/// One file of `BUILTIN_JSON`.
#[derive(Deserialize)]
struct BuiltinFile {
    file: String,
    rules: Vec<RuleSpec>,
}

/// All rules of a scan.
#[derive(Debug)]
pub struct RuleSet {
    /// Rules in load order; indices are stable for the life of the set.
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// The rules shipped in the binary, read from the JSON `build.rs` converted them to.
    /// They are checked by the test suite, and their patterns compile on first use:
    /// compiling all of them was most of a small scan's start-up, and a scan wakes only the
    /// rules whose keywords it meets.
    pub fn builtin() -> Result<RuleSet, RuleError> {
        let files: Vec<BuiltinFile> =
            serde_json::from_str(BUILTIN_JSON).map_err(|e| RuleError {
                file: "built-in rules".into(),
                rule: None,
                message: e.to_string(),
            })?;
        let mut rules = Vec::new();
        for file in files {
            for spec in file.rules {
                rules.push(compile(&file.file, spec, false)?);
            }
        }
        Self::checked(rules)
    }

    /// Parses and compiles rule files given as `(name, toml text)`.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<RuleSet, RuleError> {
        Self::load(sources)
    }

    /// Parses rule files and compiles every pattern now, so a bad one is an error naming its
    /// rule.
    fn load(sources: &[(&str, &str)]) -> Result<RuleSet, RuleError> {
        let mut rules = Vec::new();
        for (name, text) in sources {
            let file: RuleFile = toml::from_str(text).map_err(|e| RuleError {
                file: name.to_string(),
                rule: None,
                message: e.to_string().trim().replace('\n', " "),
            })?;
            for spec in file.rules {
                rules.push(compile(name, spec, true)?);
            }
        }
        Self::checked(rules)
    }

    fn checked(rules: Vec<Rule>) -> Result<RuleSet, RuleError> {
        let set = RuleSet { rules };
        set.check_unique_ids()?;
        set.check_relations()?;
        Ok(set)
    }

    fn check_unique_ids(&self) -> Result<(), RuleError> {
        let mut seen = std::collections::HashSet::new();
        for r in &self.rules {
            if !seen.insert(r.spec.id.as_str()) {
                return Err(RuleError {
                    file: "rules".into(),
                    rule: Some(r.spec.id.clone()),
                    message: "duplicate rule id".into(),
                });
            }
        }
        Ok(())
    }

    /// Adds rules (from a configuration file named `source`); ids must stay unique.
    pub fn extend(&mut self, source: &str, specs: Vec<RuleSpec>) -> Result<(), RuleError> {
        for spec in specs {
            self.rules.push(compile(source, spec, true)?);
        }
        self.check_unique_ids()?;
        self.check_relations()
    }

    /// Drops the rules whose ids are listed.
    pub fn disable(&mut self, ids: &[String]) {
        self.rules.retain(|r| !ids.contains(&r.spec.id));
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.spec.id == id)
    }
}

fn compile(source: &str, spec: RuleSpec, check: bool) -> Result<Rule, RuleError> {
    let err = |message: String| RuleError {
        file: source.to_string(),
        rule: Some(spec.id.clone()),
        message,
    };
    let pattern = |p: &str, what: &str| {
        if check {
            Pattern::checked(p).map_err(|e| err(format!("bad {what} regex: {}", regex_error(&e))))
        } else {
            Ok(Pattern::lazy(p))
        }
    };
    let regex = pattern(&spec.pattern, "pattern")?;
    if check {
        let names: Vec<&str> = regex.get().capture_names().flatten().collect();
        if !names.contains(&"secret") && !names.contains(&"bare") {
            return Err(err("pattern has no `secret` or `bare` capture".into()));
        }
    }
    if spec.keywords.is_empty() || spec.keywords.iter().any(std::string::String::is_empty) {
        return Err(err("at least one non-empty keyword is required".into()));
    }
    if spec.examples.len() < 2 || spec.negative_examples.len() < 2 {
        return Err(err(
            "at least 2 examples and 2 negative_examples are required".into(),
        ));
    }
    let reject = spec
        .reject
        .as_deref()
        .map(|p| pattern(p, "reject"))
        .transpose()?;
    let require = spec
        .require
        .as_deref()
        .map(|p| pattern(p, "require"))
        .transpose()?;
    let context = spec
        .context
        .as_deref()
        .map(|p| pattern(p, "context"))
        .transpose()?;
    Ok(Rule {
        regex,
        reject,
        require,
        context,
        window_before: spec.window_before.unwrap_or(DEFAULT_WINDOW_BEFORE),
        window_after: spec.window_after.unwrap_or(DEFAULT_WINDOW_AFTER),
        spec,
    })
}
