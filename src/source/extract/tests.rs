//! Property tests for every extractor: valid seeds of each format, randomly mutated and cut,
//! and plain random bytes behind each magic number, must never panic and never produce more
//! than the input itself plus the input's budget.

use super::*;
use proptest::prelude::*;
use std::io::Write;

/// Records what expansion produced.
#[derive(Default)]
struct Tally {
    bytes: u64,
    pieces: usize,
    warnings: Vec<String>,
}

impl Visitor for Tally {
    fn piece(&mut self, piece: Piece<'_>) {
        self.bytes += piece.bytes.len() as u64;
        self.pieces += 1;
        // Labels are rendered for a few offsets, as the scanner does for findings.
        if let Some(describe) = piece.detail {
            for o in [
                0,
                piece.bytes.len() / 2,
                piece.bytes.len().saturating_sub(1),
            ] {
                describe(o);
            }
        }
    }

    fn warn(&mut self, message: String) {
        assert!(!message.contains('\n'), "one line: {message:?}");
        self.warnings.push(message);
    }
}

/// Small limits, so a mutation that reaches one shows in a few kilobytes.
fn small() -> Limits {
    Limits {
        max_depth: 3,
        max_entries: 64,
        max_entry_bytes: 256 * 1024,
        max_total_bytes: 512 * 1024,
        max_ratio: 50,
        ..Limits::default()
    }
}

/// Expands `bytes` and checks the bounds every input must keep.
fn check(name: &str, bytes: &[u8], limits: &Limits) -> Tally {
    let mut t = Tally::default();
    expand(name, bytes, limits, &mut t);
    assert!(
        t.bytes <= limits.max_total_bytes + bytes.len() as u64,
        "{name}: produced {} bytes from {}",
        t.bytes,
        bytes.len()
    );
    assert!(t.warnings.len() <= MAX_WARNINGS + 1, "{:?}", t.warnings);
    t
}

fn u16le(v: usize) -> [u8; 2] {
    (v as u16).to_le_bytes()
}

fn u32le(v: usize) -> [u8; 4] {
    (v as u32).to_le_bytes()
}

fn dex(strings: &[&str]) -> Vec<u8> {
    let mut b = vec![0u8; 0x70];
    b[..8].copy_from_slice(b"dex\n035\0");
    b[0x38..0x3c].copy_from_slice(&u32le(strings.len()));
    b[0x3c..0x40].copy_from_slice(&u32le(0x70));
    let data_off = 0x70 + 4 * strings.len();
    let mut data = Vec::new();
    for s in strings {
        b.extend_from_slice(&u32le(data_off + data.len()));
        data.push(s.len() as u8);
        data.extend_from_slice(s.as_bytes());
        data.push(0);
    }
    b.extend_from_slice(&data);
    b
}

/// A ResStringPool, UTF-16 or UTF-8.
fn pool(strings: &[&str], utf8: bool) -> Vec<u8> {
    let mut data = Vec::new();
    let mut offsets = Vec::new();
    for s in strings {
        offsets.push(data.len());
        if utf8 {
            data.push(s.chars().count() as u8);
            data.push(s.len() as u8);
            data.extend_from_slice(s.as_bytes());
            data.push(0);
        } else {
            let units: Vec<u16> = s.encode_utf16().collect();
            data.extend_from_slice(&u16le(units.len()));
            for u in units {
                data.extend_from_slice(&u.to_le_bytes());
            }
            data.extend_from_slice(&[0, 0]);
        }
    }
    let start = 28 + 4 * strings.len();
    let mut c = Vec::new();
    c.extend_from_slice(&u16le(1));
    c.extend_from_slice(&u16le(28));
    c.extend_from_slice(&u32le(start + data.len()));
    c.extend_from_slice(&u32le(strings.len()));
    c.extend_from_slice(&u32le(0));
    c.extend_from_slice(&u32le(if utf8 { 0x100 } else { 0 }));
    c.extend_from_slice(&u32le(start));
    c.extend_from_slice(&u32le(0));
    for o in offsets {
        c.extend_from_slice(&u32le(o));
    }
    c.extend_from_slice(&data);
    c
}

fn axml() -> Vec<u8> {
    let p = pool(
        &["meta-data", "name", "value", "API_KEY", "secret-value"],
        false,
    );
    let mut el = Vec::new();
    el.extend_from_slice(&u16le(0x0102));
    el.extend_from_slice(&u16le(16));
    el.extend_from_slice(&u32le(16 + 20 + 2 * 20));
    el.extend_from_slice(&u32le(1));
    el.extend_from_slice(&u32le(0xffff_ffff));
    el.extend_from_slice(&u32le(0xffff_ffff));
    el.extend_from_slice(&u32le(0));
    el.extend_from_slice(&u16le(20));
    el.extend_from_slice(&u16le(20));
    el.extend_from_slice(&u16le(2));
    el.extend_from_slice(&[0; 6]);
    for (attr, val, kind) in [(1usize, 3usize, 0x03u8), (2, 4, 0x12)] {
        el.extend_from_slice(&u32le(0xffff_ffff));
        el.extend_from_slice(&u32le(attr));
        el.extend_from_slice(&u32le(if kind == 0x03 { val } else { 0xffff_ffff }));
        el.extend_from_slice(&u16le(8));
        el.push(0);
        el.push(kind);
        el.extend_from_slice(&u32le(val));
    }
    let mut b = Vec::new();
    b.extend_from_slice(&u16le(3));
    b.extend_from_slice(&u16le(8));
    b.extend_from_slice(&u32le(8 + p.len() + el.len()));
    b.extend_from_slice(&p);
    b.extend_from_slice(&el);
    b
}

fn arsc() -> Vec<u8> {
    let p = pool(&["app_name", "api_key", "déjà vu"], true);
    let mut b = Vec::new();
    b.extend_from_slice(&u16le(2));
    b.extend_from_slice(&u16le(12));
    b.extend_from_slice(&u32le(12 + p.len()));
    b.extend_from_slice(&u32le(0));
    b.extend_from_slice(&p);
    b
}

fn plist_value() -> plist::Value {
    let mut inner = plist::Dictionary::new();
    inner.insert("ApiKey".into(), plist::Value::String("k-123".into()));
    inner.insert(
        "List".into(),
        plist::Value::Array(vec![
            plist::Value::String("a".into()),
            plist::Value::Data(b"bytes".to_vec()),
            plist::Value::Integer(7.into()),
            plist::Value::Array(vec![plist::Value::Boolean(true)]),
        ]),
    );
    let mut root = plist::Dictionary::new();
    root.insert("Name".into(), plist::Value::String("App".into()));
    root.insert("Config".into(), plist::Value::Dictionary(inner));
    plist::Value::Dictionary(root)
}

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = ::zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = ::zip::write::SimpleFileOptions::default()
        .compression_method(::zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = ::tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = ::tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn asar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut entries = Vec::new();
    let mut offset = 0;
    for (name, data) in files {
        entries.push(format!(
            "\"{name}\":{{\"size\":{},\"offset\":\"{offset}\"}}",
            data.len()
        ));
        offset += data.len();
    }
    let json = format!(
        "{{\"files\":{{\"dir\":{{\"files\":{{{}}}}}}}}}",
        entries.join(",")
    );
    let padded = json.len().div_ceil(4) * 4;
    let mut a = Vec::new();
    a.extend_from_slice(&u32le(4));
    a.extend_from_slice(&u32le(padded + 8));
    a.extend_from_slice(&u32le(padded + 4));
    a.extend_from_slice(&u32le(json.len()));
    a.extend_from_slice(json.as_bytes());
    a.resize(16 + padded, 0);
    for (_, data) in files {
        a.extend_from_slice(data);
    }
    a
}

/// One valid input of every format, named so it is classified as that format.
fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let text: &[u8] = b"API_KEY=abc123\nname=value\n";
    let mut bplist = Vec::new();
    plist::to_writer_binary(&mut bplist, &plist_value()).unwrap();
    let mut xplist = Vec::new();
    plist::to_writer_xml(&mut xplist, &plist_value()).unwrap();
    let dex = dex(&["Lcom/example/App;", "api-key-value", "onCreate"]);
    let so = {
        let mut b = b"\x7fELF\0\0\0\0printable-run-here\0".to_vec();
        b.extend("utf16-run-here".bytes().flat_map(|c| [c, 0]));
        b
    };
    let map = br#"{"version":3,"sourceRoot":"src/","sources":["a.js",null],"sourcesContent":["var k = 1;",null,"x"],"mappings":"AAAA"}"#.to_vec();
    vec![
        ("classes.dex", dex.clone()),
        ("code.dex", super::dex::tests::sample()),
        ("AndroidManifest.xml", axml()),
        ("resources.arsc", arsc()),
        ("Info.plist", bplist),
        ("Settings.plist", xplist),
        ("app.js.map", map.clone()),
        ("lib.so", so.clone()),
        (
            "app.apk",
            zip(&[
                ("classes.dex", &dex),
                ("AndroidManifest.xml", &axml()),
                ("a.txt", text),
            ]),
        ),
        ("bundle.tar", tar(&[("a.txt", text), ("lib.so", &so)])),
        ("data.txt.gz", gz(text)),
        ("app.tgz", gz(&tar(&[("m.js.map", &map)]))),
        ("app.asar", asar(&[("a.txt", text), ("b.txt", text)])),
        ("Acme", FIXTURE_MACHO.to_vec()),
        ("index.android.bundle", FIXTURE_HERMES.to_vec()),
        ("libapp.so", FIXTURE_DART.to_vec()),
    ]
}

/// Binaries laid out as apps ship them, written by `tests/tools/make_binaries.py`.
const FIXTURE_MACHO: &[u8] = include_bytes!("../../../fixtures/binaries/Acme");
const FIXTURE_HERMES: &[u8] = include_bytes!("../../../fixtures/binaries/index.android.bundle");
const FIXTURE_DART: &[u8] = include_bytes!("../../../fixtures/binaries/libapp.so");

#[test]
fn seeds_decode_as_their_format() {
    for (name, bytes) in seeds() {
        let t = check(name, &bytes, &Limits::default());
        assert!(t.warnings.is_empty(), "{name}: {:?}", t.warnings);
        assert!(t.pieces > 0, "{name}: nothing produced");
    }
}

#[test]
fn plist_labels_render_key_paths() {
    let mut bin = Vec::new();
    plist::to_writer_binary(&mut bin, &plist_value()).unwrap();
    struct Keys(Vec<String>, String);
    impl Visitor for Keys {
        fn piece(&mut self, piece: Piece<'_>) {
            self.1 = String::from_utf8_lossy(piece.bytes).into_owned();
            let describe = piece.detail.unwrap();
            let mut start = 0;
            for line in piece.bytes.split_inclusive(|&b| b == b'\n') {
                self.0.push(describe(start));
                start += line.len();
            }
        }
        fn warn(&mut self, m: String) {
            panic!("{m}");
        }
    }
    let mut k = Keys(Vec::new(), String::new());
    expand("Info.plist", &bin, &Limits::default(), &mut k);
    assert_eq!(
        k.1,
        "Name = \"App\"\nConfig.ApiKey = \"k-123\"\nConfig.List.0 = \"a\"\nConfig.List.1 = \"bytes\"\n"
    );
    assert_eq!(
        k.0,
        [
            "key Name",
            "key Config.ApiKey",
            "key Config.List.0",
            "key Config.List.1"
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    /// A seed with up to 24 bytes overwritten (often length and offset fields, since the
    /// seeds are small) and possibly cut short.
    #[test]
    fn mutated_seeds_stay_within_the_budget(
        which in 0usize..32,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..24),
        cut in proptest::option::of(any::<usize>()),
    ) {
        let all = seeds();
        let (name, mut bytes) = all[which % all.len()].clone();
        for (at, byte) in edits {
            let n = bytes.len();
            bytes[at % n] = byte;
        }
        if let Some(c) = cut {
            bytes.truncate(c % (bytes.len() + 1));
        }
        check(name, &bytes, &small());
    }

    /// Random bytes behind each format's magic number.
    #[test]
    fn random_bodies_stay_within_the_budget(
        which in 0usize..32,
        body in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let all = seeds();
        let (name, seed) = &all[which % all.len()];
        let mut bytes = seed[..seed.len().min(16)].to_vec();
        bytes.extend_from_slice(&body);
        check(name, &bytes, &small());
    }
}

/// A member whose name holds a line break and whose data does not inflate: the warning names
/// it on one line (proptest found the raw name in a warning).
#[test]
fn a_bad_member_with_a_control_character_in_its_name_warns_on_one_line() {
    let mut z = zip(&[("\nlasses.dex", &[b'a'; 4096])]);
    let data = 30
        + u16::from_le_bytes([z[26], z[27]]) as usize
        + u16::from_le_bytes([z[28], z[29]]) as usize;
    z[data] = 0xff;
    let t = check("app.apk", &z, &Limits::default());
    assert_eq!(t.warnings.len(), 1, "{:?}", t.warnings);
    assert!(
        t.warnings[0].starts_with("app.apk!_lasses.dex: "),
        "{:?}",
        t.warnings
    );
}
