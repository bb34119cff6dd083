//! Built artifacts: archives, Android and Apple formats, source maps, hostile inputs. Every
//! fixture except the two real APKs is generated here, so the repository holds no binaries
//! with planted secrets.

use crate::helpers::*;
use leakhound::source::extract::{expand, Limits, Piece, Visitor};
use serde_json::Value;
use std::io::Write;

/// A JWT with an `exp` far in the future, generated (not a real credential).
const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhcHAtYnVpbGQiLCJpc3MiOiJhcGkuZXhhbXBsZS5jb20iLCJleHAiOjQxMDI0NDQ4MDB9.Qm9ndXNTaWduYXR1cmVGb3JUZXN0c09ubHlYWFhZWlo";
const ENV: &str = "JWT_SECRET=9c4e1a7f3b8d2e6a0c5f9b1d4e8a2c6f\n";

fn zip_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn tar_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn gz_bytes(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A minimal DEX: header plus a string table.
fn dex_bytes(strings: &[&str]) -> Vec<u8> {
    let mut b = vec![0u8; 0x70];
    b[..8].copy_from_slice(b"dex\n035\0");
    b[0x38..0x3c].copy_from_slice(&(strings.len() as u32).to_le_bytes());
    b[0x3c..0x40].copy_from_slice(&0x70u32.to_le_bytes());
    let data_off = 0x70 + 4 * strings.len();
    let mut data = Vec::new();
    for s in strings {
        b.extend_from_slice(&((data_off + data.len()) as u32).to_le_bytes());
        let mut n = s.len();
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            data.push(if n > 0 { byte | 0x80 } else { byte });
            if n == 0 {
                break;
            }
        }
        data.extend_from_slice(s.as_bytes());
        data.push(0);
    }
    b.extend_from_slice(&data);
    b
}

fn u16le(v: usize) -> [u8; 2] {
    (v as u16).to_le_bytes()
}
fn u32le(v: usize) -> [u8; 4] {
    (v as u32).to_le_bytes()
}

/// A UTF-16 ResStringPool chunk.
fn string_pool(strings: &[&str]) -> Vec<u8> {
    let mut data = Vec::new();
    let mut offsets = Vec::new();
    for s in strings {
        offsets.push(data.len());
        let units: Vec<u16> = s.encode_utf16().collect();
        data.extend_from_slice(&u16le(units.len()));
        for u in units {
            data.extend_from_slice(&u.to_le_bytes());
        }
        data.extend_from_slice(&[0, 0]);
    }
    while data.len() % 4 != 0 {
        data.push(0);
    }
    let header = 28;
    let start = header + 4 * strings.len();
    let mut c = Vec::new();
    c.extend_from_slice(&u16le(1));
    c.extend_from_slice(&u16le(header));
    c.extend_from_slice(&u32le(start + data.len()));
    c.extend_from_slice(&u32le(strings.len()));
    c.extend_from_slice(&u32le(0));
    c.extend_from_slice(&u32le(0)); // flags: UTF-16
    c.extend_from_slice(&u32le(start));
    c.extend_from_slice(&u32le(0));
    for o in offsets {
        c.extend_from_slice(&u32le(o));
    }
    c.extend_from_slice(&data);
    c
}

/// Binary XML with one `<meta-data android:name=… android:value=…>` element.
fn axml_bytes(name: &str, value: &str) -> Vec<u8> {
    let pool = string_pool(&["meta-data", "name", "value", name, value]);
    let mut el = Vec::new();
    el.extend_from_slice(&u16le(0x0102));
    el.extend_from_slice(&u16le(16));
    el.extend_from_slice(&u32le(16 + 20 + 2 * 20));
    el.extend_from_slice(&u32le(1));
    el.extend_from_slice(&u32le(0xffff_ffff));
    el.extend_from_slice(&u32le(0xffff_ffff)); // ns
    el.extend_from_slice(&u32le(0)); // name: meta-data
    el.extend_from_slice(&u16le(20));
    el.extend_from_slice(&u16le(20));
    el.extend_from_slice(&u16le(2));
    el.extend_from_slice(&[0; 6]);
    for (attr, val) in [(1usize, 3usize), (2, 4)] {
        el.extend_from_slice(&u32le(0xffff_ffff));
        el.extend_from_slice(&u32le(attr));
        el.extend_from_slice(&u32le(val));
        el.extend_from_slice(&u16le(8));
        el.push(0);
        el.push(0x03);
        el.extend_from_slice(&u32le(val));
    }
    let mut b = Vec::new();
    b.extend_from_slice(&u16le(3));
    b.extend_from_slice(&u16le(8));
    b.extend_from_slice(&u32le(8 + pool.len() + el.len()));
    b.extend_from_slice(&pool);
    b.extend_from_slice(&el);
    b
}

fn arsc_bytes(strings: &[&str]) -> Vec<u8> {
    let pool = string_pool(strings);
    let mut b = Vec::new();
    b.extend_from_slice(&u16le(2));
    b.extend_from_slice(&u16le(12));
    b.extend_from_slice(&u32le(12 + pool.len()));
    b.extend_from_slice(&u32le(0));
    b.extend_from_slice(&pool);
    b
}

/// The distinct items, in first-seen order.
fn uniq<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut v = Vec::new();
    for x in items {
        if !v.contains(&x) {
            v.push(x);
        }
    }
    v
}

/// One resource of [`arsc_table`]: type name, entry name, string value and language
/// (`""` for the default configuration).
type Res<'a> = (&'a str, &'a str, &'a str, &'a str);

/// A resources.arsc with one package whose string resources are `res`, one type chunk per
/// (type, language), plus an entry with no value and a bag (complex) entry to be skipped.
pub fn arsc_table(res: &[Res<'_>]) -> Vec<u8> {
    let values = uniq(res.iter().map(|r| r.2));
    let types = uniq(res.iter().map(|r| r.0));
    let mut keys = uniq(res.iter().map(|r| r.1));
    keys.push("a_style");
    let (types_pool, keys_pool) = (string_pool(&types), string_pool(&keys));
    let mut chunks = Vec::new();
    let configs = uniq(res.iter().map(|r| (r.0, r.3)));
    for (ty, lang) in configs {
        let here: Vec<&Res<'_>> = res.iter().filter(|r| r.0 == ty && r.3 == lang).collect();
        // Every key gets a slot: its entry, or NO_ENTRY; the extra key is a bag.
        let config_size = 28;
        let header = 20 + config_size;
        let count = keys.len();
        let mut offsets = Vec::new();
        let mut entries = Vec::new();
        for (k, key) in keys.iter().enumerate() {
            if let Some(r) = here.iter().find(|r| r.1 == *key) {
                offsets.extend_from_slice(&u32le(entries.len()));
                entries.extend_from_slice(&u16le(8));
                entries.extend_from_slice(&u16le(0));
                entries.extend_from_slice(&u32le(k));
                entries.extend_from_slice(&u16le(8));
                entries.extend_from_slice(&[0, 0x03]);
                let v = values.iter().position(|x| *x == r.2).unwrap();
                entries.extend_from_slice(&u32le(v));
            } else if *key == "a_style" {
                offsets.extend_from_slice(&u32le(entries.len()));
                entries.extend_from_slice(&u16le(16));
                entries.extend_from_slice(&u16le(1)); // FLAG_COMPLEX
                entries.extend_from_slice(&u32le(k));
                entries.extend_from_slice(&u32le(0)); // parent
                entries.extend_from_slice(&u32le(0)); // no items
            } else {
                offsets.extend_from_slice(&u32le(0xffff_ffff));
            }
        }
        let mut c = Vec::new();
        c.extend_from_slice(&u16le(0x0201));
        c.extend_from_slice(&u16le(header));
        c.extend_from_slice(&u32le(header + offsets.len() + entries.len()));
        c.push(types.iter().position(|t| *t == ty).unwrap() as u8 + 1);
        c.extend_from_slice(&[0, 0, 0]);
        c.extend_from_slice(&u32le(count));
        c.extend_from_slice(&u32le(header + offsets.len()));
        let mut config = vec![0u8; config_size];
        config[..4].copy_from_slice(&u32le(config_size));
        config[8..8 + lang.len().min(2)].copy_from_slice(&lang.as_bytes()[..lang.len().min(2)]);
        c.extend_from_slice(&config);
        c.extend_from_slice(&offsets);
        c.extend_from_slice(&entries);
        chunks.extend_from_slice(&c);
    }
    let mut pkg = Vec::new();
    let pkg_header = 288;
    pkg.extend_from_slice(&u16le(0x0200));
    pkg.extend_from_slice(&u16le(pkg_header));
    pkg.extend_from_slice(&u32le(
        pkg_header + types_pool.len() + keys_pool.len() + chunks.len(),
    ));
    pkg.extend_from_slice(&u32le(0x7f));
    pkg.extend_from_slice(&[0; 256]);
    pkg.extend_from_slice(&u32le(pkg_header));
    pkg.extend_from_slice(&u32le(0));
    pkg.extend_from_slice(&u32le(pkg_header + types_pool.len()));
    pkg.extend_from_slice(&u32le(0));
    pkg.extend_from_slice(&u32le(0));
    pkg.extend_from_slice(&types_pool);
    pkg.extend_from_slice(&keys_pool);
    pkg.extend_from_slice(&chunks);
    let pool = string_pool(&values);
    let mut b = Vec::new();
    b.extend_from_slice(&u16le(2));
    b.extend_from_slice(&u16le(12));
    b.extend_from_slice(&u32le(12 + pool.len() + pkg.len()));
    b.extend_from_slice(&u32le(1));
    b.extend_from_slice(&pool);
    b.extend_from_slice(&pkg);
    b
}

fn scan_bytes(name: &str, bytes: &[u8], extra: &[&str]) -> (Value, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    let mut args = vec!["scan", name, "--format", "json", "--now", NOW];
    args.extend_from_slice(extra);
    let out = run_in(dir.path(), &args);
    let doc =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    (doc, out)
}

/// `(rule, location, detail)` of every finding.
fn located(doc: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let loc = f["location"].as_str().map_or_else(
                || {
                    format!(
                        "{}:{}:{}",
                        f["path"].as_str().unwrap(),
                        f["line"],
                        f["column"]
                    )
                },
                str::to_string,
            );
            (
                f["rule_id"].as_str().unwrap().to_string(),
                loc,
                f["detail"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn t(rule: &str, loc: &str, detail: &str) -> (String, String, String) {
    (rule.into(), loc.into(), detail.into())
}

#[test]
fn nested_zip_tar_gz_jar_reports_the_inner_location() {
    let jar = zip_bytes(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
        ("config/app.env", ENV.as_bytes()),
    ]);
    let tgz = gz_bytes(&tar_bytes(&[("lib/app.jar", &jar), ("README", b"hello\n")]));
    let outer = zip_bytes(&[("dist/bundle.tar.gz", &tgz)]);
    let (doc, out) = scan_bytes("release.zip", &outer, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        located(&doc),
        vec![t(
            "jwt.hmac-key.config",
            "release.zip!dist/bundle.tar.gz!bundle.tar!lib/app.jar!config/app.env:1:12",
            ""
        )]
    );
    assert_eq!(doc["findings"][0]["path"], "release.zip");
}

#[test]
fn apk_members_dex_manifest_and_resources() {
    let apk = zip_bytes(&[
        (
            "classes.dex",
            &dex_bytes(&["Landroid/app/Activity;", JWT, "onCreate"]),
        ),
        (
            "AndroidManifest.xml",
            &axml_bytes("com.example.API_TOKEN", JWT),
        ),
        ("resources.arsc", &arsc_bytes(&["app_name", JWT])),
        (
            "assets/index.android.bundle",
            format!("var a=1;var t=\"{JWT}\";").as_bytes(),
        ),
    ]);
    let (doc, _) = scan_bytes("app.apk", &apk, &[]);
    assert_eq!(
        located(&doc),
        vec![
            t(
                "jwt.token",
                "app.apk!AndroidManifest.xml:1:64",
                "xml offset 0x1dc"
            ),
            t("jwt.token", "app.apk!assets/index.android.bundle:1:16", ""),
            t("jwt.token", "app.apk!classes.dex:2:1", "dex string 1"),
            t(
                "jwt.token",
                "app.apk!resources.arsc:2:1",
                "resource string 1"
            ),
        ]
    );
}

#[test]
fn binary_plist_values_and_key_paths() {
    let mut dict = plist::Dictionary::new();
    let mut caf = plist::Dictionary::new();
    caf.insert(
        "CAF_TOKEN".into(),
        plist::Value::String("7e3f9a1c5b8d2e6f0a4c8b1d5e9f3a7c".into()),
    );
    dict.insert("CFBundleName".into(), plist::Value::String("App".into()));
    dict.insert("Config".into(), plist::Value::Dictionary(caf));
    let mut bin = Vec::new();
    plist::to_writer_binary(&mut bin, &plist::Value::Dictionary(dict)).unwrap();
    let ipa = zip_bytes(&[("Payload/App.app/Info.plist", &bin)]);
    let (doc, _) = scan_bytes("App.ipa", &ipa, &[]);
    assert_eq!(
        located(&doc),
        vec![t(
            "caf.token",
            "App.ipa!Payload/App.app/Info.plist:2:21",
            "key Config.CAF_TOKEN"
        )]
    );
}

#[test]
fn source_map_reports_the_original_source() {
    let map = serde_json::json!({
        "version": 3,
        "file": "main.js",
        "sources": ["webpack://app/src/config.ts", "webpack://app/src/util.ts"],
        "sourcesContent": ["// config\nexport const api = '/api';\nexport const JWT_SECRET = 'source-Map-Jwt-Secret-991';\n", "export const x = 1;\n"],
        "mappings": "AAAA"
    });
    let (doc, _) = scan_bytes("web/dist/main.js.map", map.to_string().as_bytes(), &[]);
    assert_eq!(
        located(&doc),
        vec![t(
            "jwt.hmac-key.config",
            "web/dist/main.js.map!webpack://app/src/config.ts:3:28",
            ""
        )]
    );
}

#[test]
fn native_library_strings_have_offsets() {
    let mut so = b"\x7fELF\x02\x01\x01\x00".to_vec();
    so.extend_from_slice(&[0u8; 40]);
    so.extend_from_slice(ENV.trim_end().as_bytes());
    so.extend_from_slice(&[0u8; 8]);
    let apk = zip_bytes(&[("lib/arm64-v8a/libnative.so", &so)]);
    let (doc, _) = scan_bytes("app.apk", &apk, &[]);
    assert_eq!(
        located(&doc),
        vec![t(
            "jwt.hmac-key.config",
            "app.apk!lib/arm64-v8a/libnative.so:1:12",
            "offset 0x30"
        )]
    );
}

struct Collect {
    text: Vec<(Option<String>, String)>,
    warnings: Vec<String>,
}

impl Visitor for Collect {
    fn piece(&mut self, p: Piece<'_>) {
        self.text.push((
            p.member.map(str::to_string),
            String::from_utf8_lossy(p.bytes).into_owned(),
        ));
    }
    fn warn(&mut self, m: String) {
        self.warnings.push(m);
    }
}

fn collect(name: &str, bytes: &[u8], limits: &Limits) -> Collect {
    let mut c = Collect {
        text: Vec::new(),
        warnings: Vec::new(),
    };
    expand(name, bytes, limits, &mut c);
    c
}

/// The text extracted from member `member` of the APK fixture `apk`.
fn member_text(apk: &str, member: &str) -> (String, Vec<String>) {
    let bytes = std::fs::read(fixtures(&format!("android/{apk}"))).unwrap();
    let c = collect(apk, &bytes, &Limits::default());
    let text = c
        .text
        .iter()
        .find(|(m, _)| m.as_deref() == Some(member))
        .map_or_else(|| panic!("{apk}!{member} read"), |(_, t)| t.clone());
    (text, c.warnings)
}

#[test]
fn real_apks_expose_their_dex_strings() {
    let (dex, _) = member_text("InsecureBankv2.apk", "classes.dex");
    assert!(dex.lines().any(|l| l == "This is the super secret key 123"));
    let (dex, warnings) = member_text("UnCrackable-Level1.apk", "classes.dex");
    assert!(dex.lines().any(|l| l == "8d127684cbc37c17616d806cf50473cc"));
    assert!(warnings.is_empty(), "{warnings:?}");
    let (manifest, _) = member_text("UnCrackable-Level1.apk", "AndroidManifest.xml");
    assert!(
        manifest.contains("<manifest"),
        "{}",
        &manifest[..200.min(manifest.len())]
    );
}

#[test]
fn zip_bomb_is_skipped_with_one_warning() {
    let zeros = vec![0u8; 50 * 1024 * 1024];
    let bomb = zip_bytes(&[("zeros.bin", &zeros), ("ok.env", ENV.as_bytes())]);
    assert!(bomb.len() < 200 * 1024, "small file, huge ratio");
    let (doc, out) = scan_bytes("bomb.zip", &bomb, &[]);
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bomb.zip!zeros.bin") && err.contains("zip bomb"),
        "{err}"
    );
    assert_eq!(located(&doc).len(), 1, "the other member is still scanned");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn deep_nesting_stops_at_the_depth_limit() {
    let mut inner = zip_bytes(&[("secret.env", ENV.as_bytes())]);
    for i in 0..100 {
        inner = zip_bytes(&[(&format!("level{i}.zip"), &inner)]);
    }
    let c = collect("deep.zip", &inner, &Limits::default());
    assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    assert!(c.warnings[0].contains("--archive-depth"));
    assert!(c.text.is_empty());
    let shallow = zip_bytes(&[("a.zip", &zip_bytes(&[("secret.env", ENV.as_bytes())]))]);
    let (doc, _) = scan_bytes("two.zip", &shallow, &[]);
    assert_eq!(
        located(&doc),
        vec![t(
            "jwt.hmac-key.config",
            "two.zip!a.zip!secret.env:1:12",
            ""
        )]
    );
}

#[test]
fn hostile_member_names_are_reported_not_resolved() {
    let z = zip_bytes(&[
        ("../../etc/passwd", ENV.as_bytes()),
        ("/abs/x.env", ENV.as_bytes()),
    ]);
    let (doc, _) = scan_bytes("evil.zip", &z, &[]);
    let locs: Vec<String> = located(&doc).into_iter().map(|x| x.1).collect();
    assert_eq!(
        locs,
        vec!["evil.zip!../../etc/passwd:1:12", "evil.zip!/abs/x.env:1:12"]
    );
    assert!(!std::path::Path::new("/etc/passwd.leakhound").exists());
}

#[test]
fn malformed_inputs_warn_and_never_panic() {
    let z = zip_bytes(&[("a.env", ENV.as_bytes())]);
    let truncated = &z[..z.len() / 2];
    let mut bogus_dex = dex_bytes(&["hello-world-string"]);
    bogus_dex[0x3c..0x40].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
    let mut cyclic = b"bplist00".to_vec();
    cyclic.extend_from_slice(&[0xa1, 0x00, 0x08, 0x0a]); // an array holding itself
    cyclic.extend_from_slice(&[0u8; 6]);
    cyclic.extend_from_slice(&[0, 1, 1, 0]);
    cyclic.extend_from_slice(&0u64.to_be_bytes());
    cyclic.extend_from_slice(&1u64.to_be_bytes());
    cyclic.extend_from_slice(&0u64.to_be_bytes());
    cyclic.extend_from_slice(&10u64.to_be_bytes());
    for (name, bytes) in [
        ("truncated.zip", truncated.to_vec()),
        ("classes.dex", bogus_dex),
        ("Info.plist", cyclic),
        ("x.tar.gz", gz_bytes(b"not a tar at all")[..10].to_vec()),
        (
            "AndroidManifest.xml",
            vec![3, 0, 8, 0, 0xff, 0xff, 0xff, 0x7f, 1, 0],
        ),
        ("resources.arsc", vec![2, 0, 12, 0, 0xff, 0xff]),
    ] {
        let c = collect(name, &bytes, &Limits::default());
        assert!(c.warnings.len() <= 1, "{name}: {:?}", c.warnings);
        let (_, out) = scan_bytes(name, &bytes, &[]);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{name}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).lines().count() <= 1,
            "{name}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn large_zip_members_are_scanned_in_parallel_with_the_same_results() {
    // Incompressible text so the archive passes the parallel threshold.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut noise = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if i % 80 == 79 {
                    b'\n'
                } else {
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                        [(state % 62) as usize]
                }
            })
            .collect()
    };
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..24 {
        let mut data = noise(600_000);
        if i % 6 == 0 {
            data.extend_from_slice(ENV.as_bytes());
        }
        entries.push((format!("assets/part{i:02}.txt"), data));
    }
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let big = zip_bytes(&refs);
    assert!(big.len() > leakhound::source::extract::PARALLEL_ZIP_BYTES);
    let (doc, out) = scan_bytes("big.apk", &big, &[]);
    assert_eq!(out.status.code(), Some(1));
    let locs: Vec<String> = located(&doc).into_iter().map(|x| x.1).collect();
    assert_eq!(
        locs,
        ["00", "06", "12", "18"]
            .iter()
            .map(|i| format!("big.apk!assets/part{i}.txt:7501:12"))
            .collect::<Vec<_>>()
    );
}

#[test]
fn encoded_secrets_are_located_at_their_source_bytes() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let cfg = b64.encode(br#"{"env":"prod","jwtSecret":"b64-Config-Jwt-Secret-77"}"#);
    let jwt = b64.encode(JWT.as_bytes());
    let nested = b64.encode(
        b64.encode(br#"{"jwtSecret":"twice-Encoded-Secret-88"}"#)
            .as_bytes(),
    );
    let js = format!(
        "const cfg = JSON.parse(atob(\"{cfg}\"));\nconst t = atob('{jwt}');\nfetch('/cb?next=a%26CAF_TOKEN%3D7e3f9a1c5b8d2e6f0a4c8b1d5e9f3a7c%26x%3D1');\nconst k = \"JWT_SECRET\\x3d9c4e1a7f3b8d2e6a0c5f9b1d4e8a2c6f\";\nconst n = \"{nested}\";\n"
    );
    let (doc, _) = scan_bytes("web/app.js", js.as_bytes(), &[]);
    assert_eq!(
        located(&doc),
        vec![
            t("caf.token", "web/app.js:3:33", "percent-decoded"),
            t("jwt.hmac-key.config", "web/app.js:1:30", "base64-decoded"),
            t("jwt.hmac-key.config", "web/app.js:4:26", "JS-unescaped"),
            t(
                "jwt.hmac-key.config",
                "web/app.js:5:12",
                "base64-decoded, base64-decoded"
            ),
            t("jwt.token", "web/app.js:2:17", "base64-decoded"),
        ]
    );
}

#[test]
fn inline_source_map_sources_are_scanned() {
    use base64::Engine;
    let map = serde_json::json!({
        "version": 3,
        "sources": ["src/keys.ts"],
        "sourcesContent": ["// keys\nexport const JWT_SIGNING_KEY = 'inline-Map-Signing-Key-5';\n"],
        "mappings": "AAAA"
    });
    let b64 = base64::engine::general_purpose::STANDARD.encode(map.to_string());
    let js = format!(
        "var a=1;\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,{b64}\n"
    );
    let (doc, _) = scan_bytes("dist/main.js", js.as_bytes(), &[]);
    assert_eq!(
        located(&doc),
        vec![t(
            "jwt.hmac-key.config",
            "dist/main.js!(inline source map)!src/keys.ts:2:33",
            ""
        )]
    );
}

#[test]
fn electron_asar_and_chrome_extension() {
    let env = ENV.as_bytes();
    let json = format!(
        r#"{{"files":{{"resources":{{"files":{{"config.env":{{"size":{},"offset":"0"}}}}}}}}}}"#,
        env.len()
    );
    let padded = json.len().div_ceil(4) * 4;
    let header = 8 + padded;
    let mut asar = Vec::new();
    asar.extend_from_slice(&u32le(4));
    asar.extend_from_slice(&u32le(header));
    asar.extend_from_slice(&u32le(header - 4));
    asar.extend_from_slice(&u32le(json.len()));
    asar.extend_from_slice(json.as_bytes());
    asar.resize(16 + padded, 0);
    asar.extend_from_slice(env);
    let (doc, _) = scan_bytes("app.asar", &asar, &[]);
    assert_eq!(
        located(&doc),
        vec![t(
            "jwt.hmac-key.config",
            "app.asar!resources/config.env:1:12",
            ""
        )]
    );

    let mut crx = b"Cr24".to_vec();
    crx.extend_from_slice(&u32le(3));
    crx.extend_from_slice(&u32le(8));
    crx.extend_from_slice(&[0u8; 8]);
    crx.extend_from_slice(&zip_bytes(&[(
        "background.js",
        format!("const t = \"{JWT}\";").as_bytes(),
    )]));
    let (doc, _) = scan_bytes("ext.crx", &crx, &[]);
    assert_eq!(
        located(&doc),
        vec![t("jwt.token", "ext.crx!background.js:1:12", "")]
    );
}

#[test]
fn archives_committed_to_git_are_opened_too() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        git_ok(dir.path(), args);
    };
    git(&["init", "-q"]);
    std::fs::write(
        dir.path().join("release.jar"),
        zip_bytes(&[(
            "application.properties",
            b"jwt.secret=springPropsJwtSecret2024xyz\n",
        )]),
    )
    .unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "add jar"]);
    git(&["rm", "-q", "release.jar"]);
    git(&["commit", "-q", "-m", "remove jar"]);
    let out = run(&["git", dir.path().to_str().unwrap(), "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        located(&doc),
        vec![t(
            "jwt.hmac-key.config",
            "release.jar!application.properties:1:12",
            ""
        )]
    );
}

#[test]
fn compiled_resources_keep_their_names() {
    let arsc = arsc_table(&[
        ("string", "app_name", "Shop", ""),
        ("string", "Access_Key", "AKIA2E7A3F3B2Q4CZ6Y6", ""),
        (
            "string",
            "Secret_Key",
            "m4Qz8Lx2Wq7Tp9Kv1Rn5Bc3Jh6Fd0Gs2Ay7Xe4Uk",
            "",
        ),
        ("string", "loginscreen_password", "Password:", ""),
        ("string", "loginscreen_password", "Passwort:", "de"),
        ("string", "server_password", "Zq7#Lm2Wx9Tp4Kv8", "de"),
        (
            "string",
            "google_api_key",
            "AIzaSyB3kLm9Qx2Wv7Tz4Rp8Kv1Nb5Jh3Fd6Gs0",
            "",
        ),
    ]);
    let apk = zip_bytes(&[("resources.arsc", &arsc)]);
    let (doc, _) = scan_bytes("app.apk", &apk, &[]);
    // The AWS pair as an app ships it: the id (medium) and, read with it, the secret key
    // (critical); the Google key is a provider key, public by design (low).
    assert_eq!(
        located(&doc),
        vec![
            t(
                "aws.access-key-id",
                "app.apk!resources.arsc:2:22",
                "string/Access_Key"
            ),
            t(
                "aws.key-pair",
                "app.apk!resources.arsc:3:22",
                "string/Secret_Key"
            ),
            t(
                "generic.password",
                "app.apk!resources.arsc:7:32",
                "[de] string/server_password"
            ),
            t(
                "google.api-key",
                "app.apk!resources.arsc:5:26",
                "string/google_api_key"
            ),
        ]
    );
    let severity = |rule: &str| {
        findings(&doc)
            .iter()
            .find(|f| f["rule_id"] == rule)
            .map(|f| field(f, "severity"))
    };
    assert_eq!(severity("aws.key-pair").as_deref(), Some("critical"));
    assert_eq!(severity("google.api-key").as_deref(), Some("low"));
}

#[test]
fn an_apk_counts_its_binary_members_as_unpacked_files_would() {
    for (apk, want) in [("InsecureBankv2.apk", 317), ("UnCrackable-Level1.apk", 1)] {
        let path = fixtures("android").join(apk);
        let (packed, _) = scan_json(&path, &[]);
        let dir = tempfile::tempdir().unwrap();
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        zip.extract(dir.path()).unwrap();
        let (unpacked, _) = scan_json(dir.path(), &[]);
        assert_eq!(packed["summary"]["binary_skipped"], want, "{apk}");
        assert_eq!(
            unpacked["summary"]["binary_skipped"], want,
            "{apk} unpacked"
        );
    }
}

/// What follows a secret in a decoded binary is whatever the format stores next: a NUL that
/// ends a string-pool entry, a control byte, UTF-16 padding. No rule may depend on it.
#[test]
fn secrets_end_where_the_binary_says_whatever_follows() {
    const GH: &str = "ghp_4Rt9YpQ2mZ8sLk3VwB7nXc1JfH6dG0aE5uT2";
    for tail in ["\0", "\u{1}", "\u{1}tail"] {
        for secret in [GH, JWT] {
            let text = format!("{secret}{tail}");
            let utf16: Vec<u8> = format!("{secret}\0")
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .chain([0, 0, 0, 0])
                .collect();
            let mut elf = b"\x7fELF\x02\x01\x01\0\0\0".to_vec();
            elf.extend_from_slice(text.as_bytes());
            elf.extend_from_slice(b"\0\x01\x02");
            let mut elf16 = b"\x7fELF\x02\x01\x01\0\0\x03".to_vec();
            elf16.extend_from_slice(&utf16);
            let apk = zip_bytes(&[
                ("classes.dex", &dex_bytes(&["Lx;", &text])),
                ("AndroidManifest.xml", &axml_bytes("com.acme.KEY", &text)),
                ("resources.arsc", &arsc_bytes(&["app_name", &text])),
                ("lib/arm64-v8a/libapp.so", &elf),
                ("lib/arm64-v8a/libutf16.so", &elf16),
            ]);
            let (doc, _) = scan_bytes("app.apk", &apk, &[]);
            let mut members: Vec<String> = doc["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["member"].as_str().unwrap().to_string())
                .collect();
            members.sort();
            assert_eq!(
                members,
                [
                    "AndroidManifest.xml",
                    "classes.dex",
                    "lib/arm64-v8a/libapp.so",
                    "lib/arm64-v8a/libutf16.so",
                    "resources.arsc"
                ],
                "{secret:.8} followed by {tail:?}: {doc:#}"
            );
        }
    }
}
