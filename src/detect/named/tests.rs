//! Credentials by name across languages and formats: the value found, or none, for each.
use super::*;

/// The value `find` gives for the first occurrence of `word` in `text`.
fn value(text: &str, word: &str, kind: Kind, code: bool) -> Option<String> {
    let at = text.find(word).expect("the word is in the text");
    find(
        text.as_bytes(),
        at..at + word.len(),
        kind,
        code,
        &Facts::default(),
    )
    .map(|n| text[n.value].to_string())
}

const KEY: &str = "k8Jq2xW7mZ4vT9nR3pL6";
const PASSWORD: &str = "Tr0ub4dor&3x";

#[test]
fn names_split_into_words_in_every_casing() {
    assert_eq!(words("dbPassword"), ["db", "password"]);
    assert_eq!(words("API_KEY"), ["api", "key"]);
    assert_eq!(
        words("spring.datasource.password"),
        ["spring", "datasource", "password"]
    );
    assert_eq!(words("XMLHttpToken"), ["xml", "http", "token"]);
    assert_eq!(words("x-api-key"), ["x", "api", "key"]);
    assert_eq!(words("oauth2ClientSecret"), ["oauth2", "client", "secret"]);
}

#[test]
fn the_head_word_decides_the_kind() {
    assert_eq!(classify("DB_PASSWORD"), Some(Kind::Password));
    assert_eq!(classify("stripeApiKey"), Some(Kind::ApiKey));
    assert_eq!(classify("AWS_ACCESS_KEY"), Some(Kind::ApiKey));
    assert_eq!(classify("client_secret"), Some(Kind::Secret));
    assert_eq!(classify("signingKey"), Some(Kind::Secret));
    assert_eq!(classify("authToken"), Some(Kind::Token));
    assert_eq!(classify("GITLAB_TOKEN"), Some(Kind::Token));
    for not in [
        "token_url",
        "passwordField",
        "client_id",
        "api_key_header",
        "secret_name",
        "password_hash",
        "publishableKey",
        "TOKEN_TYPE",
        "passwordPattern",
        "keyboard",
        "pass",
    ] {
        assert_eq!(classify(not), None, "{not}");
    }
}

#[test]
fn assignments_in_code_and_configuration() {
    let cases = [
        (
            format!(r#"const dbPassword = "{PASSWORD}";"#),
            "Password",
            Kind::Password,
            true,
        ),
        (
            format!(r#"DB_PASSWORD = '{PASSWORD}'"#),
            "PASSWORD",
            Kind::Password,
            true,
        ),
        (
            format!(r#"  "apiKey": "{KEY}","#),
            "apiKey",
            Kind::ApiKey,
            false,
        ),
        (
            format!("stripe_api_key: {KEY}\n"),
            "api_key",
            Kind::ApiKey,
            false,
        ),
        (format!("API_TOKEN={KEY}\n"), "TOKEN", Kind::Token, false),
        (format!(r#"token := "{KEY}""#), "token", Kind::Token, true),
        (
            format!(r#"config.client_secret = b"{KEY}""#),
            "secret",
            Kind::Secret,
            true,
        ),
        (
            format!(r#":webhook_secret => "{KEY}","#),
            "secret",
            Kind::Secret,
            true,
        ),
        (
            format!(r#"connect(user="app", password="{PASSWORD}")"#),
            "password",
            Kind::Password,
            true,
        ),
    ];
    for (text, word, kind, code) in cases {
        let want = if kind == Kind::Password {
            PASSWORD
        } else {
            KEY
        };
        assert_eq!(
            value(&text, word, kind, code).as_deref(),
            Some(want),
            "{text}"
        );
    }
}

#[test]
fn pairs_setters_and_fallbacks() {
    let cases = [
        format!(r#"headers.set("X-Api-Key", "{KEY}");"#),
        format!(r#"client.setApiKey("{KEY}");"#),
        format!(r#"key = os.environ.get("API_KEY", "{KEY}")"#),
        format!(r#"const k = process.env.API_KEY || "{KEY}";"#),
        format!("api:\n  key: ${{API_KEY:{KEY}}}\n").replace("key: ", "api_key: "),
    ];
    for text in &cases {
        let word = if text.contains("ApiKey") {
            "ApiKey"
        } else if text.contains("Api-Key") {
            "Api-Key"
        } else {
            "API_KEY"
        };
        let word = if text.contains("api_key:") {
            "api_key"
        } else {
            word
        };
        assert_eq!(
            value(text, word, Kind::ApiKey, !text.contains("api_key:")).as_deref(),
            Some(KEY),
            "{text}"
        );
    }
}

#[test]
fn xml_and_plist_resources() {
    let cases = [
        format!(r#"<string name="google_api_key">{KEY}</string>"#),
        format!(r#"<add key="ApiKey" value="{KEY}" />"#),
        format!("<key>ApiKey</key>\n\t<string>{KEY}</string>"),
        format!("<apiKey>{KEY}</apiKey>"),
    ];
    for text in &cases {
        let word = if text.contains("api_key") {
            "api_key"
        } else if text.contains("apiKey") {
            "apiKey"
        } else {
            "ApiKey"
        };
        assert_eq!(
            value(text, word, Kind::ApiKey, false).as_deref(),
            Some(KEY),
            "{text}"
        );
    }
}

#[test]
fn what_is_not_a_literal_credential() {
    let none = [
        ("if (password == input) {", "password", Kind::Password, true),
        ("password: String,", "password", Kind::Password, true),
        (
            "password = input(\"Password: \")",
            "password",
            Kind::Password,
            true,
        ),
        (
            "DB_PASSWORD=${DB_PASSWORD}",
            "PASSWORD",
            Kind::Password,
            false,
        ),
        (
            "api_key = os.environ[\"API_KEY\"]",
            "api_key",
            Kind::ApiKey,
            true,
        ),
        (
            "TOKEN_URL = \"https://auth.example.com/oauth/token\"",
            "TOKEN",
            Kind::Token,
            true,
        ),
        (
            "\"password\": \"Enter your password\"",
            "password",
            Kind::Password,
            false,
        ),
        (
            "secret: ENC[AES256_GCM,data:abc,iv:def]",
            "secret",
            Kind::Secret,
            false,
        ),
        (
            "password: $2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
            "password",
            Kind::Password,
            false,
        ),
        (
            "api_key = \"550e8400-e29b-41d4-a716-446655440000\"",
            "api_key",
            Kind::ApiKey,
            true,
        ),
        ("token = `Bearer ${t}`", "token", Kind::Token, true),
        (
            "<input type=\"password\" name=\"pw\">",
            "password",
            Kind::Password,
            false,
        ),
        ("apiKey: process.env.API_KEY,", "apiKey", Kind::ApiKey, true),
        (
            "token = 'camelCaseIdentifierHere'",
            "token",
            Kind::Token,
            true,
        ),
    ];
    for (text, word, kind, code) in none {
        assert_eq!(value(text, word, kind, code), None, "{text}");
    }
}

#[test]
fn demo_values_are_found_and_marked() {
    let text = r#"jwtSecret: "your-256-bit-secret""#;
    let at = text.find("Secret").unwrap();
    let n = find(
        text.as_bytes(),
        at..at + 6,
        Kind::Secret,
        true,
        &Facts::default(),
    )
    .expect("found");
    assert_eq!(&text[n.value], "your-256-bit-secret");
    assert!(n.evidence.demo_value);
    assert_eq!(n.evidence.shape, Shape::Assignment);
    assert_eq!(n.evidence.name, "jwtSecret");
}

#[test]
fn bare_values_only_outside_code() {
    let text = format!("api_key = {KEY}\n");
    assert_eq!(value(&text, "api_key", Kind::ApiKey, true), None);
    assert_eq!(
        value(&text, "api_key", Kind::ApiKey, false).as_deref(),
        Some(KEY)
    );
}

#[test]
fn configuration_shapes_people_write() {
    let cases = [
        ("password \"Zq7rT2mWx9p\"\n", "password", "Zq7rT2mWx9p"),
        (
            "machine imap.example.com login me password Zq7rT2mW\n",
            "password",
            "Zq7rT2mW",
        ),
        ("  \"pass\": \"swordfish\",\n", "pass", "swordfish"),
        (
            "<Pass encoding=\"base64\">cGFzc3dvcmQxMjM=</Pass>",
            "Pass",
            "cGFzc3dvcmQxMjM=",
        ),
        (
            "<server password=\"Qx7!mW2pLz\" user=\"root\"/>",
            "password",
            "Qx7!mW2pLz",
        ),
    ];
    for (text, word, want) in cases {
        assert_eq!(
            value(text, word, Kind::Password, false).as_deref(),
            Some(want),
            "{text}"
        );
    }
    // A lower-case compound still names a password; prose with a space does not.
    assert_eq!(
        value("$dbpasswd = 'pass1234';", "passwd", Kind::Password, true).as_deref(),
        Some("pass1234")
    );
    assert_eq!(
        value(
            "The password is required.\n",
            "password",
            Kind::Password,
            false
        ),
        None
    );
    assert_eq!(
        value("  \"pass\": true,\n", "pass", Kind::Password, false),
        None
    );
}

#[test]
fn client_prefixes_typed_declarations_and_keyed_values() {
    let text = format!("NEXT_PUBLIC_MAPS_API_KEY={KEY}\n");
    assert_eq!(
        value(&text, "API_KEY", Kind::ApiKey, false).as_deref(),
        Some(KEY)
    );
    let text = format!("const SYNC_TOKEN: &str = \"{KEY}\";\n");
    assert_eq!(
        value(&text, "TOKEN", Kind::Token, true).as_deref(),
        Some(KEY)
    );
    let text = format!("{{ \"key\": \"apiKey\", \"value\": \"{KEY}\", \"enabled\": true }}");
    assert_eq!(
        value(&text, "apiKey", Kind::ApiKey, false).as_deref(),
        Some(KEY)
    );
    // A typed declaration without a value, and a public key, are not credentials.
    assert_eq!(
        value("let token: String = read();", "token", Kind::Token, true),
        None
    );
    assert_eq!(
        value(&format!("PUBLIC_KEY={KEY}"), "KEY", Kind::Secret, false),
        None
    );
}

#[test]
fn a_value_that_repeats_its_name_is_a_label() {
    assert_eq!(
        value(
            "{ \"password\": \"Password\" }",
            "password",
            Kind::Password,
            false
        ),
        None
    );
    assert_eq!(
        value("ACCESS_TOKEN: 'ACCESS_TOKEN',", "TOKEN", Kind::Token, true),
        None
    );
}

#[test]
fn a_lower_case_echo_is_a_weak_password() {
    let text = "password \"password\"\n";
    let n = find(
        text.as_bytes(),
        0..8,
        Kind::Password,
        false,
        &Facts::default(),
    )
    .expect("found");
    assert!(n.evidence.demo_value);
}

#[test]
fn android_meta_data_names_its_value_with_a_namespace() {
    let line = r#"<meta-data android:name="com.acme.sdk.API_KEY" android:value="Qm7Lx2Wq9Tz4Rp8Kv1Nb5Jh3Fd6Gs0A">"#;
    assert_eq!(
        value(line, "PI_KEY", Kind::ApiKey, false).as_deref(),
        Some("Qm7Lx2Wq9Tz4Rp8Kv1Nb5Jh3Fd6Gs0A")
    );
    // A namespace is letters and one colon; anything else between the two is not a pair.
    let other =
        r#"<x android:name="com.acme.API_KEY" a-b:value="Qm7Lx2Wq9Tz4Rp8Kv1Nb5Jh3Fd6Gs0A">"#;
    assert_eq!(value(other, "PI_KEY", Kind::ApiKey, false), None);
}
