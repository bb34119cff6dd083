//! Credentials found by their names across languages and formats, end to end: the exact
//! findings, the evidence JSON carries, and the look-alikes that must stay quiet.

use crate::helpers::{scan_json, tree, triples};

const KEY: &str = "Hq7Lm2Vx9Kp4Wz8Rt3Yb6Nc";

#[test]
fn names_in_many_languages_give_exact_findings() {
    let dir = tree(&[
        ("api/config.js", &format!("module.exports = {{ mapsKey: process.env.MAPS_API_KEY || '{KEY}' }};\n")),
        ("api/app.py", "import os\n\ndb = connect(host='db', password='Tr0ub4dor&3x')\n"),
        ("deploy/compose.yml", "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: Xk9mPq2vL7w\n"),
        ("mobile/res/values/strings.xml", &format!("<resources>\n  <string name=\"partner_api_key\">{KEY}</string>\n</resources>\n")),
        ("tools/sync.rs", &format!("const SYNC_TOKEN: &str = \"{KEY}\";\n")),
        ("web/.env.production", &format!("NEXT_PUBLIC_ANALYTICS_TOKEN={KEY}\n")),
        // Look-alikes: a reference, a type, a placeholder, a UI string, a URL, a hash.
        ("api/env.js", "const token = process.env.TOKEN;\nconst password = req.body.password;\n"),
        ("web/types.ts", "interface Login { password: string; apiKey?: string }\n"),
        ("deploy/.env.example", "API_KEY=<your-api-key>\nDB_PASSWORD=${DB_PASSWORD}\n"),
        ("web/en.json", "{ \"password\": \"Password\", \"token_expired\": \"Session expired\" }\n"),
        ("api/oauth.py", "TOKEN_URL = \"https://auth.example.org/oauth/token\"\n"),
        ("db/seed.sql", "INSERT INTO users VALUES ('admin', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW');\n"),
    ]);
    let (doc, _) = scan_json(dir.path(), &[]);
    assert_eq!(
        triples(&doc),
        vec![
            ("generic.api-key".into(), "api/config.js".into(), 1),
            (
                "generic.api-key".into(),
                "mobile/res/values/strings.xml".into(),
                2
            ),
            ("generic.password".into(), "api/app.py".into(), 3),
            ("generic.password".into(), "deploy/compose.yml".into(), 4),
            ("generic.token".into(), "tools/sync.rs".into(), 1),
            ("generic.token".into(), "web/.env.production".into(), 1),
        ]
    );
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "api/config.js")
        .unwrap();
    assert_eq!(f["evidence"]["name"], "process.env.MAPS_API_KEY");
    assert_eq!(f["evidence"]["kind"], "api-key");
    assert_eq!(f["evidence"]["shape"], "fallback");
    assert_eq!(f["severity"], "high");
    assert_eq!(
        f["message"],
        "API key given to a key-named setting; name `process.env.MAPS_API_KEY`"
    );
}

#[test]
fn demo_values_are_low_and_sample_code_is_less_sure() {
    let dir = tree(&[
        (
            "server/auth.js",
            "app.use(session({ secret: 'keyboard cat' }));\n",
        ),
        (
            "tests/fixtures/settings.py",
            &format!("API_TOKEN = \"{KEY}\"\n"),
        ),
    ]);
    let (doc, _) = scan_json(dir.path(), &[]);
    let all = doc["findings"].as_array().unwrap();
    assert_eq!(all.len(), 2, "{doc:#}");
    let demo = all.iter().find(|f| f["path"] == "server/auth.js").unwrap();
    assert_eq!(demo["rule_id"], "generic.secret");
    assert_eq!(demo["severity"], "low");
    assert_eq!(demo["evidence"]["demo_value"], true);
    let sample = all
        .iter()
        .find(|f| f["path"] == "tests/fixtures/settings.py")
        .unwrap();
    assert_eq!(sample["rule_id"], "generic.token");
    assert_eq!(sample["severity"], "medium");
    assert_eq!(sample["confidence"], "low");
}

#[test]
fn a_specific_rule_wins_over_a_generic_one() {
    let dir = tree(&[(
        "ci.sh",
        "export GITHUB_TOKEN=ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R\n",
    )]);
    let (doc, _) = scan_json(dir.path(), &[]);
    assert_eq!(
        triples(&doc),
        vec![("github.token".into(), "ci.sh".into(), 1)]
    );
}

#[test]
fn pgpass_lines_are_read_as_passwords_and_placed_in_the_file() {
    let dir = tree(&[
        (
            "home/.pgpass",
            "# host:port:database:user:password\ndb.internal:5432:shop:shop_admin:Xk9#mP2vQ7wL4zR8\n*:*:*:reader:${READER_PW}\n",
        ),
        // The same line anywhere else names nothing.
        ("notes.txt", "db.internal:5432:shop:shop_admin:Xk9#mP2vQ7wL4zR8\n"),
    ]);
    let (doc, _) = scan_json(dir.path(), &["--show-secrets"]);
    assert_eq!(
        triples(&doc),
        vec![("generic.password".into(), "home/.pgpass".into(), 1)],
        "{doc:#}"
    );
    let f = &doc["findings"][0];
    assert_eq!(f["secret"], "Xk9#mP2vQ7wL4zR8");
    assert_eq!(f["detail"], "key db.internal:5432:shop:shop_admin");
    assert_eq!(f["region"]["line"], 2);
    assert_eq!(f["region"]["column"], 34);
}
