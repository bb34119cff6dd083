//! How rules depend on each other, as rule data: what proof may use a rule's findings as, and
//! which findings of other rules become findings of a rule when proof connects them. Checked
//! when rules load, so a renamed or disabled rule is an error rather than a silent gap in
//! proof.

use super::{RuleError, RuleSet};
use serde::Deserialize;

/// What proof may use a rule's findings as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A key that may sign HS tokens (tried as an HMAC secret, raw and base64-decoded).
    SigningKey,
    /// A private key (PEM or JWK) that may sign RS/PS/ES/EdDSA tokens.
    PrivateKey,
    /// A public key (PEM or JWK): verifies tokens, and as an HMAC secret proves a forgery.
    PublicKey,
    /// A client id: the `iss` of tokens its platform signs.
    ClientId,
}

/// Findings of other rules that become findings of this rule when proof connects them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relations {
    /// A rule whose findings are client ids; a JWT reported by another rule whose `iss` is one
    /// of them (or the `iss` of a token of `family`) becomes a finding of this rule.
    #[serde(default)]
    pub issuer: Option<String>,
    /// A rule whose findings are client ids; a finding of `paired_from` in the same file or
    /// bundle as one becomes a finding of this rule.
    #[serde(default)]
    pub pairs_with: Option<String>,
    /// The rules whose findings `pairs_with` turns into this rule.
    #[serde(default)]
    pub paired_from: Vec<String>,
    /// A tag naming a family of token rules (`caf`): their tokens' issuers count as client
    /// ids, and messages name the family in capitals.
    #[serde(default)]
    pub family: Option<String>,
    /// A tag of token rules: a candidate key that signs one of their tokens becomes this rule.
    #[serde(default)]
    pub signer_of: Option<String>,
}

impl Relations {
    /// The rule ids these relations name.
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.issuer
            .iter()
            .chain(&self.pairs_with)
            .chain(&self.paired_from)
            .map(String::as_str)
    }
}

impl RuleSet {
    /// Every rule a relation names must exist.
    pub(super) fn check_relations(&self) -> Result<(), RuleError> {
        for r in &self.rules {
            if let Some(missing) = r
                .spec
                .relations
                .rule_ids()
                .find(|id| self.get(id).is_none())
            {
                return Err(RuleError {
                    file: "rules".into(),
                    rule: Some(r.spec.id.clone()),
                    message: format!("relations name rule {missing}, which does not exist"),
                });
            }
        }
        Ok(())
    }

    /// The rules (other than those in `leaving`) whose relations name `id`.
    pub fn dependents<'a>(&'a self, id: &'a str, leaving: &'a [String]) -> Vec<&'a str> {
        self.rules
            .iter()
            .filter(|r| !leaving.contains(&r.spec.id))
            .filter(|r| r.spec.relations.rule_ids().any(|d| d == id))
            .map(|r| r.spec.id.as_str())
            .collect()
    }
}
