//! Member chains: where inside a file a piece of content sits (`app.apk!lib.jar!a/B.class`).
//! Every chain is built, split and shown here, so the separator means one thing everywhere.

/// Separates a file from its member and a container member from the members inside it.
pub const SEP: char = '!';

/// `inner` inside `member` (or at the top of the file when there is no member).
pub fn join(member: Option<&str>, inner: &str) -> String {
    match member {
        Some(m) => format!("{m}{SEP}{inner}"),
        None => inner.to_string(),
    }
}

/// A file and a member inside it as people read them: `path` or `path!member`.
pub fn display(path: &str, member: Option<&str>) -> String {
    match member {
        Some(m) => format!("{path}{SEP}{m}"),
        None => path.to_string(),
    }
}

/// The file part of a shown location (`app.apk` for `app.apk!res/a.xml`).
pub fn outer(location: &str) -> &str {
    location.split(SEP).next().unwrap_or(location)
}

/// The innermost name of a chain (`a/B.class` for `lib.jar!a/B.class`).
pub fn leaf(chain: &str) -> &str {
    chain.rsplit(SEP).next().unwrap_or(chain)
}

/// A name read from inside an archive or a source map, made safe to be one link of a chain:
/// control characters and the separator become `_`. Names are reported, never resolved on
/// disk, so `..` and a leading `/` are shown as written and reach nothing.
pub fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() || c == SEP { '_' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_are_built_shown_and_split_in_one_place() {
        assert_eq!(join(None, "lib.jar"), "lib.jar");
        assert_eq!(join(Some("lib.jar"), "a/B.class"), "lib.jar!a/B.class");
        assert_eq!(display("app.apk", None), "app.apk");
        assert_eq!(
            display("app.apk", Some("lib.jar!a/B.class")),
            "app.apk!lib.jar!a/B.class"
        );
        assert_eq!(outer("app.apk!lib.jar!a/B.class"), "app.apk");
        assert_eq!(leaf("lib.jar!a/B.class"), "a/B.class");
        assert_eq!(leaf("config.js"), "config.js");
    }

    #[test]
    fn names_cannot_forge_a_chain_or_move_a_terminal() {
        assert_eq!(sanitize("evil!inner.js"), "evil_inner.js");
        assert_eq!(sanitize("a\x1b[2Jb\n"), "a_[2Jb_");
        assert_eq!(sanitize("../../etc/passwd"), "../../etc/passwd");
    }
}
