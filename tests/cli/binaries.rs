//! Binaries read by their structure, not as printable runs: Mach-O sections, the Hermes
//! string table of a React Native bundle, the strings of a Flutter app's Dart snapshot.
//! `tests/tools/make_binaries.py` writes the fixtures; its docstring says what each holds.

use crate::helpers::*;

fn located(doc: &serde_json::Value) -> Vec<[String; 3]> {
    findings(doc)
        .iter()
        .map(|f| [field(f, "rule_id"), field(f, "path"), field(f, "detail")])
        .collect()
}

fn f(rule: &str, path: &str, detail: &str) -> [String; 3] {
    [rule.into(), path.into(), detail.into()]
}

/// Each secret once, labelled with where its format keeps it:
/// - `Acme` is fat: both slices hold the token, only the first is read. Its code, selector
///   names and symbol table are not read at all.
/// - The Hermes storage has nothing between strings, so printable runs read the token glued
///   to the next string (`…uT2Authorization`) and the token rule, which wants it to end
///   there, missed it; the table gives every string whole, skips the identifier, and reads
///   the UTF-16 string and the long string behind the overflow table.
/// - In the Dart snapshot the key id's object ends where the next object's printable tags
///   begin (`…S3KRQx`), and the token's clustered length is followed by a two-byte length
///   whose first byte is `H`: each string is cut at its own length.
#[test]
fn app_binaries_report_each_secret_where_its_format_keeps_it() {
    let (doc, out) = scan_json(&fixtures("binaries"), &[]);
    assert_eq!(
        located(&doc),
        [
            f("github.token", "Acme", "__TEXT,__cstring offset 0x147c"),
            f(
                "aws.access-key-id",
                "Acme",
                "__TEXT,__ustring offset 0x14f6"
            ),
            f("github.token", "index.android.bundle", "hermes string 1"),
            f(
                "aws.access-key-id",
                "index.android.bundle",
                "hermes string 4"
            ),
            f(
                "stripe.secret-key",
                "index.android.bundle",
                "hermes string 5"
            ),
            f("aws.access-key-id", "libapp.so", "offset 0x9c"),
            f("github.token", "libapp.so", "offset 0xf1"),
        ]
    );
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

/// The same binaries inside an app bundle keep their member and label.
#[test]
fn binaries_inside_an_ipa_keep_their_labels() {
    let dir = tempfile::tempdir().unwrap();
    let ipa = dir.path().join("Acme.ipa");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&ipa).unwrap());
    for (member, file) in [
        ("Payload/Acme.app/Acme", "Acme"),
        ("Payload/Acme.app/main.jsbundle", "index.android.bundle"),
    ] {
        zip.start_file(member, zip::write::SimpleFileOptions::default())
            .unwrap();
        let bytes = std::fs::read(fixtures("binaries").join(file)).unwrap();
        std::io::Write::write_all(&mut zip, &bytes).unwrap();
    }
    zip.finish().unwrap();
    let (doc, _) = scan_json(&ipa, &[]);
    let got: Vec<(String, String)> = findings(&doc)
        .iter()
        .filter(|f| field(f, "rule_id") == "github.token")
        .map(|f| (field(f, "member"), field(f, "detail")))
        .collect();
    assert_eq!(
        got,
        [
            (
                "Payload/Acme.app/Acme".into(),
                "__TEXT,__cstring offset 0x147c".into()
            ),
            (
                "Payload/Acme.app/main.jsbundle".into(),
                "hermes string 1".into()
            ),
        ]
    );
}

/// A file with a Mach-O or Hermes magic number whose tables do not fit is one warning that
/// names it and the cause; its printable strings are still read.
#[test]
fn unreadable_structures_fall_back_to_strings_with_one_warning() {
    const GH: &[u8] = b"ghp_4Rt9YpQ2mZ8sLk3VwB7nXc1JfH6dG0aE5uT2";
    let mut macho = vec![
        0xcf, 0xfa, 0xed, 0xfe, 0x0c, 0, 0, 1, 0, 0, 0, 0, 6, 0, 0, 0,
    ];
    macho.extend_from_slice(&[1, 0, 0, 0, 0x48, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    macho.extend_from_slice(&[0x19, 0, 0, 0, 0xff, 0xff, 0, 0]);
    macho.extend_from_slice(GH);
    let mut hermes = std::fs::read(fixtures("binaries").join("index.android.bundle")).unwrap();
    hermes[52..56].copy_from_slice(&0x4000_0000u32.to_le_bytes());
    hermes.truncate(128);
    hermes.extend_from_slice(b"\0token=");
    hermes.extend_from_slice(GH);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Broken"), &macho).unwrap();
    std::fs::write(dir.path().join("broken.bundle"), &hermes).unwrap();
    let (doc, out) = scan_json(dir.path(), &[]);
    let err = stderr(&out);
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("not a readable"))
        .collect();
    assert_eq!(warnings.len(), 2, "{err}");
    assert!(
        err.contains("Broken: not a readable Mach-O (load command size out of bounds)"),
        "{err}"
    );
    assert!(
        err.contains(
            "broken.bundle: not a readable Hermes bytecode file (string table out of bounds)"
        ),
        "{err}"
    );
    let paths: Vec<String> = findings(&doc).iter().map(|f| field(f, "path")).collect();
    assert_eq!(paths, ["Broken", "broken.bundle"]);
}
