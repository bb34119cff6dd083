//! JWT structure: three base64url segments whose header is JSON with `alg`.

use super::token::{JwtFlag, JwtInfo};
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{Map, Value};

/// Signatures of tokens published as examples (jwt.io's debugger defaults, RFC 7515/7519):
/// they appear in countless tutorials and are reported at low severity only.
const PUBLIC_SAMPLE_SIGNATURES: &[&str] = &[
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "KMUFsIDTnFmyG3nMiGM6H9FNFUROf3wh7SmqJp-QV30",
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
];

/// A token valid for more than a year after it was issued is long-lived.
const LONG_LIVED_SECS: i64 = 365 * 24 * 3600;

/// Claims are shown in reports, so values that identify a person (e-mail addresses) are
/// masked to their first character and domain: `j***@example.com`.
fn mask_personal(value: &str) -> String {
    match value.split_once('@') {
        Some((user, domain)) if !user.is_empty() && domain.contains('.') => {
            let first: String = user.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        _ => value.to_string(),
    }
}

/// Claim names that identify a person (compared lower-case, without `_` and `-`). CAF
/// tokens carry `peopleId` (a CPF, Brazil's national id) and `personId`.
const PERSONAL_CLAIMS: &[&str] = &[
    "peopleid",
    "personid",
    "cpf",
    "cnpj",
    "rg",
    "ssn",
    "nationalid",
    "document",
    "documentnumber",
    "email",
    "name",
    "givenname",
    "familyname",
    "middlename",
    "nickname",
    "preferredusername",
    "username",
    "phone",
    "phonenumber",
    "mobile",
    "birthdate",
    "address",
];

fn is_personal(name: &str, value: &str) -> bool {
    let key: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    PERSONAL_CLAIMS.contains(&key.as_str())
        || value
            .split_once('@')
            .is_some_and(|(u, d)| !u.is_empty() && d.contains('.'))
}

/// A personal value as reports show it: e-mails keep their domain, anything else its first
/// character and length (`4…(11)`).
fn mask_value(value: &str) -> String {
    let masked = mask_personal(value);
    if masked != value {
        return masked;
    }
    let first: String = value.chars().take(1).collect();
    format!("{first}…({})", value.chars().count())
}

/// Longest token we try to decode; a larger blob of dots and base64 is not a credential.
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// A decoded JWT: its header, claims and the signature segment.
#[derive(Debug, Clone)]
pub struct Jwt {
    /// Decoded header object.
    pub header: Map<String, Value>,
    /// Decoded claims object (empty when the payload is not JSON).
    pub claims: Map<String, Value>,
    /// The third segment as written.
    pub signature: String,
}

/// Decodes `token` if it is a structurally valid JWS-compact JWT.
pub fn parse(token: &str) -> Option<Jwt> {
    if token.len() > MAX_TOKEN_LEN {
        return None;
    }
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || h.is_empty() || p.is_empty() {
        return None;
    }
    let header = decode_object(h)?;
    let alg = header.get("alg")?.as_str()?;
    if alg.is_empty() || (alg != "none" && s.is_empty()) {
        return None;
    }
    if !s.bytes().all(is_b64url) {
        return None;
    }
    let claims = decode_object(p).unwrap_or_default();
    Some(Jwt {
        header,
        claims,
        signature: s.to_string(),
    })
}

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn decode_object(seg: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD
        .decode(seg)
        .or_else(|_| URL_SAFE.decode(seg))
        .ok()?;
    match serde_json::from_slice::<Value>(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

impl Jwt {
    /// The header `alg`.
    pub fn alg(&self) -> &str {
        self.header.get("alg").and_then(Value::as_str).unwrap_or("")
    }

    /// Non-secret facts for reports, with flags evaluated at `now` (unix seconds).
    pub fn info(&self, now: i64) -> JwtInfo {
        let text = |m: &Map<String, Value>, k: &str| m.get(k).and_then(claim_text);
        let num = |k: &str| self.claims.get(k).and_then(claim_number);
        let mut info = JwtInfo {
            alg: self.alg().to_string(),
            typ: text(&self.header, "typ"),
            iss: text(&self.claims, "iss"),
            sub: text(&self.claims, "sub"),
            aud: text(&self.claims, "aud"),
            iat: num("iat"),
            exp: num("exp"),
            personal: self
                .claims
                .iter()
                .filter_map(|(k, v)| Some((k, claim_text(v)?)))
                .filter(|(k, v)| is_personal(k, v))
                .map(|(k, v)| (k.clone(), mask_value(&v)))
                .collect(),
            flags: Vec::new(),
        };
        if info.alg.eq_ignore_ascii_case("none") {
            info.flags.push(JwtFlag::Unsigned);
        }
        match info.exp {
            Some(exp) if exp < now => info.flags.push(JwtFlag::Expired),
            // Saturating: both come from the token, and i64::MIN - 1 is an overflow.
            Some(exp) if exp.saturating_sub(info.iat.unwrap_or(now)) > LONG_LIVED_SECS => {
                info.flags.push(JwtFlag::LongLived);
            }
            Some(_) => {}
            None => info.flags.push(JwtFlag::NoExpiry),
        }
        for claim in [&mut info.iss, &mut info.sub, &mut info.aud] {
            if let Some(v) = claim.as_mut() {
                *v = mask_personal(v);
            }
        }
        if PUBLIC_SAMPLE_SIGNATURES.contains(&self.signature.as_str()) {
            info.flags.push(JwtFlag::PublicSample);
        }
        info
    }
}

fn claim_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(claim_text)
                .collect::<Vec<_>>()
                .join(","),
        ),
        _ => None,
    }
}

fn claim_number(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC7515: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    #[test]
    fn decodes_rfc7515_example() {
        let jwt = parse(RFC7515).expect("valid");
        let info = jwt.info(2_000_000_000);
        assert_eq!(info.alg, "HS256");
        assert_eq!(info.iss.as_deref(), Some("joe"));
        assert_eq!(info.exp, Some(1300819380));
        assert_eq!(info.flags, vec![JwtFlag::Expired, JwtFlag::PublicSample]);
    }

    #[test]
    fn base64_json_without_dots_is_not_a_jwt() {
        assert!(parse("eyJhbGciOiJIUzI1NiJ9").is_none());
        // Header lacks alg.
        assert!(parse("eyJmb28iOiJiYXIifQ.eyJzdWIiOiIxIn0.abc").is_none());
    }

    #[test]
    fn long_lived_and_personal_claims() {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD as B;
        let claims = br#"{"sub":"jane.doe@example.com","iat":1700000000,"exp":1800000000}"#;
        let t = format!(
            "{}.{}.c2ln",
            B.encode(br#"{"alg":"HS256"}"#),
            B.encode(claims)
        );
        let info = parse(&t).expect("valid").info(1_700_000_100);
        assert_eq!(info.flags, vec![JwtFlag::LongLived]);
        assert_eq!(info.sub.as_deref(), Some("j***@example.com"));
        assert_eq!(
            info.personal.get("sub").map(String::as_str),
            Some("j***@example.com")
        );
    }

    #[test]
    fn caf_personal_claims_are_masked() {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD as B;
        let claims = br#"{"iss":"65a4b3c2d1e0f9a8b7c6d5e4","peopleId":"52998224725","name":"Maria Souza","role":"user"}"#;
        let t = format!(
            "{}.{}.c2ln",
            B.encode(br#"{"alg":"HS256"}"#),
            B.encode(claims)
        );
        let info = parse(&t).expect("valid").info(0);
        let shown: Vec<(&str, &str)> = info
            .personal
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(shown, vec![("name", "M…(11)"), ("peopleId", "5…(11)")]);
    }

    #[test]
    fn unsigned_token() {
        let t = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.";
        let info = parse(t).expect("valid").info(1_300_000_000);
        assert_eq!(info.flags, vec![JwtFlag::Unsigned]);
    }

    use proptest::prelude::*;

    /// A segment that is sometimes valid base64url JSON, sometimes noise.
    fn segment() -> impl Strategy<Value = String> {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD as B;
        prop_oneof![
            "[A-Za-z0-9_=+/.-]{0,40}",
            "\\PC{0,30}",
            prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| B.encode(b)),
            "\\PC{0,30}".prop_map(|s| B.encode(format!("{{\"alg\":\"HS256\",\"exp\":{s:?}}}"))),
            (any::<i64>(), any::<i64>(), "\\PC{0,12}").prop_map(|(n, e, s)| B.encode(format!(
                "{{\"alg\":\"none\",\"iat\":{n},\"exp\":\"{e}\",\"email\":{s:?},\"aud\":[1,{s:?}]}}"
            ))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(600))]

        #[test]
        fn parse_and_info_never_panic(parts in prop::collection::vec(segment(), 1..5), now in any::<i64>()) {
            let token = parts.join(".");
            if let Some(jwt) = parse(&token) {
                let info = jwt.info(now);
                prop_assert!(!info.alg.is_empty());
            }
        }
    }

    #[test]
    fn huge_token_is_refused_without_decoding() {
        let seg = "A".repeat(MAX_TOKEN_LEN);
        assert!(parse(&format!("eyJhbGciOiJIUzI1NiJ9.{seg}.sig")).is_none());
    }
}
