//! The non-secret facts a decoded JWT shows, as detection hands them on.

use serde::{Deserialize, Serialize};

/// Decoded, non-secret facts about a JWT.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JwtInfo {
    /// Header `alg`.
    pub alg: String,
    /// Header `typ`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    /// Claim `iss`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Claim `sub`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Claim `aud` (arrays joined with `,`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// Claim `iat` (unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Claim `exp` (unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Claims that identify a person (`peopleId`, `cpf`, `email`, `name`, any e-mail value),
    /// claim name to masked value: reports say what the token reveals without revealing it.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub personal: std::collections::BTreeMap<String, String>,
    /// What makes the token notable, in the order found.
    pub flags: Vec<JwtFlag>,
}

/// What makes a decoded token notable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JwtFlag {
    /// `alg` is `none`: anyone can write such a token.
    Unsigned,
    /// `exp` is in the past.
    Expired,
    /// No `exp` claim: valid until the key changes.
    NoExpiry,
    /// `exp` more than a year after `iat`.
    LongLived,
    /// A token published in documentation (jwt.io, RFC examples).
    PublicSample,
    /// Its HMAC key is a public key's text: a key-confusion forgery (set by proof).
    KeyConfusion,
}
