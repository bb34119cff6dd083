//! Values that look like secrets but are not: environment lookups, template holes, sample
//! text. These are never findings, whatever rule matched them.

use regex::bytes::{Regex, RegexBuilder};
use std::sync::OnceLock;

/// Each alternative is one placeholder family; they are matched against the whole value.
const PLACEHOLDER: &str = r"(?xi)
    \$\{ | \$\( | \{\{ | \}\} | \{[A-Za-z_][A-Za-z0-9_]*\}   # ${X}, $(cmd), {{ x }}, {name}
  | ^\$[A-Za-z_][A-Za-z0-9_]*$                              # $CAF_TOKEN
  | %\([A-Za-z_]+\)s | ^%[A-Za-z_]+%$                        # %(x)s, %X%
  | ^<[^<>]*>$ | ^\[[^\[\]]*\]$                             # <your-token>, [TOKEN]
  | process\.env | os\.environ | getenv | System\.getenv | ENV\[ | Environment\.
  | change[_.-]?me | replace[_.-]?me | ^todo$ | ^tbd$ | ^none$ | ^null$ | ^undefined$
  | ^(?:your|my)[_.-].*[_.-]here$ | ^your[_.-]?(?:secret|token|key|api|jwt|client)
  | insert[_.-]?your | put[_.-]?your | enter[_.-]?your | paste[_.-]?your
  | xxxx | \*\*\*\* | \.\.\. | …
  | placeholder | redacted | ^dummy | ^example | ^sample | ^fake | ^test$
  | 0123456789 | abcdefghij | 1234567890
";

/// Identifier shapes: an unquoted value like these is a reference to a variable, not a literal.
const IDENTIFIER: &str = r"^(?:[A-Za-z_$][A-Za-z_$]*|[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)+|[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)$";

/// ASCII semantics over bytes: Unicode case folding made the placeholder regex 1 ms of a
/// one-file scan's start-up, and every family it names is ASCII (`…` is matched as its
/// UTF-8 bytes).
fn ascii(pattern: &str) -> Regex {
    RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .expect("placeholder regexes compile")
}

fn placeholder_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| ascii(PLACEHOLDER))
}

fn identifier_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| ascii(IDENTIFIER))
}

/// True when `value` is a placeholder, template hole or environment lookup.
pub fn is_placeholder(value: &str) -> bool {
    placeholder_re().is_match(value.as_bytes()) || is_repetitive(value)
}

/// True when an unquoted value is an identifier or member access rather than a literal.
pub fn is_identifier(value: &str) -> bool {
    identifier_re().is_match(value.as_bytes())
}

/// A value made of one or two distinct characters (`aaaaaaaa`, `ababab`) carries no secret.
fn is_repetitive(value: &str) -> bool {
    let mut distinct: Vec<char> = Vec::with_capacity(3);
    for c in value.chars() {
        if !distinct.contains(&c) {
            distinct.push(c);
            if distinct.len() > 2 {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            "${JWT_SECRET}",
            "$CAF_TOKEN",
            "{{ token }}",
            "%(secret)s",
            "<your-token>",
            "changeme",
            "your-secret-here",
            "INSERT_YOUR_TOKEN",
            "xxxxxxxxxxxx",
            "aaaaaaaaaaaa",
            "process.env.JWT_SECRET",
            "os.getenv('X')",
        ] {
            assert!(is_placeholder(p), "{p} should be a placeholder");
        }
    }

    #[test]
    fn real_looking_values_are_not_placeholders() {
        for v in [
            "s3cr3t-Hmac-Key-9f8e7d",
            "a-string-secret-at-least-256-bits-long",
            "shhhhh-not-a-test",
        ] {
            assert!(!is_placeholder(v), "{v} should not be a placeholder");
        }
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("SECRET_KEY"));
        assert!(is_identifier("settings.SECRET_KEY"));
        assert!(is_identifier("jwtSecret"));
        assert!(!is_identifier("9f8e7d6c5b4a39f8"));
        assert!(!is_identifier("Zq8fK2pLx9TmWv4R"));
    }
}
