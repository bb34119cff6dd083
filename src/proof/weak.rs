//! Publicly known weak JWT secrets (wallarm/jwt-secrets, MIT): a token that one of them
//! verifies can be forged by anyone who has the list.

use hmac::{Hmac, Mac};
use rayon::prelude::*;
use sha2::{Sha256, Sha384, Sha512};
use std::io::Read;
use std::sync::OnceLock;

/// The list, gzip-compressed (478 KB), decompressed on first use only.
const LIST_GZ: &[u8] = include_bytes!("data/jwt-secrets.list.gz");

/// Most distinct tokens the automatic budget checks against the list; each costs one HMAC
/// per list entry (about 104,000).
pub const MAX_WEAK_TOKENS: usize = 64;

fn secrets() -> &'static [String] {
    static LIST: OnceLock<Vec<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut text = String::new();
        let _ = flate2::read::GzDecoder::new(LIST_GZ).read_to_string(&mut text);
        text.lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    })
}

/// HS256 keyed states for the whole list, built once (most tokens are HS256).
fn hs256_states() -> &'static [Hmac<Sha256>] {
    static STATES: OnceLock<Vec<Hmac<Sha256>>> = OnceLock::new();
    STATES.get_or_init(|| {
        secrets()
            .par_iter()
            .filter_map(|s| Hmac::new_from_slice(s.as_bytes()).ok())
            .collect()
    })
}

fn verifies<M: Mac + Clone>(state: &M, input: &[u8], sig: &[u8]) -> bool {
    let mut m = state.clone();
    m.update(input);
    m.verify_slice(sig).is_ok()
}

/// True when a secret on the list signs `input` with `alg` into `sig`.
pub fn signed_with_weak_secret(alg: &str, input: &[u8], sig: &[u8]) -> bool {
    match alg {
        "HS256" => hs256_states().par_iter().any(|s| verifies(s, input, sig)),
        "HS384" => secrets().par_iter().any(|k| {
            Hmac::<Sha384>::new_from_slice(k.as_bytes()).is_ok_and(|s| verifies(&s, input, sig))
        }),
        "HS512" => secrets().par_iter().any(|k| {
            Hmac::<Sha512>::new_from_slice(k.as_bytes()).is_ok_and(|s| verifies(&s, input, sig))
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn list_is_embedded_whole() {
        let list = super::secrets();
        // 103,979 lines, one of them empty.
        assert_eq!(list.len(), 103_978);
        assert!(list.iter().any(|s| s == "supersecret"));
    }
}
