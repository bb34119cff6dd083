//! RS256/384/512 tokens against RSA private keys found in the same scan: the key's public half
//! verifies the PKCS#1 v1.5 signature.

use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::Verifier;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Sha256, Sha384, Sha512};

/// The public key of a PEM private key (PKCS#1 or PKCS#8), also when the PEM sits in a JSON
/// or JS string with escaped line breaks.
pub fn public_key(pem: &str) -> Option<RsaPublicKey> {
    let pem = pem.replace("\\r", "").replace("\\n", "\n");
    let key = RsaPrivateKey::from_pkcs1_pem(&pem)
        .or_else(|_| RsaPrivateKey::from_pkcs8_pem(&pem))
        .ok()?;
    Some(key.to_public_key())
}

/// True when `key` verifies `sig` over `input` for `alg`.
pub fn verifies(key: &RsaPublicKey, alg: &str, input: &[u8], sig: &[u8]) -> bool {
    let Ok(sig) = Signature::try_from(sig) else {
        return false;
    };
    match alg {
        "RS256" => VerifyingKey::<Sha256>::new(key.clone())
            .verify(input, &sig)
            .is_ok(),
        "RS384" => VerifyingKey::<Sha384>::new(key.clone())
            .verify(input, &sig)
            .is_ok(),
        "RS512" => VerifyingKey::<Sha512>::new(key.clone())
            .verify(input, &sig)
            .is_ok(),
        _ => false,
    }
}
