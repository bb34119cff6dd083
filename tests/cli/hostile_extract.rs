//! Hostile inputs for the extractors (issue 10): one generated case per parser and per
//! crafted input that used to abort or hang a scan. Each runs under [`run_hostile`]'s 1 GiB
//! address space and 60 s, and asserts the scan ends normally, names the input in a warning,
//! still reports the secret in the sibling file and, where the input has a normal part, the
//! secret there too.

use crate::helpers::*;
use serde_json::Value;
use std::io::Write;

/// The secret planted in the normal part of each hostile input, as a line of source.
const LINE: &str = "const token = \"ghp_R8xYq2mZkT4vWn6pLs9dHj3fGb7cQa1eUo5i\";";

fn u16le(v: usize) -> [u8; 2] {
    (v as u16).to_le_bytes()
}

fn u32le(v: usize) -> [u8; 4] {
    (v as u32).to_le_bytes()
}

/// Asserts `SIBLING`'s rule was also reported in a path ending with `path` (the hostile
/// input itself, its normal part).
fn assert_found(run: &Limited, path: &str, member: &str) {
    let doc: Value = serde_json::from_slice(&run.out.stdout).unwrap();
    let hit = doc["findings"].as_array().unwrap().iter().any(|f| {
        f["rule_id"] == SIBLING.2
            && f["path"].as_str().is_some_and(|p| p.ends_with(path))
            && f["member"].as_str().unwrap_or("") == member
    });
    assert!(
        hit,
        "{} in {path} member {member:?} not reported\nstdout: {}\nstderr: {}",
        SIBLING.2,
        stdout(&run.out),
        stderr(&run.out)
    );
}

/// Scans a directory holding `name` = `bytes` and the sibling, and checks the common outcome.
fn survive(name: &str, bytes: &[u8], warning: &str, extra: &[&str]) -> Limited {
    let dir = hostile_tree(name, bytes);
    let run = scan_hostile(dir.path(), extra);
    assert_survives(&run, warning, SIBLING.2, SIBLING.0);
    run
}

// ---- DEX ---------------------------------------------------------------------------------

/// A DEX whose string ids are `offsets` into `data` (placed right after the id table).
fn dex(ids: &[usize], data: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 0x70];
    b[..8].copy_from_slice(b"dex\n035\0");
    b[0x38..0x3c].copy_from_slice(&u32le(ids.len()));
    b[0x3c..0x40].copy_from_slice(&u32le(0x70));
    let base = 0x70 + 4 * ids.len();
    for &o in ids {
        b.extend_from_slice(&u32le(base + o));
    }
    b.extend_from_slice(data);
    b
}

/// A DEX string: uleb128 length, the bytes, NUL.
fn dex_string(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut n = s.len();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        out.push(if n > 0 { byte | 0x80 } else { byte });
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(s);
    out.push(0);
    out
}

#[test]
fn dex_200k_string_ids_on_one_1mib_string() {
    let mut data = dex_string(LINE.as_bytes());
    let long = data.len();
    data.extend(dex_string(&vec![b'a'; 1 << 20]));
    let mut ids = vec![0];
    ids.extend(std::iter::repeat_n(long, 200_000));
    let run = survive(
        "classes.dex",
        &dex(&ids, &data),
        "classes.dex: decoded text reached",
        &[],
    );
    assert_found(&run, "classes.dex", "");
}

// ---- Android binary XML and resources ----------------------------------------------------

/// A UTF-16 ResStringPool: `strings` laid out once, then `ids` (indexes into `strings`).
fn pool(strings: &[Vec<u16>], ids: &[usize]) -> Vec<u8> {
    let mut data = Vec::new();
    let mut offsets = Vec::new();
    for s in strings {
        offsets.push(data.len());
        if s.len() >= 0x8000 {
            data.extend_from_slice(&u16le(0x8000 | (s.len() >> 16)));
            data.extend_from_slice(&u16le(s.len() & 0xffff));
        } else {
            data.extend_from_slice(&u16le(s.len()));
        }
        for u in s {
            data.extend_from_slice(&u.to_le_bytes());
        }
        data.extend_from_slice(&[0, 0]);
    }
    let header = 28;
    let start = header + 4 * ids.len();
    let mut c = Vec::new();
    c.extend_from_slice(&u16le(1));
    c.extend_from_slice(&u16le(header));
    c.extend_from_slice(&u32le(start + data.len()));
    c.extend_from_slice(&u32le(ids.len()));
    c.extend_from_slice(&u32le(0));
    c.extend_from_slice(&u32le(0)); // flags: UTF-16
    c.extend_from_slice(&u32le(start));
    c.extend_from_slice(&u32le(0));
    for &i in ids {
        c.extend_from_slice(&u32le(offsets[i]));
    }
    c.extend_from_slice(&data);
    c
}

fn utf16(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// A start-element chunk body (after its 16-byte chunk header): name, then `attrs`
/// (name, value) as string references, each attribute 20 bytes.
fn element_body(name: usize, attrs: &[(usize, usize)]) -> Vec<u8> {
    let mut el = Vec::new();
    el.extend_from_slice(&u32le(0xffff_ffff)); // ns
    el.extend_from_slice(&u32le(name));
    el.extend_from_slice(&u16le(20)); // attribute start
    el.extend_from_slice(&u16le(20)); // attribute size
    el.extend_from_slice(&u16le(attrs.len()));
    el.extend_from_slice(&[0; 6]);
    for &(attr, val) in attrs {
        el.extend_from_slice(&u32le(0xffff_ffff));
        el.extend_from_slice(&u32le(attr));
        el.extend_from_slice(&u32le(val));
        el.extend_from_slice(&u16le(8));
        el.push(0);
        el.push(0x03);
        el.extend_from_slice(&u32le(val));
    }
    el
}

/// A start-element chunk: 16-byte header, then the body.
fn element(name: usize, attrs: &[(usize, usize)]) -> Vec<u8> {
    let body = element_body(name, attrs);
    let mut el = Vec::new();
    el.extend_from_slice(&u16le(0x0102));
    el.extend_from_slice(&u16le(16));
    el.extend_from_slice(&u32le(16 + body.len()));
    el.extend_from_slice(&u32le(1)); // line number
    el.extend_from_slice(&u32le(0xffff_ffff)); // comment
    el.extend_from_slice(&body);
    el
}

/// A file of chunk type `kind` holding `pool` and then `rest`.
fn chunked(kind: usize, header: usize, pool: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&u16le(kind));
    b.extend_from_slice(&u16le(header));
    b.extend_from_slice(&u32le(header + pool.len() + rest.len()));
    b.resize(header, 0);
    b.extend_from_slice(pool);
    b.extend_from_slice(rest);
    b
}

/// Strings 0..3 of every binary XML case: element and attribute names and the secret.
fn manifest_strings() -> Vec<Vec<u16>> {
    vec![
        utf16("meta-data"),
        utf16("name"),
        utf16("value"),
        utf16(LINE),
    ]
}

/// The normal element: `<meta-data android:name="name" android:value="{LINE}">`.
fn meta_data() -> Vec<u8> {
    element(0, &[(1, 1), (2, 3)])
}

#[test]
fn axml_100k_pool_ids_on_one_1mb_string() {
    let mut strings = manifest_strings();
    strings.push(vec![u16::from(b'a'); 512 * 1024]);
    let mut ids = vec![0, 1, 2, 3];
    ids.extend(std::iter::repeat_n(4, 100_000));
    let axml = chunked(3, 8, &pool(&strings, &ids), &meta_data());
    let run = survive(
        "AndroidManifest.xml",
        &axml,
        "AndroidManifest.xml: decoded text reached",
        &[],
    );
    assert_found(&run, "AndroidManifest.xml", "");
}

#[test]
fn axml_tiny_chunks_reuse_one_element_with_1024_attributes_on_a_100kb_string() {
    let mut strings = manifest_strings();
    strings.push(vec![u16::from(b'n'); 50 * 1024]);
    let p = pool(&strings, &[0, 1, 2, 3, 4]);
    // The normal element, then 1,000 eight-byte chunks whose headers all point at one body
    // further on: 1,024 attributes, each named by the long string.
    let mut rest = meta_data();
    let tiny = 1000;
    let body = element_body(0, &vec![(4, 4); 1024]);
    for i in 0..tiny {
        rest.extend_from_slice(&u16le(0x0102));
        rest.extend_from_slice(&u16le(8 * (tiny - i)));
        rest.extend_from_slice(&u32le(8));
    }
    rest.extend_from_slice(&body);
    let axml = chunked(3, 8, &p, &rest);
    assert!(axml.len() < 300_000);
    let run = survive(
        "AndroidManifest.xml",
        &axml,
        "AndroidManifest.xml: decoded text reached",
        &[],
    );
    assert_found(&run, "AndroidManifest.xml", "");
}

#[test]
fn arsc_pool_with_1m_ids_on_one_32kb_string() {
    let strings = vec![utf16(LINE), vec![u16::from(b'r'); 16 * 1024]];
    let mut ids = vec![0];
    ids.extend(std::iter::repeat_n(1, 1_000_000));
    let arsc = chunked(2, 12, &pool(&strings, &ids), &[]);
    let run = survive(
        "resources.arsc",
        &arsc,
        "resources.arsc: decoded text reached",
        &[],
    );
    assert_found(&run, "resources.arsc", "");
}

#[test]
fn arsc_table_with_200k_entries_naming_one_32kb_key() {
    // Every entry of one type chunk is the same entry, whose key is 32 KB long: the named
    // lines would be 6 GB, and the table is read once, within the member's decoded limit.
    let n = 200_000;
    let types = pool(&[utf16("string")], &[0]);
    let keys = pool(&[vec![u16::from(b'k'); 16 * 1024]], &[0]);
    let header = 48;
    let mut ty = Vec::new();
    ty.extend_from_slice(&u16le(0x0201));
    ty.extend_from_slice(&u16le(header));
    ty.extend_from_slice(&u32le(header + 4 * n + 16));
    ty.extend_from_slice(&[1, 0, 0, 0]);
    ty.extend_from_slice(&u32le(n));
    ty.extend_from_slice(&u32le(header + 4 * n));
    let mut config = vec![0u8; 28];
    config[..4].copy_from_slice(&u32le(28));
    ty.extend_from_slice(&config);
    for _ in 0..n {
        ty.extend_from_slice(&u32le(0));
    }
    ty.extend_from_slice(&u16le(8));
    ty.extend_from_slice(&u16le(0));
    ty.extend_from_slice(&u32le(0));
    ty.extend_from_slice(&u16le(8));
    ty.extend_from_slice(&[0, 0x03]);
    ty.extend_from_slice(&u32le(0));
    let mut pkg = Vec::new();
    pkg.extend_from_slice(&u16le(0x0200));
    pkg.extend_from_slice(&u16le(288));
    pkg.extend_from_slice(&u32le(288 + types.len() + keys.len() + ty.len()));
    pkg.extend_from_slice(&u32le(0x7f));
    pkg.extend_from_slice(&[0; 256]);
    pkg.extend_from_slice(&u32le(288));
    pkg.extend_from_slice(&u32le(0));
    pkg.extend_from_slice(&u32le(288 + types.len()));
    pkg.extend_from_slice(&[0; 8]);
    pkg.extend_from_slice(&types);
    pkg.extend_from_slice(&keys);
    pkg.extend_from_slice(&ty);
    let arsc = chunked(2, 12, &pool(&[utf16(LINE)], &[0]), &pkg);
    let run = survive(
        "resources.arsc",
        &arsc,
        "resources.arsc: decoded text reached",
        &[],
    );
    assert_found(&run, "resources.arsc", "");
}

// ---- DER keys in binaries -----------------------------------------------------------------

#[test]
fn binary_of_100k_der_key_lookalikes() {
    // Every 10 bytes a SEQUENCE of 16 KB announcing a PKCS#1 key: each would be parsed.
    let mut bin = b"\x7fELF\x02\x01\x01\0".to_vec();
    for _ in 0..100_000 {
        bin.extend_from_slice(&[0x30, 0x82, 0x3f, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x05]);
    }
    bin.extend_from_slice(LINE.as_bytes());
    let run = survive(
        "libfake.so",
        &bin,
        "libfake.so: more than 256 DER key candidates",
        &[],
    );
    assert_found(&run, "libfake.so", "");
}

// ---- Property lists ----------------------------------------------------------------------

#[test]
fn xml_plist_nested_60k_arrays_deep() {
    let depth = 60_000;
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n",
    );
    x.push_str(&format!(
        "<key>token</key><string>{}</string>\n",
        xml_escape(LINE)
    ));
    x.push_str("<key>deep</key>");
    x.push_str(&"<array>".repeat(depth));
    x.push_str(&"</array>".repeat(depth));
    x.push_str("\n</dict>\n</plist>\n");
    let run = survive(
        "Info.plist",
        x.as_bytes(),
        "Info.plist: plist nested deeper than 64 (--max-nesting); scanned as text",
        &[],
    );
    assert_found(&run, "Info.plist", "");
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

/// A binary plist of `objects` (each already encoded, refs 4 bytes wide), root object 0.
fn bplist(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut b = b"bplist00".to_vec();
    let mut offsets = Vec::new();
    for o in objects {
        offsets.push(b.len());
        b.extend_from_slice(o);
    }
    let table = b.len();
    for o in offsets {
        b.extend_from_slice(&(o as u32).to_be_bytes());
    }
    b.extend_from_slice(&[0; 6]);
    b.push(4); // offset size
    b.push(4); // ref size
    b.extend_from_slice(&(objects.len() as u64).to_be_bytes());
    b.extend_from_slice(&0u64.to_be_bytes());
    b.extend_from_slice(&(table as u64).to_be_bytes());
    b
}

/// A binary plist object marker with a length: short form, or 0xF then an int.
fn marker(kind: u8, len: usize) -> Vec<u8> {
    if len < 15 {
        vec![kind << 4 | len as u8]
    } else {
        let mut m = vec![kind << 4 | 0xf, 0x12];
        m.extend_from_slice(&(len as u32).to_be_bytes());
        m
    }
}

fn bp_string(s: &[u8]) -> Vec<u8> {
    let mut o = marker(5, s.len());
    o.extend_from_slice(s);
    o
}

fn bp_refs(kind: u8, refs: &[usize]) -> Vec<u8> {
    let n = if kind == 0xd {
        refs.len() / 2
    } else {
        refs.len()
    };
    let mut o = marker(kind, n);
    for &r in refs {
        o.extend_from_slice(&(r as u32).to_be_bytes());
    }
    o
}

/// Root dictionary `{token: LINE, deep: object 4}`, objects 0..4; the caller adds from 4 on.
fn bplist_root() -> Vec<Vec<u8>> {
    vec![
        bp_refs(0xd, &[1, 2, 3, 4]),
        bp_string(b"token"),
        bp_string(b"deep"),
        bp_string(LINE.as_bytes()),
    ]
}

#[test]
fn binary_plist_nested_200k_deep() {
    let mut objects = bplist_root();
    let depth = 200_000;
    for i in 0..depth {
        let next = 4 + i + 1;
        if i + 1 < depth {
            objects.push(bp_refs(0xa, &[next]));
        } else {
            objects.push(bp_refs(0xa, &[]));
        }
    }
    let run = survive(
        "Info.plist",
        &bplist(&objects),
        "Info.plist: plist nested deeper than 64 (--max-nesting); deeper values skipped",
        &[],
    );
    assert_found(&run, "Info.plist", "");
}

#[test]
fn binary_plist_1m_refs_to_one_1mib_string() {
    let mut objects = bplist_root();
    objects.push(bp_refs(0xa, &vec![5; 1_000_000]));
    objects.push(bp_string(&vec![b's'; 1 << 20]));
    let run = survive(
        "Info.plist",
        &bplist(&objects),
        "Info.plist: decoded text reached",
        &[],
    );
    assert_found(&run, "Info.plist", "");
}

#[test]
fn binary_plist_shared_arrays_multiply_events() {
    // Twenty levels, each an array of 16 refs to the next: 16^20 events from 1.3 KB.
    let mut objects = bplist_root();
    for level in 0..20 {
        objects.push(bp_refs(0xa, &[4 + level + 1; 16]));
    }
    objects.push(bp_string(b"leaf-value"));
    let run = survive(
        "Info.plist",
        &bplist(&objects),
        "Info.plist: decoded text reached",
        &[],
    );
    assert_found(&run, "Info.plist", "");
}

// ---- Zip -----------------------------------------------------------------------------------

/// A raw zip: local entries `(name, method, crc, packed, declared size, data)` written in
/// order, then a central directory of `(name, local entry index)`, so entries may share data.
struct RawZip {
    bytes: Vec<u8>,
    locals: Vec<(usize, u16, u32, usize, usize)>,
    central: Vec<u8>,
    count: usize,
}

impl RawZip {
    fn new() -> Self {
        RawZip {
            bytes: Vec::new(),
            locals: Vec::new(),
            central: Vec::new(),
            count: 0,
        }
    }

    /// Writes a local entry and returns its index.
    fn local(&mut self, name: &str, method: u16, crc: u32, data: &[u8], size: usize) -> usize {
        let at = self.bytes.len();
        let b = &mut self.bytes;
        b.extend_from_slice(b"PK\x03\x04");
        b.extend_from_slice(&u16le(20));
        b.extend_from_slice(&u16le(0));
        b.extend_from_slice(&method.to_le_bytes());
        b.extend_from_slice(&[0; 4]); // time, date
        b.extend_from_slice(&crc.to_le_bytes());
        b.extend_from_slice(&u32le(data.len()));
        b.extend_from_slice(&u32le(size));
        b.extend_from_slice(&u16le(name.len()));
        b.extend_from_slice(&u16le(0));
        b.extend_from_slice(name.as_bytes());
        b.extend_from_slice(data);
        self.locals.push((at, method, crc, data.len(), size));
        self.locals.len() - 1
    }

    /// A central-directory entry named `name` for local entry `local`.
    fn entry(&mut self, name: &str, local: usize) {
        let (at, method, crc, packed, size) = self.locals[local];
        let c = &mut self.central;
        c.extend_from_slice(b"PK\x01\x02");
        c.extend_from_slice(&u16le(20));
        c.extend_from_slice(&u16le(20));
        c.extend_from_slice(&u16le(0));
        c.extend_from_slice(&method.to_le_bytes());
        c.extend_from_slice(&[0; 4]);
        c.extend_from_slice(&crc.to_le_bytes());
        c.extend_from_slice(&u32le(packed));
        c.extend_from_slice(&u32le(size));
        c.extend_from_slice(&u16le(name.len()));
        c.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
        c.extend_from_slice(&u32le(at));
        c.extend_from_slice(name.as_bytes());
        self.count += 1;
    }

    fn finish(mut self) -> Vec<u8> {
        let cd = self.bytes.len();
        self.bytes.extend_from_slice(&self.central);
        let b = &mut self.bytes;
        b.extend_from_slice(b"PK\x05\x06");
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(&u16le(self.count));
        b.extend_from_slice(&u16le(self.count));
        b.extend_from_slice(&u32le(self.central.len()));
        b.extend_from_slice(&u32le(cd));
        b.extend_from_slice(&u16le(0));
        self.bytes
    }
}

fn crc(data: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(data);
    c.sum()
}

/// `n` zero bytes, deflated at the best ratio (about 1,000:1), fed in chunks.
fn deflated_zeros(n: usize) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![0u8; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len());
        e.write_all(&chunk[..k]).unwrap();
        left -= k;
    }
    e.finish().unwrap()
}

#[test]
fn zip_3000_entries_on_one_stream_that_inflates_to_260mib() {
    let stream = deflated_zeros(260 << 20);
    let mut z = RawZip::new();
    let normal = format!("{LINE}\n");
    let ok = z.local(
        "config.js",
        0,
        crc(normal.as_bytes()),
        normal.as_bytes(),
        normal.len(),
    );
    // Declared at 100:1, inside the ratio guard; the stream really inflates about 1,000:1.
    let bomb = z.local("zeros.bin", 8, 0, &stream, stream.len() * 100);
    z.entry("config.js", ok);
    for i in 0..3000 {
        z.entry(&format!("m{i:04}.bin"), bomb);
    }
    let bytes = z.finish();
    assert!(bytes.len() < 800_000);
    let run = survive(
        "app.zip",
        &bytes,
        "app.zip: 2999 entries share compressed data with an earlier entry (overlapping local \
         headers, first app.zip!m0001.bin); not read",
        &[],
    );
    assert!(
        stderr(&run.out).contains(&format!(
            "app.zip!m0000.bin: inflates past its declared {} bytes; only those scanned",
            stream.len() * 100
        )),
        "{}",
        stderr(&run.out)
    );
    assert_found(&run, "app.zip", "config.js");
}

/// Bytes no compressor shrinks, so a member's compressed size is its size.
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s as u8
        })
        .collect()
}

#[test]
fn zip_skipped_members_are_charged_to_the_total() {
    // Forty members over --max-entry-size: each skipped, each charged what it occupies, so
    // the total stops the archive instead of forty warnings being free.
    let mut z = RawZip::new();
    let normal = format!("{LINE}\n");
    let ok = z.local(
        "config.js",
        0,
        crc(normal.as_bytes()),
        normal.as_bytes(),
        normal.len(),
    );
    z.entry("config.js", ok);
    for i in 0..40 {
        let data = noise(200_000, i);
        let l = z.local(&format!("big{i:02}.bin"), 0, crc(&data), &data, data.len());
        z.entry(&format!("big{i:02}.bin"), l);
    }
    let run = survive(
        "app.zip",
        &z.finish(),
        "app.zip: stopped after 1048576 decompressed bytes (--max-archive-total)",
        &["--max-entry-size", "100K", "--max-archive-total", "1MiB"],
    );
    let err = stderr(&run.out);
    assert!(
        err.matches("over --max-entry-size").count() <= 6,
        "every skipped member was free: {err}"
    );
    assert_found(&run, "app.zip", "config.js");
}

// ---- Asar ----------------------------------------------------------------------------------

#[test]
fn asar_300_entries_slicing_the_same_10mb() {
    let big = 10 << 20;
    let normal = format!("{LINE}\n");
    let mut files = serde_json::Map::new();
    files.insert(
        "config.js".into(),
        serde_json::json!({"size": normal.len(), "offset": "0"}),
    );
    for i in 0..300 {
        files.insert(
            format!("copy{i:03}.js"),
            serde_json::json!({"size": big, "offset": normal.len().to_string()}),
        );
    }
    let json = serde_json::to_vec(&serde_json::json!({ "files": files })).unwrap();
    let padded = json.len().div_ceil(4) * 4;
    let mut asar = Vec::new();
    asar.extend_from_slice(&u32le(4));
    asar.extend_from_slice(&u32le(padded + 8));
    asar.extend_from_slice(&u32le(padded + 4));
    asar.extend_from_slice(&u32le(json.len()));
    asar.extend_from_slice(&json);
    asar.resize(16 + padded, 0);
    asar.extend_from_slice(normal.as_bytes());
    asar.extend(std::iter::repeat_n(b"let x = 1;\n".as_slice(), big / 11 + 1).flatten());
    let run = survive(
        "app.asar",
        &asar,
        "app.asar: 299 entries share bytes with an earlier entry (first app.asar!copy001.js); \
         not read",
        &[],
    );
    assert_found(&run, "app.asar", "config.js");
}

// ---- Tar and gzip --------------------------------------------------------------------------

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

#[test]
fn tar_over_cap_members_are_charged_to_the_total() {
    let normal = format!("{LINE}\n");
    let big: Vec<Vec<u8>> = (0..40).map(|i| noise(200_000, 100 + i)).collect();
    let names: Vec<String> = (0..40).map(|i| format!("big{i:02}.bin")).collect();
    let mut entries: Vec<(&str, &[u8])> = vec![("config.js", normal.as_bytes())];
    entries.extend(
        names
            .iter()
            .map(String::as_str)
            .zip(big.iter().map(Vec::as_slice)),
    );
    let run = survive(
        "app.tar",
        &tar(&entries),
        "app.tar: stopped after 1048576 decompressed bytes (--max-archive-total)",
        &["--max-entry-size", "100K", "--max-archive-total", "1MiB"],
    );
    assert!(
        stderr(&run.out)
            .contains("app.tar!big00.bin: 200000 bytes, over --max-entry-size; skipped"),
        "{}",
        stderr(&run.out)
    );
    assert_found(&run, "app.tar", "config.js");
}

#[test]
fn tar_member_claiming_8gb_in_a_short_file() {
    let normal = format!("{LINE}\n");
    let mut t = tar(&[("config.js", normal.as_bytes())]);
    t.truncate(t.len() - 1024); // drop the end-of-archive blocks
    let mut h = ::tar::Header::new_gnu();
    h.set_path("huge.bin").unwrap();
    h.set_size(8 << 30);
    h.set_mode(0o644);
    h.set_cksum();
    t.extend_from_slice(h.as_bytes());
    t.extend_from_slice(&[b'x'; 4096]);
    let run = survive(
        "app.tar",
        &t,
        "app.tar!huge.bin: 8589934592 bytes, over --max-entry-size; skipped",
        &[],
    );
    assert_found(&run, "app.tar", "config.js");
}

#[test]
fn gzip_bomb_is_refused_at_the_ratio() {
    let stream = deflated_zeros(64 << 20);
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    gz.extend_from_slice(&stream);
    gz.extend_from_slice(&[0; 8]);
    let cap = gz.len() * 200;
    survive(
        "logs.gz",
        &gz,
        &format!(
            "logs.gz: inflates past {cap} bytes (zip bomb guard or --max-entry-size); skipped"
        ),
        &[],
    );
}

// ---- Source maps and binaries --------------------------------------------------------------

#[test]
fn source_map_with_30mb_of_numbers_is_read_without_building_them() {
    // As a JSON value tree this is about a gigabyte; only three fields are ever built.
    let mut map = format!(
        "{{\"version\":3,\"sources\":[\"src/config.js\"],\"sourcesContent\":[{}],\"names\":[",
        serde_json::to_string(LINE).unwrap()
    );
    map.push_str(&"0,".repeat(15_000_000));
    map.push_str("0],\"mappings\":\"AAAA\"}");
    let dir = hostile_tree("app.js.map", map.as_bytes());
    let run = scan_hostile(dir.path(), &[]);
    assert_survives(&run, "", SIBLING.2, SIBLING.0);
    assert!(
        !stderr(&run.out).contains("warning"),
        "{}",
        stderr(&run.out)
    );
    assert_found(&run, "app.js.map", "src/config.js");
}

#[test]
fn source_map_nested_200k_deep_is_skipped_unbuilt() {
    let mut map = format!(
        "{{\"sourcesContent\":[{},",
        serde_json::to_string(LINE).unwrap()
    );
    map.push_str(&"[".repeat(200_000));
    map.push_str(&"]".repeat(200_000));
    map.push_str("]}");
    let dir = hostile_tree("app.js.map", map.as_bytes());
    let run = scan_hostile(dir.path(), &[]);
    assert_survives(&run, "", SIBLING.2, SIBLING.0);
    assert!(
        !stderr(&run.out).contains("warning"),
        "{}",
        stderr(&run.out)
    );
    assert_found(&run, "app.js.map", "source 0");
}

/// An asar of `files` (name, data), with `extra` JSON text spliced into its `files` object.
fn asar(files: &[(&str, &[u8])], extra: &str) -> Vec<u8> {
    let mut entries = Vec::new();
    let mut offset = 0;
    for (name, data) in files {
        entries.push(format!(
            "{}:{{\"size\":{},\"offset\":\"{offset}\"}}",
            serde_json::to_string(name).unwrap(),
            data.len()
        ));
        offset += data.len();
    }
    let json = format!("{{\"files\":{{{}{extra}}}}}", entries.join(","));
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

#[test]
fn asar_header_with_30mb_of_numbers_is_read_without_building_them() {
    let normal = format!("{LINE}\n");
    let extra = format!(",\"x\":[{}0]", "0,".repeat(15_000_000));
    let dir = hostile_tree(
        "app.asar",
        &asar(&[("config.js", normal.as_bytes())], &extra),
    );
    let run = scan_hostile(dir.path(), &[]);
    assert_survives(&run, "", SIBLING.2, SIBLING.0);
    assert_found(&run, "app.asar", "config.js");
}

#[test]
fn asar_header_nested_200k_deep_is_refused() {
    let normal = format!("{LINE}\n");
    let extra = format!(
        ",\"d\":{}{{}}{}",
        "{\"files\":{\"d\":".repeat(200_000),
        "}}".repeat(200_000)
    );
    let bytes = asar(&[("config.js", normal.as_bytes())], &extra);
    survive(
        "app.asar",
        &bytes,
        "app.asar: asar header: recursion limit exceeded",
        &[],
    );
}

#[test]
fn binary_of_8mb_short_printable_runs() {
    // Every nine bytes a new eight-character run: the most lines a binary can give.
    let mut bin = vec![0x7f, b'E', b'L', b'F', 0, 0, 0, 0];
    bin.extend_from_slice(LINE.as_bytes());
    bin.push(0);
    for i in 0..900_000u32 {
        bin.extend_from_slice(format!("{:08x}", i.wrapping_mul(2_654_435_761)).as_bytes());
        bin.push(0);
    }
    let dir = hostile_tree("lib/libapp.so", &bin);
    let run = scan_hostile(dir.path(), &[]);
    assert_survives(&run, "", SIBLING.2, SIBLING.0);
    assert_found(&run, "libapp.so", "");
}
