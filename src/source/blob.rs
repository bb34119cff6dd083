//! A blob is a run of bytes to scan plus where it came from.

/// Where a blob's bytes came from, as shown in reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Path relative to the scan root, with `/` separators (`<stdin>` for standard input).
    pub path: String,
    /// Where inside that file, for content extracted from archives and binary formats:
    /// member paths joined by `!` (`lib.jar!com/x/Config.class`).
    pub member: Option<String>,
}

impl Origin {
    /// An origin for a file at `path` (already relative to the scan root).
    pub fn file(path: impl Into<String>) -> Self {
        Origin {
            path: path.into(),
            member: None,
        }
    }

    /// The name that decides how content is read: the innermost member, else the path.
    pub fn leaf(&self) -> &str {
        self.member
            .as_deref()
            .map_or(&self.path, super::member::leaf)
    }
}

/// Bytes to scan together with their origin.
#[derive(Debug)]
pub struct Blob<'a> {
    /// The content.
    pub bytes: &'a [u8],
    /// Where the content came from.
    pub origin: Origin,
}

/// File extensions of programming languages. In these, a secret literal is always quoted, so
/// an unquoted value after `=` or `:` is an expression (`has_key ? a : b`, `Type::new()`), not
/// a secret; in configuration formats (`.env`, properties, YAML) unquoted values are literals.
const CODE_EXTENSIONS: &[&str] = &[
    "c", "cc", "cpp", "cs", "cxx", "dart", "go", "h", "hpp", "java", "js", "jsx", "kt", "kts", "m",
    "mjs", "cjs", "mm", "php", "py", "rb", "rs", "scala", "swift", "ts", "tsx", "vue",
];

impl Origin {
    /// True when the path names source code rather than configuration or data.
    pub fn is_code(&self) -> bool {
        let leaf = self.leaf();
        let name = leaf.rsplit('/').next().unwrap_or(leaf);
        name.rsplit_once('.')
            .is_some_and(|(_, ext)| CODE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
    }
}

/// Extensions that only run in a browser or on a phone.
const CLIENT_EXTENSIONS: &[&str] = &[
    "jsx", "tsx", "vue", "svelte", "swift", "dart", "kt", "m", "mm",
];

/// Directory names under which code ships to users' browsers or phones.
const CLIENT_DIRS: &[&str] = &[
    "android",
    "ios",
    "mobile",
    "web",
    "www",
    "frontend",
    "client",
    "public",
    "static",
    "components",
    "screens",
    "pages",
    "webapp",
];

impl Origin {
    /// True when the code runs on users' devices, where any secret it holds can be
    /// extracted: anything inside a built artifact, app-only languages, app directories.
    pub fn is_client_side(&self) -> bool {
        if self.member.is_some() {
            return true;
        }
        let lower = self.path.to_ascii_lowercase();
        let mut parts = lower.split('/');
        let name = parts.next_back().unwrap_or("");
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        CLIENT_EXTENSIONS.contains(&ext) || parts.any(|d| CLIENT_DIRS.contains(&d))
    }
}

/// Directory and file-name words of tests, documentation and examples, where sample
/// credentials are written on purpose.
const SAMPLE_PARTS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "testdata",
    "fixtures",
    "fixture",
    "mocks",
    "__mocks__",
    "example",
    "examples",
    "sample",
    "samples",
    "demo",
    "docs",
    "doc",
];

impl Origin {
    /// True when the path is test, documentation or example material (`tests/`, `docs/`,
    /// `*.example`, `*_test.go`, `*.spec.ts`, `README.md`).
    pub fn is_sample(&self) -> bool {
        let lower = self.path.to_ascii_lowercase();
        let mut parts = lower.split('/');
        let name = parts.next_back().unwrap_or("");
        if parts.any(|d| SAMPLE_PARTS.contains(&d)) {
            return true;
        }
        let stem_words = name.split(['.', '_', '-']);
        name.starts_with("readme")
            || name.ends_with(".md")
            || stem_words.clone().any(|w| {
                matches!(
                    w,
                    "test" | "tests" | "spec" | "example" | "sample" | "dist" | "template"
                )
            })
    }
}

/// The single decision point for "is this binary?": a NUL byte in the first 8 KiB, the
/// heuristic git and ripgrep use. Extraction reads what it knows of binary formats; a binary
/// it yields no text from is counted as skipped.
pub fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    memchr::memchr(0, head).is_some()
}
