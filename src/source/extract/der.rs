//! Private keys stored as DER inside binaries (a Mach-O's data, a `.so`, a DEX): found by
//! the version field every private-key structure starts with, checked by parsing them with
//! the same crates proof uses, and handed on as PEM text, so the private-key rules report
//! them and proof can verify the tokens they sign.

use super::{Budget, Label, Lines, Placement, Visitor};
use aho_corasick::{AhoCorasick, MatchKind};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::sync::OnceLock;

/// Largest DER key read (an RSA-8192 PKCS#8 key is about 4.8 KB).
const MAX_DER: usize = 16 * 1024;
/// Most candidates parsed per member: each parse reads at most [`MAX_DER`] bytes, so a
/// binary full of look-alike headers costs a bounded amount whatever its size.
const MAX_CANDIDATES: usize = 256;

/// The structure a candidate's version field announces.
#[derive(Clone, Copy)]
enum Shape {
    /// `RSAPrivateKey` (PKCS#1): version 0, then the modulus.
    Pkcs1,
    /// `PrivateKeyInfo` / `OneAsymmetricKey` (PKCS#8 v1, v2): version, then an algorithm.
    Pkcs8,
    /// `ECPrivateKey` (SEC1): version 1, then the private key octets.
    Sec1,
}

/// The bytes after a SEQUENCE header that begin each structure.
const ANCHORS: &[(&[u8], Shape)] = &[
    (&[0x02, 0x01, 0x00, 0x02], Shape::Pkcs1),
    (&[0x02, 0x01, 0x00, 0x30], Shape::Pkcs8),
    (&[0x02, 0x01, 0x01, 0x30], Shape::Pkcs8),
    (&[0x02, 0x01, 0x01, 0x04], Shape::Sec1),
];

/// OIDs of the PKCS#8 algorithms proof can use: RSA, EC and Ed25519.
const PKCS8_ALGORITHMS: &[&str] = &["1.2.840.113549.1.1.1", "1.2.840.10045.2.1", "1.3.101.112"];

fn anchors() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(ANCHORS.iter().map(|(a, _)| a))
            .expect("DER anchors build")
    })
}

/// Every private key stored as DER in `b`, as PEM blocks labelled with their offsets; false
/// when there is none.
pub(super) fn keys(
    budget: &mut Budget<'_>,
    member: Option<&str>,
    b: &[u8],
    label: &str,
    visitor: &mut dyn Visitor,
) -> bool {
    let mut lines = Lines::new(budget.decoded_room(b.len()));
    let mut tried = 0;
    let mut next_free = 0;
    for m in anchors().find_iter(b) {
        if m.start() < next_free {
            continue;
        }
        let Some((start, der)) = sequence_before(b, m.start()) else {
            continue;
        };
        tried += 1;
        if tried > MAX_CANDIDATES {
            visitor.warn(format!(
                "{label}: more than {MAX_CANDIDATES} DER key candidates; the rest were not checked"
            ));
            break;
        }
        let Some(pem_label) = parse(ANCHORS[m.pattern().as_usize()].1, der) else {
            continue;
        };
        if !lines.push(Label::Der(start), &armour(pem_label, der)) {
            break;
        }
        next_free = start + der.len();
    }
    let any = !lines.text.is_empty();
    if any {
        budget.finish(lines, b.len(), member, label, Placement::Opaque, visitor);
    }
    any
}

/// `der` as a PEM block.
fn armour(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem + &format!("-----END {label}-----")
}

/// `der`, when it is exactly one private key (PKCS#1, PKCS#8 or SEC1), as PEM: the decoder
/// hands base64 runs that decode to binary (`MIIEvQIBADAN…` without armour) here.
pub(crate) fn pem_of(der: &[u8]) -> Option<String> {
    (2..=4).find_map(|n| {
        let (start, seq) = sequence_before(der, n)?;
        if start != 0 || seq.len() != der.len() {
            return None;
        }
        let head = der.get(n..n + 4)?;
        let (_, shape) = ANCHORS.iter().find(|(a, _)| *a == head)?;
        Some(armour(parse(*shape, der)?, der))
    })
}

/// The SEQUENCE whose contents start at `at`: its start and its bytes, when its header's
/// length fits the input and [`MAX_DER`].
fn sequence_before(b: &[u8], at: usize) -> Option<(usize, &[u8])> {
    (2..=4).find_map(|n| {
        let start = at.checked_sub(n)?;
        let h = b.get(start..at)?;
        if h[0] != 0x30 {
            return None;
        }
        // Short form below 0x80; long forms minimal (one byte for 0x80..0xff, two above).
        let len = match n {
            2 => (h[1] < 0x80).then_some(h[1] as usize)?,
            3 => (h[1] == 0x81 && h[2] >= 0x80).then_some(h[2] as usize)?,
            _ => (h[1] == 0x82 && h[2] > 0).then_some((h[2] as usize) << 8 | h[3] as usize)?,
        };
        let total = n + len;
        (total <= MAX_DER).then_some(())?;
        Some((start, b.get(start..start + total)?))
    })
}

/// The PEM label for `der` if it parses as the private key its anchor announced.
fn parse(shape: Shape, der: &[u8]) -> Option<&'static str> {
    match shape {
        Shape::Pkcs1 => rsa::pkcs1::RsaPrivateKey::try_from(der)
            .ok()
            .filter(|k| k.modulus.as_bytes().len() >= 64)
            .map(|_| "RSA PRIVATE KEY"),
        Shape::Pkcs8 => {
            let info = rsa::pkcs8::PrivateKeyInfo::try_from(der).ok()?;
            let oid = info.algorithm.oid.to_string();
            PKCS8_ALGORITHMS
                .contains(&oid.as_str())
                .then_some("PRIVATE KEY")
        }
        Shape::Sec1 => {
            let ok = p256::SecretKey::from_sec1_der(der).is_ok()
                || p384::SecretKey::from_sec1_der(der).is_ok()
                || p521::SecretKey::from_sec1_der(der).is_ok();
            ok.then_some("EC PRIVATE KEY")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_of_every_length_form() {
        let mut b = vec![0xAA, 0x30, 0x05, 0x02, 0x01, 0x00, 0x02, 0x00];
        assert_eq!(sequence_before(&b, 3), Some((1, &b[1..8])));
        // Long forms must be minimal and fit the input.
        b = vec![0x30, 0x81, 0x10, 0x02, 0x01, 0x00];
        assert_eq!(sequence_before(&b, 3), None);
        b = vec![0x30, 0x82, 0x00, 0x90, 0x02, 0x01, 0x00];
        assert_eq!(sequence_before(&b, 4), None);
        b = vec![0x30, 0x82, 0x7f, 0xff, 0x02];
        assert_eq!(sequence_before(&b, 4), None);
    }

    /// A decoded base64 run shorter than a header (proptest found it) is no key.
    #[test]
    fn input_shorter_than_a_header_is_no_key() {
        for b in [&[][..], &[0x30], &[0x30, 0x01], &[0x30, 0x01, 0x02]] {
            assert_eq!(pem_of(b), None);
        }
    }
}
