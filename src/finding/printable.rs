//! Text that came from scanned input, made safe to print.

/// A character that can move a terminal's cursor, recolour it or reorder what it shows:
/// control characters and bidirectional marks, embeddings, overrides and isolates.
pub fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every control character and bidirectional-override mark written as an escape
/// (`\n`, `\x1b`, `\u{202e}`), so text that came from scanned input (paths, member names,
/// claims, excerpts) cannot move a terminal's cursor, recolour it or reorder what it shows.
pub fn terminal_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 && unsafe_char(c) => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::terminal_safe;

    #[test]
    fn escapes_terminal_controls_and_bidi_marks() {
        assert_eq!(terminal_safe("a/b.js"), "a/b.js");
        assert_eq!(terminal_safe("x\x1b[2Jy"), "x\\x1b[2Jy");
        assert_eq!(terminal_safe("l1\nl2\r\t"), "l1\\nl2\\r\\t");
        assert_eq!(terminal_safe("ev\u{202e}il"), "ev\\u{202e}il");
        assert_eq!(terminal_safe("\u{9b}31m"), "\\x9b31m");
        assert_eq!(terminal_safe("日本\u{7f}"), "日本\\x7f");
    }
}
