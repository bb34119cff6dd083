//! Evidence from the rest of the file: later use, imports, sealed ciphertext.
use super::*;

#[test]
fn a_plain_value_counts_when_the_file_uses_its_name_as_a_credential() {
    let used = "const signingSecret = \"correcthorse\";\nconst t = jwt.sign(p, signingSecret);\n";
    let unused = "const signingSecret = \"correcthorse\";\nconsole.log(signingSecret.length);\n";
    for (text, want) in [(used, Some(Use::Sign)), (unused, None)] {
        let at = text.find("Secret").unwrap();
        let facts = Facts::default();
        let got = find(text.as_bytes(), at..at + 6, Kind::Secret, true, &facts);
        assert_eq!(got.map(|n| n.evidence.used_for), want.map(Some), "{text}");
    }
    let python = "import hmac\nWEBHOOK_SECRET = \"deliverymonkey\"\nmac = hmac.new(WEBHOOK_SECRET.encode(), body, sha256)\n";
    let at = python.find("SECRET").unwrap();
    let n = find(
        python.as_bytes(),
        at..at + 6,
        Kind::Secret,
        true,
        &Facts::default(),
    )
    .unwrap();
    assert_eq!(n.evidence.used_for, Some(Use::Mac));
    assert_eq!(n.evidence.imports, vec![Library::Crypto]);
    // A header and a login are uses too; a config file has no later use.
    let header = "const apiToken = \"pinkelephant\";\nfetch(u, {headers: {Authorization: `Bearer ${apiToken}`}});\n";
    let at = header.find("Token").unwrap();
    let n = find(
        header.as_bytes(),
        at..at + 5,
        Kind::Token,
        true,
        &Facts::default(),
    )
    .unwrap();
    assert_eq!(n.evidence.used_for, Some(Use::Header));
    assert!(find(
        header.as_bytes(),
        at..at + 5,
        Kind::Token,
        false,
        &Facts::default()
    )
    .is_none());
}

#[test]
fn sealed_secret_ciphertext_is_not_a_credential() {
    let cipher = format!("AgB{}", "x9Lm2Wq7Tz4Rp8Kv1Nb5Jh3Fd6Gs0A".repeat(20));
    let sealed = format!(
        "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nspec:\n  encryptedData:\n    password: {cipher}\n"
    );
    let plain = format!("password: {cipher}\n");
    let at = |t: &str| t.find("password").unwrap();
    let facts = Facts::default();
    assert!(find(
        sealed.as_bytes(),
        at(&sealed)..at(&sealed) + 8,
        Kind::Password,
        false,
        &facts
    )
    .is_none());
    let facts = Facts::default();
    assert!(find(
        plain.as_bytes(),
        at(&plain)..at(&plain) + 8,
        Kind::Password,
        false,
        &facts
    )
    .is_some());
}
