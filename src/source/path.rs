//! Paths as reports name them: `/` between components on every operating system, so a
//! report, a baseline or an allowlist glob written on Windows means the same on Linux.
//!
//! Only the separators the operating system itself uses are rewritten: on Windows `\` is a
//! separator, while on Unix it is an ordinary character a file name may hold.

use std::path::Path;

/// What separates path components on this operating system.
pub const NATIVE_SEPARATORS: &[char] = if cfg!(windows) { &['\\', '/'] } else { &['/'] };

/// `path` with `/` between its components and no leading `./`.
pub fn report_path(path: &Path) -> String {
    slashed(&path.to_string_lossy(), NATIVE_SEPARATORS)
}

/// A path string with `/` between its components and no leading `./`, for an operating
/// system whose separators are `separators`.
pub fn slashed(path: &str, separators: &[char]) -> String {
    let s: String = path
        .chars()
        .map(|c| if separators.contains(&c) { '/' } else { c })
        .collect();
    match s.strip_prefix("./") {
        Some(rest) => rest.to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOWS: &[char] = &['\\', '/'];
    const UNIX: &[char] = &['/'];

    #[test]
    fn windows_separators_become_slashes() {
        for (given, shown) in [
            (r"src\config\.env", "src/config/.env"),
            (r".\app\build\app-release.apk", "app/build/app-release.apk"),
            (r"mixed/dir\file.txt", "mixed/dir/file.txt"),
            (r"C:\work\repo\.env", "C:/work/repo/.env"),
            (r"\\server\share\key.pem", "//server/share/key.pem"),
            ("plain.env", "plain.env"),
        ] {
            assert_eq!(slashed(given, WINDOWS), shown, "{given}");
        }
    }

    #[test]
    fn a_backslash_in_a_unix_file_name_is_kept() {
        assert_eq!(slashed(r"./dir/odd\name.env", UNIX), r"dir/odd\name.env");
        assert_eq!(slashed("./a/b", UNIX), "a/b");
    }

    #[test]
    fn this_systems_paths_are_reported_with_slashes() {
        let p = Path::new("src").join("nested").join("file.env");
        assert_eq!(report_path(&p), "src/nested/file.env");
    }
}
