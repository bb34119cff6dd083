//! Asymmetric JWT signatures (RS*, PS*, ES*, EdDSA) against keys found in the scan: the public
//! half of every private key (PEM or JWK) and every public key (PEM or JWK). A private key
//! that verifies a token signs it; a public key that verifies it proves the token genuine.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::Verifier;
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use sha2::digest::{const_oid::AssociatedOid, FixedOutputReset};
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A verifying key of any JWS algorithm family.
#[derive(Clone)]
pub enum PublicKey {
    /// RS256/384/512 and PS256/384/512.
    Rsa(RsaPublicKey),
    /// ES256.
    P256(p256::ecdsa::VerifyingKey),
    /// ES384.
    P384(p384::ecdsa::VerifyingKey),
    /// ES512.
    P521(p521::ecdsa::VerifyingKey),
    /// EdDSA (Ed25519).
    Ed25519(ed25519_dalek::VerifyingKey),
}

/// The algorithms this module checks.
pub fn is_asymmetric(alg: &str) -> bool {
    matches!(
        alg,
        "RS256"
            | "RS384"
            | "RS512"
            | "PS256"
            | "PS384"
            | "PS512"
            | "ES256"
            | "ES384"
            | "ES512"
            | "EdDSA"
    )
}

/// The verifying key of a PEM block (private or public), also when it sits in a JSON or JS
/// string with escaped line breaks.
pub fn from_pem(text: &str) -> Option<PublicKey> {
    let parsed = crate::detect::keys::Pem::parse(text)?;
    let pem = parsed.canonical();
    let label = parsed.label.as_str();
    if label.contains("RSA PRIVATE KEY") {
        return rsa_private(RsaPrivateKey::from_pkcs1_pem(&pem).ok()?);
    }
    if label.contains("EC PRIVATE KEY") {
        return ec_sec1(&pem);
    }
    if label.contains("RSA PUBLIC KEY") {
        return RsaPublicKey::from_pkcs1_pem(&pem).ok().map(PublicKey::Rsa);
    }
    if label.contains("PUBLIC KEY") {
        return spki(&pem);
    }
    if label.contains("PRIVATE KEY") {
        return pkcs8(&pem);
    }
    None
}

fn rsa_private(key: RsaPrivateKey) -> Option<PublicKey> {
    Some(PublicKey::Rsa(key.to_public_key()))
}

fn ec_sec1(pem: &str) -> Option<PublicKey> {
    if let Ok(k) = p256::SecretKey::from_sec1_pem(pem) {
        return Some(PublicKey::P256(k.public_key().into()));
    }
    if let Ok(k) = p384::SecretKey::from_sec1_pem(pem) {
        return Some(PublicKey::P384(k.public_key().into()));
    }
    let k = p521::SecretKey::from_sec1_pem(pem).ok()?;
    p521_key(&k.public_key())
}

fn pkcs8(pem: &str) -> Option<PublicKey> {
    if let Ok(k) = RsaPrivateKey::from_pkcs8_pem(pem) {
        return rsa_private(k);
    }
    if let Ok(k) = p256::SecretKey::from_pkcs8_pem(pem) {
        return Some(PublicKey::P256(k.public_key().into()));
    }
    if let Ok(k) = p384::SecretKey::from_pkcs8_pem(pem) {
        return Some(PublicKey::P384(k.public_key().into()));
    }
    if let Ok(k) = p521::SecretKey::from_pkcs8_pem(pem) {
        return p521_key(&k.public_key());
    }
    let k = ed25519_dalek::SigningKey::from_pkcs8_pem(pem).ok()?;
    Some(PublicKey::Ed25519(k.verifying_key()))
}

fn spki(pem: &str) -> Option<PublicKey> {
    if let Ok(k) = RsaPublicKey::from_public_key_pem(pem) {
        return Some(PublicKey::Rsa(k));
    }
    if let Ok(k) = p256::PublicKey::from_public_key_pem(pem) {
        return Some(PublicKey::P256(k.into()));
    }
    if let Ok(k) = p384::PublicKey::from_public_key_pem(pem) {
        return Some(PublicKey::P384(k.into()));
    }
    if let Ok(k) = p521::PublicKey::from_public_key_pem(pem) {
        return p521_key(&k);
    }
    ed25519_dalek::VerifyingKey::from_public_key_pem(pem)
        .ok()
        .map(PublicKey::Ed25519)
}

fn p521_key(k: &p521::PublicKey) -> Option<PublicKey> {
    p521::ecdsa::VerifyingKey::from_affine(*k.as_affine())
        .ok()
        .map(PublicKey::P521)
}

/// The string members of a JWK object written as JSON or as a JS object literal.
fn jwk_members(text: &str) -> HashMap<&str, &str> {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r#"["']?\b([A-Za-z]{1,3})["']?\s*:\s*["']([A-Za-z0-9_+/=-]*)["']"#)
            .expect("jwk member regex compiles")
    });
    re.captures_iter(text)
        .filter_map(|c| Some((c.get(1)?.as_str(), c.get(2)?.as_str())))
        .collect()
}

fn b64(v: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(v.trim_end_matches('=')).ok()
}

/// The verifying key of a JWK (public, or private with its public members).
pub fn from_jwk(text: &str) -> Option<PublicKey> {
    let m = jwk_members(text);
    match *m.get("kty")? {
        "RSA" => {
            let n = BigUint::from_bytes_be(&b64(m.get("n")?)?);
            let e = BigUint::from_bytes_be(&b64(m.get("e")?)?);
            RsaPublicKey::new(n, e).ok().map(PublicKey::Rsa)
        }
        "EC" => {
            let mut point = vec![4u8];
            point.extend(b64(m.get("x")?)?);
            point.extend(b64(m.get("y")?)?);
            match *m.get("crv")? {
                "P-256" => p256::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                    .ok()
                    .map(PublicKey::P256),
                "P-384" => p384::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                    .ok()
                    .map(PublicKey::P384),
                "P-521" => p521::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                    .ok()
                    .map(PublicKey::P521),
                _ => None,
            }
        }
        "OKP" if m.get("crv") == Some(&"Ed25519") => {
            let x: [u8; 32] = b64(m.get("x")?)?.try_into().ok()?;
            ed25519_dalek::VerifyingKey::from_bytes(&x)
                .ok()
                .map(PublicKey::Ed25519)
        }
        _ => None,
    }
}

impl PublicKey {
    /// True when this key verifies `sig` over `input` under `alg`.
    pub fn verifies(&self, alg: &str, input: &[u8], sig: &[u8]) -> bool {
        match (self, alg) {
            (PublicKey::Rsa(k), _) => rsa_verifies(k, alg, input, sig),
            (PublicKey::P256(k), "ES256") => {
                p256::ecdsa::Signature::from_slice(sig).is_ok_and(|s| k.verify(input, &s).is_ok())
            }
            (PublicKey::P384(k), "ES384") => {
                p384::ecdsa::Signature::from_slice(sig).is_ok_and(|s| k.verify(input, &s).is_ok())
            }
            (PublicKey::P521(k), "ES512") => {
                p521::ecdsa::Signature::from_slice(sig).is_ok_and(|s| k.verify(input, &s).is_ok())
            }
            (PublicKey::Ed25519(k), "EdDSA") => ed25519_dalek::Signature::from_slice(sig)
                .is_ok_and(|s| k.verify_strict(input, &s).is_ok()),
            _ => false,
        }
    }
}

fn rsa_verifies(key: &RsaPublicKey, alg: &str, input: &[u8], sig: &[u8]) -> bool {
    let k = key.clone();
    match alg {
        "RS256" => pkcs1::<Sha256>(k, input, sig),
        "RS384" => pkcs1::<Sha384>(k, input, sig),
        "RS512" => pkcs1::<Sha512>(k, input, sig),
        "PS256" => pss::<Sha256>(k, input, sig),
        "PS384" => pss::<Sha384>(k, input, sig),
        "PS512" => pss::<Sha512>(k, input, sig),
        _ => false,
    }
}

/// RSASSA-PKCS1-v1_5 (the RS algorithms).
fn pkcs1<D: Digest + AssociatedOid>(key: RsaPublicKey, input: &[u8], sig: &[u8]) -> bool {
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    Signature::try_from(sig).is_ok_and(|s| VerifyingKey::<D>::new(key).verify(input, &s).is_ok())
}

/// RSASSA-PSS with the hash length as salt length (the PS algorithms).
fn pss<D: Digest + FixedOutputReset>(key: RsaPublicKey, input: &[u8], sig: &[u8]) -> bool {
    use rsa::pss::{Signature, VerifyingKey};
    Signature::try_from(sig).is_ok_and(|s| VerifyingKey::<D>::new(key).verify(input, &s).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B;
    use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

    const INPUT: &[u8] = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0";

    fn verifies(key: Option<PublicKey>, alg: &str, sig: &[u8]) -> bool {
        key.expect("key parses").verifies(alg, INPUT, sig)
    }

    #[test]
    fn ec_keys_in_sec1_pkcs8_spki_and_jwk() {
        use p256::ecdsa::signature::Signer;
        let sk = p256::SecretKey::from_slice(&[3u8; 32]).unwrap();
        let sig: p256::ecdsa::Signature = p256::ecdsa::SigningKey::from(&sk).sign(INPUT);
        let sig = sig.to_bytes();
        let sec1 = sk.to_sec1_pem(LineEnding::LF).unwrap();
        assert!(verifies(from_pem(&sec1), "ES256", &sig));
        let escaped = sec1.replace('\n', "\\n");
        assert!(
            verifies(from_pem(&escaped), "ES256", &sig),
            "PEM inside a JSON string"
        );
        let spki = sk.public_key().to_public_key_pem(LineEnding::LF).unwrap();
        assert!(verifies(from_pem(&spki), "ES256", &sig));
        assert!(
            !verifies(from_pem(&spki), "ES384", &sig),
            "alg must match the curve"
        );
        let point = sk.public_key().to_sec1_bytes();
        let jwk = format!(
            r#""kty":"EC","crv":"P-256","x":"{}","y":"{}""#,
            B.encode(&point[1..33]),
            B.encode(&point[33..])
        );
        assert!(verifies(from_jwk(&jwk), "ES256", &sig));

        let sk384 = p384::SecretKey::from_slice(&[5u8; 48]).unwrap();
        let sig384: p384::ecdsa::Signature = p384::ecdsa::SigningKey::from(&sk384).sign(INPUT);
        let pem = sk384.to_pkcs8_pem(LineEnding::LF).unwrap();
        assert!(verifies(from_pem(&pem), "ES384", &sig384.to_bytes()));

        // p521 0.13 verifies but does not sign; check the key parses to its curve.
        let mut scalar = [6u8; 66];
        scalar[0] = 0; // below the P-521 group order
        let sk521 = p521::SecretKey::from_slice(&scalar).unwrap();
        let pem = sk521.to_sec1_pem(LineEnding::LF).unwrap();
        assert!(matches!(from_pem(&pem), Some(PublicKey::P521(_))));
    }

    #[test]
    fn ed25519_keys_in_pkcs8_spki_and_jwk() {
        use ed25519_dalek::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};
        use ed25519_dalek::Signer;
        let sk = ed25519_dalek::SigningKey::from_bytes(&[4u8; 32]);
        let sig = sk.sign(INPUT).to_bytes();
        let pkcs8 = sk.to_pkcs8_pem(LineEnding::LF).unwrap();
        assert!(verifies(from_pem(&pkcs8), "EdDSA", &sig));
        let spki = sk
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        assert!(verifies(from_pem(&spki), "EdDSA", &sig));
        let jwk = format!(
            r#"{{ kty: 'OKP', crv: 'Ed25519', x: '{}' }}"#,
            B.encode(sk.verifying_key().as_bytes())
        );
        assert!(verifies(from_jwk(&jwk), "EdDSA", &sig), "JS object literal");
        let mut bad = sig;
        bad[0] ^= 1;
        assert!(!verifies(from_pem(&spki), "EdDSA", &bad));
    }

    #[test]
    fn garbage_is_no_key() {
        assert!(from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----").is_none());
        assert!(from_jwk(r#""kty":"RSA","n":"!!","e":"AQAB""#).is_none());
        assert!(from_jwk(r#""kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA""#).is_none());
        assert!(!is_asymmetric("HS256") && is_asymmetric("PS384"));
    }
}
