//! Where input comes from: the walk, ignore files, stdin, limits, and broken inputs.

use crate::helpers::*;

const SECRET_ENV: &str = "JWT_SECRET=9c4e1a7f3b8d2e6a0c5f9b1d4e8a2c6f\n";

#[test]
fn gitignore_is_honoured_dotfiles_are_scanned_and_no_ignore_scans_all() {
    let dir = tree(&[
        (".gitignore", "dist/\n"),
        (".env", SECRET_ENV),
        (
            ".npmrc",
            "//registry.example.com/:_authToken=x\nJWT_SIGNING_KEY=npmrc-Signing-Key-778\n",
        ),
        (
            "dist/app.js",
            "const JWT_SECRET = \"9c4e1a7f3b8d2e6a0c5f9b1d4e8a2c6f\";\n",
        ),
        ("src/.hidden/config.env", SECRET_ENV),
    ]);
    // .gitignore applies inside a repository only, as in git and ripgrep.
    git_ok(dir.path(), &["init", "-q"]);
    let (doc, _) = scan_json(dir.path(), &[]);
    let paths: Vec<String> = triples(&doc).into_iter().map(|t| t.1).collect();
    assert_eq!(paths, vec![".env", ".npmrc", "src/.hidden/config.env"]);
    let (doc, _) = scan_json(dir.path(), &["--no-ignore"]);
    let paths: Vec<String> = triples(&doc).into_iter().map(|t| t.1).collect();
    assert_eq!(
        paths,
        vec![".env", ".npmrc", "dist/app.js", "src/.hidden/config.env"]
    );
}

#[test]
fn git_directory_is_not_walked() {
    let dir = tree(&[(".git/config", SECRET_ENV), ("ok.txt", "nothing here\n")]);
    let (doc, out) = scan_json(dir.path(), &[]);
    assert_eq!(triples(&doc), vec![]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn stdin_is_scanned_as_a_file_named_stdin() {
    let out = run_stdin(&["scan", "-", "--format", "jsonl"], SECRET_ENV.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let f: serde_json::Value = serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
    assert_eq!(f["path"], "<stdin>");
    assert_eq!(f["rule_id"], "jwt.hmac-key.config");
    assert_eq!(f["line"], 1);
    assert_eq!(f["column"], 12);
}

#[test]
fn missing_input_is_one_error_line_and_the_rest_is_scanned() {
    let dir = tree(&[("a/.env", SECRET_ENV)]);
    let out = run_in(
        dir.path(),
        &["scan", "no-such-dir", "a", "--format", "jsonl"],
    );
    assert_eq!(out.status.code(), Some(2), "a part failed");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("leakhound: error: no-such-dir: "), "{err}");
    assert_eq!(
        stdout(&out).lines().count(),
        1,
        "the readable input was still scanned"
    );
}

#[test]
fn exit_codes() {
    let clean = tree(&[("a.txt", "hello\n")]);
    assert_eq!(run_in(clean.path(), &["scan", "."]).status.code(), Some(0));
    let dirty = tree(&[("a.env", SECRET_ENV)]);
    assert_eq!(run_in(dirty.path(), &["scan", "."]).status.code(), Some(1));
    assert_eq!(
        run(&["scan", "--format", "xml"]).status.code(),
        Some(2),
        "usage error"
    );
}

#[test]
fn large_files_are_skipped_and_listed() {
    let big = format!("{}{}", "x".repeat(4096), SECRET_ENV);
    let dir = tree(&[("big.env", &big), ("small.env", SECRET_ENV)]);
    let (doc, _) = scan_json(dir.path(), &["--max-file-size", "2K"]);
    assert_eq!(triples(&doc).len(), 1);
    assert_eq!(doc["summary"]["too_large"][0]["path"], "big.env");
    let out = run_in(dir.path(), &["scan", ".", "--max-file-size", "2K"]);
    let text = stdout(&out);
    assert!(
        text.lines()
            .last()
            .unwrap()
            .contains("1 too large [big.env]"),
        "{text}"
    );
}

#[test]
fn binary_files_are_read_through_string_extraction() {
    let dir = tempfile::tempdir().unwrap();
    let mut bin = b"\x00\x01\x02".to_vec();
    bin.extend_from_slice(SECRET_ENV.as_bytes());
    std::fs::write(dir.path().join("blob.bin"), bin).unwrap();
    let (doc, out) = scan_json(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let f = &doc["findings"][0];
    assert_eq!(f["path"], "blob.bin");
    assert_eq!(f["detail"], "offset 0x3");
    // A binary with no printable text at all is counted as skipped.
    std::fs::write(dir.path().join("blob.bin"), [0u8, 1, 2, 3, 0, 0xff]).unwrap();
    let (doc, out) = scan_json(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(doc["summary"]["binary_skipped"], 1);
}

#[test]
fn output_file_receives_the_report() {
    let dir = tree(&[("a.env", SECRET_ENV)]);
    let out = run_in(
        dir.path(),
        &["scan", "a.env", "--format", "sarif", "-o", "report.sarif"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.sarif")).unwrap()).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["ruleId"],
        "jwt.hmac-key.config"
    );
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"],
        "a.env"
    );
}

#[test]
fn hostile_bytes_do_not_panic() {
    // Invalid UTF-8 around keywords, an unterminated PEM, a huge base64 run after eyJ.
    let mut junk: Vec<u8> = Vec::new();
    junk.extend_from_slice(b"Bearer \xff\xfe\xfd abc jwt.sign(p, '\xc3\x28secret-\xa0\xa1')\n");
    junk.extend_from_slice(b"-----BEGIN RSA PRIVATE KEY-----\nMIIE");
    junk.extend_from_slice(
        format!("\neyJ{}.eyJ{}.\n", "A".repeat(200_000), "B".repeat(10)).as_bytes(),
    );
    junk.extend_from_slice(
        b"JWT_SECRET=\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac9\n",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("junk.txt"), &junk).unwrap();
    let out = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert!(stderr(&out).is_empty());
}
