//! Unit and property tests of the parent module.
use super::*;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

#[test]
fn decodes_each_encoding() {
    let cfg = STANDARD.encode(br#"{"jwtSecret":"b64-Config-Secret-77"}"#);
    let text = format!(
        "const c = atob(\"{cfg}\"); x = 'a%3Db%26JWT_SECRET%3Dabc'; s = \"\\u0041\\x42\\/\";"
    );
    let r = runs(text.as_bytes(), &mut Budget::default());
    let kinds: Vec<Encoding> = r.iter().map(|d| d.encoding).collect();
    assert_eq!(
        kinds,
        vec![Encoding::Base64, Encoding::Percent, Encoding::JsEscape]
    );
    assert_eq!(r[0].text, br#"{"jwtSecret":"b64-Config-Secret-77"}"#);
    // 'a%3Db%26JWT…': the decoded "J" (index 4) comes from offset 8 of the run.
    assert_eq!(r[1].source_offset(4) - r[1].range.start, 8);
    assert_eq!(r[1].text, b"a=b&JWT_SECRET=abc");
    assert_eq!(r[2].text, b"AB/");
}

#[test]
fn images_are_not_decoded() {
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    assert!(runs(
        format!("src=\"data:image/png;base64,{png}\"").as_bytes(),
        &mut Budget::default()
    )
    .is_empty());
}

#[test]
fn budget_stops_decoding_and_counts_what_it_skipped() {
    let text = "s = \"\\x41bc\";\n".repeat(10);
    let mut budget = Budget::new(usize::MAX, 4);
    assert_eq!(runs(text.as_bytes(), &mut budget).len(), 4);
    assert_eq!(budget.skipped, 6);
    let mut budget = Budget::new(12, usize::MAX);
    let total: usize = runs(text.as_bytes(), &mut budget)
        .iter()
        .map(|d| d.text.len())
        .sum();
    assert!(total <= 12 && budget.exhausted());
}

/// The JS-string search as it was, looking back from every backslash: the oracle for
/// the linear one.
fn js_strings_lookback(text: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut next = 0;
    for p in memchr::memchr_iter(b'\\', text) {
        let in_run = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'+');
        let slash = text.get(p + 1) == Some(&b'/');
        if p < next
            || !hides_ascii(&text[p..])
            || (slash && !(p > 0 && in_run(text.get(p - 1)) && in_run(text.get(p + 2))))
        {
            continue;
        }
        let from = p.saturating_sub(MAX_LITERAL);
        let Some(q) = text[from..p]
            .iter()
            .rposition(|&b| b == b'"' || b == b'\'' || b == b'\n')
            .map(|i| from + i)
            .filter(|&q| text[q] != b'\n')
        else {
            continue;
        };
        let quote = text[q];
        let mut i = q + 1;
        let limit = (q + MAX_LITERAL).min(text.len());
        while i < limit && text[i] != quote && text[i] != b'\n' {
            i += if text[i] == b'\\' { 2 } else { 1 };
        }
        if i >= limit || text[i] != quote {
            next = p + 2;
            continue;
        }
        next = i + 1;
        out.push(q + 1..i);
    }
    out
}

use proptest::prelude::*;

/// Text made of the pieces the decoders react to, so random input reaches their paths.
fn encoded_text() -> impl Strategy<Value = Vec<u8>> {
    let pieces: Vec<&'static [u8]> = vec![
        b"eyJ",
        b"ZXlK",
        b"QmVhcmVy",
        b"abcd",
        b"AAAA",
        b"+/",
        b"-_",
        b"=",
        b"%41",
        b"%4",
        b"%",
        b"\\x41",
        b"\\u0041",
        b"\\x4",
        b"\\/",
        b"\\",
        b"\"",
        b"'",
        b"\n",
        b" ",
        b"z",
        b"\xc3\xa9",
        b"\xff",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..300).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn decoders_stay_in_budget_and_in_source(
        text in encoded_text(),
        bytes in 0usize..400,
        count in 0usize..8,
    ) {
        let mut budget = Budget::new(bytes, count);
        let found = runs(&text, &mut budget);
        prop_assert!(found.len() <= count);
        prop_assert!(found.iter().map(|d| d.text.len()).sum::<usize>() <= bytes);
        for d in &found {
            prop_assert!(d.range.start <= d.range.end && d.range.end <= text.len());
            for i in 0..=d.text.len() {
                let o = d.source_offset(i);
                prop_assert!(d.range.start <= o && o <= d.range.end);
            }
            if d.encoding != Encoding::Base64 {
                prop_assert_eq!(d.origin.len(), d.text.len());
            }
        }
    }

    #[test]
    fn random_bytes_never_panic(text in prop::collection::vec(any::<u8>(), 0..600)) {
        let found = runs(&text, &mut Budget::default());
        for d in &found {
            prop_assert!(d.source_offset(d.text.len() + 5) <= text.len());
        }
    }

    #[test]
    fn js_strings_match_the_lookback_oracle(text in encoded_text()) {
        let mut out = Vec::new();
        js_strings(&text, &mut out, &mut Budget::default());
        let got: Vec<Range<usize>> = out.into_iter().map(|d| d.range).collect();
        prop_assert_eq!(got, js_strings_lookback(&text));
    }

    #[test]
    fn each_decoder_alone_never_grows_its_input(text in encoded_text()) {
        let (p, po) = percent(&text);
        prop_assert!(p.len() <= text.len() && po.len() == p.len());
        let (j, jo) = js_unescape(&text);
        prop_assert!(j.len() <= text.len() && jo.len() == j.len());
        if let Some(b) = base64(&text) {
            prop_assert!(b.len() <= text.len() / 4 * 3 + 2);
        }
    }
}

/// An Ed25519 key (generated for this test, protects nothing): bare, its base64 DER is
/// decoded to PEM; as a PEM block's one-line body it is not decoded again.
#[test]
fn bare_der_keys_decode_to_pem_but_pem_bodies_are_left_alone() {
    const KEY: &str = "MC4CAQAwBQYDK2VwBCIEIE4zSzBZtFz7klO8XAXEK7YtQivyF7Jo0LLwYBgWj272";
    let bare = format!("const k = \"{KEY}\";");
    let r = runs(bare.as_bytes(), &mut Budget::default());
    assert_eq!(r.len(), 1);
    let pem = String::from_utf8(r[0].text.clone()).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
    for armoured in [
        format!("-----BEGIN PRIVATE KEY-----\n{KEY}\n-----END PRIVATE KEY-----"),
        format!("\"-----BEGIN PRIVATE KEY-----\\r\\n{KEY}\\r\\n-----END PRIVATE KEY-----\""),
    ] {
        assert!(runs(armoured.as_bytes(), &mut Budget::default()).is_empty());
    }
}
