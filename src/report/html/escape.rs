//! Text from scanned input made inert in HTML: every path, member name, claim, excerpt and
//! message goes through [`Esc`], in element text and in quoted attribute values alike.

use crate::finding::terminal_safe;
use std::fmt;

/// Displays its text HTML-escaped (`&`, `<`, `>`, `"`, `'`), with control characters and
/// bidirectional marks first written as visible escapes (`\x1b`, `\u{202e}`), as the text
/// report shows them, so a name cannot reorder or hide what the page shows around it.
pub struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let safe = terminal_safe(self.0);
        let mut rest: &str = &safe;
        while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..i])?;
            f.write_str(match rest.as_bytes()[i] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[i + 1..];
        }
        f.write_str(rest)
    }
}

/// `s` cut to at most `max` characters, with `…` when cut (chart labels have a fixed width).
pub fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{clip, Esc};

    #[test]
    fn markup_quotes_and_controls_are_inert() {
        let e = |s: &str| Esc(s).to_string();
        assert_eq!(
            e("<script>alert(1)</script>.js"),
            "&lt;script&gt;alert(1)&lt;/script&gt;.js"
        );
        assert_eq!(e(r#"a"b'c&d"#), "a&quot;b&#39;c&amp;d");
        assert_eq!(e("x\x1b[2J\u{202e}y\n"), "x\\x1b[2J\\u{202e}y\\n");
        assert_eq!(e("\0<"), "\\x00&lt;");
        assert_eq!(e("日本/ok"), "日本/ok");
    }

    #[test]
    fn clipping_counts_characters() {
        assert_eq!(clip("abcdef", 4), "abcd…");
        assert_eq!(clip("日本語", 3), "日本語");
        assert_eq!(clip("日本語", 2), "日本…");
    }
}
