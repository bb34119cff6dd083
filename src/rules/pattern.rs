//! A rule's regex: ASCII semantics, compiled the first time a keyword wakes it.

use regex::bytes::Regex;

/// Upper bound for regex program size; patterns are ASCII-only so this is generous.
const REGEX_SIZE_LIMIT: usize = 8 * 1024 * 1024;

/// A regex error on one line: its last line names the cause (`unclosed character class`);
/// the lines above draw a caret under the pattern.
pub fn regex_error(e: &regex::Error) -> String {
    let text = e.to_string();
    let cause = text
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    cause.strip_prefix("error: ").unwrap_or(cause).to_string()
}

/// Builds a rule pattern: ASCII semantics, since secrets are ASCII and Unicode classes
/// would blow up the automata of bounded repetitions like `[^"]{6,256}`.
fn build(pattern: &str) -> Result<Regex, regex::Error> {
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
}

/// A rule's regex, compiled when first needed.
#[derive(Debug)]
pub struct Pattern {
    source: String,
    compiled: std::sync::OnceLock<Regex>,
}

impl Pattern {
    pub(super) fn lazy(source: &str) -> Self {
        Pattern {
            source: source.to_string(),
            compiled: std::sync::OnceLock::new(),
        }
    }

    /// Compiles now, for rules checked when loaded.
    pub(super) fn checked(source: &str) -> Result<Self, regex::Error> {
        let p = Self::lazy(source);
        let _ = p.compiled.set(build(source)?);
        Ok(p)
    }

    /// The compiled regex. Built-in patterns are compiled by the test suite and user
    /// patterns when loaded, so building one here cannot fail.
    pub fn get(&self) -> &Regex {
        self.compiled
            .get_or_init(|| build(&self.source).expect("rule patterns are checked before use"))
    }
}
