#!/usr/bin/env python3
"""Builds the labelled accuracy corpus: `python3 bench/accuracy/make_corpus.py OUT_DIR`.

Each template below is one way people write a credential (or a look-alike that is not one)
in one language or format, written from framework documentation and common practice, not
from leakhound's rules. Templates are split by a hash of their name into a `tune` half and a
`holdout` half; only the tune half may be looked at when changing detection, and the README
reports both. Values are random (fixed seed), so no real secret is committed or generated.

Each positive line carries `@@kind` where its secret goes; the script writes the file with
the secret in place and records (path, line, kind) in labels.json.
"""
import hashlib
import json
import os
import random
import string
import sys

rng = random.Random(20261202)


def token(n=32, alphabet=string.ascii_letters + string.digits):
    return "".join(rng.choice(alphabet) for _ in range(n))


def password():
    # Mixed classes as password policies demand; `Qx7!` style.
    return token(5, string.ascii_uppercase) + token(4, string.digits) + rng.choice("!#%&*+-=?@^_") + token(5, string.ascii_lowercase)


VALUES = {
    "password": password,
    "api-key": lambda: token(32),
    "token": lambda: token(40),
    "secret": lambda: token(40, string.ascii_letters + string.digits + "-_"),
    "jwt-key": lambda: token(48, string.ascii_letters + string.digits + "-_"),
    "connection": password,
}

# (name, file path, text). `@@kind@@` marks a secret of that kind; files with none are
# negatives (any finding of medium severity or more in them is a false positive).
TEMPLATES = [
    ("node-env-fallback", "services/api/src/config.js", "module.exports = {\n  stripeKey: process.env.STRIPE_API_KEY || '@@api-key@@',\n  port: process.env.PORT || 3000,\n};\n"),
    ("node-session", "services/api/src/app.js", "const session = require('express-session');\napp.use(session({\n  secret: '@@secret@@',\n  resave: false,\n}));\n"),
    ("node-webhook", "services/billing/webhooks.ts", "const WEBHOOK_SECRET = \"@@secret@@\";\nexport function verify(sig: string, body: string) {\n  return hmac(WEBHOOK_SECRET, body) === sig;\n}\n"),
    ("node-axios", "web/src/lib/http.ts", "export const client = axios.create({\n  baseURL: API_URL,\n  headers: { 'X-Api-Key': '@@api-key@@' },\n});\n"),
    ("next-public", "web/.env.production", "NEXT_PUBLIC_API_URL=https://api.example.org\nNEXT_PUBLIC_MAPS_API_KEY=@@api-key@@\n"),
    ("vite-env", "web/.env", "VITE_APP_NAME=shop\nVITE_ANALYTICS_TOKEN=@@token@@\n"),
    ("spring-yaml", "services/orders/src/main/resources/application.yml", "spring:\n  datasource:\n    url: jdbc:postgresql://db:5432/orders\n    username: orders\n    password: @@password@@\n"),
    ("spring-props", "services/users/src/main/resources/application.properties", "server.port=8080\nspring.datasource.password=@@password@@\napp.jwt.expiration=3600\n"),
    ("spring-default", "services/users/src/main/resources/application-dev.yml", "app:\n  mail:\n    api-key: ${MAIL_API_KEY:@@api-key@@}\n"),
    ("java-field", "services/users/src/main/java/org/shop/Mailer.java", "public class Mailer {\n    private static final String API_TOKEN = \"@@token@@\";\n    private final String host = \"smtp.example.org\";\n}\n"),
    ("kotlin-const", "mobile/android/app/src/main/java/org/shop/Keys.kt", "object Keys {\n    const val PAYMENTS_SECRET = \"@@secret@@\"\n}\n"),
    ("go-struct", "services/gateway/config.go", "var cfg = Config{\n\tAddr:     \":8080\",\n\tPassword: \"@@password@@\",\n}\n"),
    ("go-getenv", "services/gateway/main.go", "func apiKey() string {\n\tif v := os.Getenv(\"PARTNER_API_KEY\"); v != \"\" {\n\t\treturn v\n\t}\n\treturn \"@@api-key@@\"\n}\n"),
    ("rust-const", "tools/sync/src/main.rs", "const SYNC_TOKEN: &str = \"@@token@@\";\nfn main() { run(SYNC_TOKEN); }\n"),
    ("python-settings", "services/reports/settings.py", "DEBUG = False\nEMAIL_HOST_PASSWORD = \"@@password@@\"\nALLOWED_HOSTS = ['*']\n"),
    ("python-environ", "services/reports/tasks.py", "import os\nSLACK_TOKEN = os.environ.get(\"SLACK_TOKEN\", \"@@token@@\")\n"),
    ("python-kwargs", "services/reports/db.py", "conn = psycopg2.connect(host='db', user='reports', password='@@password@@')\n"),
    ("csharp-appsettings", "services/admin/appsettings.json", "{\n  \"Logging\": { \"LogLevel\": { \"Default\": \"Information\" } },\n  \"Smtp\": { \"Host\": \"mail\", \"Password\": \"@@password@@\" }\n}\n"),
    ("csharp-code", "services/admin/Startup.cs", "var options = new ClientOptions {\n    ClientSecret = \"@@secret@@\",\n    Timeout = 30,\n};\n"),
    ("php-array", "legacy/config/services.php", "<?php\nreturn [\n    'mailgun' => [\n        'secret' => '@@secret@@',\n    ],\n];\n"),
    ("ruby-initializer", "legacy/config/initializers/stripe.rb", "Stripe.api_key = ENV.fetch('STRIPE_KEY', '@@api-key@@')\n"),
    ("ruby-hash", "legacy/config/storage.rb", "Storage.configure(access_key: '@@api-key@@', region: 'eu-west-1')\n"),
    ("elixir-config", "services/chat/config/prod.exs", "config :chat, Chat.Repo,\n  username: \"chat\",\n  password: \"@@password@@\"\n"),
    ("swift-plist", "mobile/ios/App/Info.plist", "<dict>\n\t<key>AnalyticsApiKey</key>\n\t<string>@@api-key@@</string>\n</dict>\n"),
    ("android-strings", "mobile/android/app/src/main/res/values/strings.xml", "<resources>\n    <string name=\"app_name\">Shop</string>\n    <string name=\"partner_api_key\">@@api-key@@</string>\n</resources>\n"),
    ("dart-const", "mobile/flutter/lib/env.dart", "class Env {\n  static const apiToken = '@@token@@';\n}\n"),
    ("docker-compose", "deploy/docker-compose.yml", "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: @@password@@\n"),
    ("k8s-stringdata", "deploy/k8s/secret.yaml", "apiVersion: v1\nkind: Secret\nstringData:\n  api-token: @@token@@\n"),
    ("github-actions", ".github/workflows/deploy.yml", "jobs:\n  deploy:\n    env:\n      DEPLOY_TOKEN: @@token@@\n"),
    ("ini-file", "tools/backup/backup.ini", "[storage]\nendpoint = https://s3.example.org\nsecret_key = @@secret@@\n"),
    ("toml-file", "tools/sync/config.toml", "[remote]\nurl = \"https://sync.example.org\"\nauth_token = \"@@token@@\"\n"),
    ("netrc", "deploy/.netrc", "machine api.example.org login deploy password @@password@@\n"),
    ("postman-env", "qa/postman/prod.postman_environment.json", "{\n  \"values\": [\n    { \"key\": \"apiKey\", \"value\": \"@@api-key@@\", \"enabled\": true }\n  ]\n}\n"),
    ("shell-export", "scripts/release.sh", "#!/bin/sh\nexport REGISTRY_PASSWORD='@@password@@'\ndocker login -u ci --password-stdin <<< \"$REGISTRY_PASSWORD\"\n"),
    ("xml-appsettings", "legacy/web.config", "<appSettings>\n  <add key=\"PaymentApiKey\" value=\"@@api-key@@\" />\n</appSettings>\n"),
    ("js-object", "web/src/firebase.js", "const firebaseConfig = {\n  projectId: 'shop-prod',\n  messagingToken: '@@token@@',\n};\n"),
    # Negatives: references, placeholders, UI strings, types, hashes, encrypted values.
    ("neg-env-lookups", "services/api/src/env.js", "const apiKey = process.env.API_KEY;\nconst token = getToken();\nconst password = req.body.password;\n"),
    ("neg-placeholders", "deploy/.env.example", "API_KEY=<your-api-key>\nDB_PASSWORD=changeme\nSECRET_KEY=${SECRET_KEY}\n"),
    ("neg-i18n", "web/src/locales/en.json", "{\n  \"password\": \"Password\",\n  \"passwordHint\": \"At least 8 characters\",\n  \"token_expired\": \"Your session expired\"\n}\n"),
    ("neg-types", "web/src/types.ts", "export interface Login {\n  password: string;\n  token?: string;\n  apiKey: ApiKeyType;\n}\n"),
    ("neg-hashes", "services/users/seed.sql", "INSERT INTO users (name, password) VALUES ('admin', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW');\n"),
    ("neg-sops", "deploy/secrets.enc.yaml", "db_password: ENC[AES256_GCM,data:Zm9vYmFy,iv:aXY=,tag:dGFn,type:str]\n"),
    ("neg-compare", "services/api/src/auth.go", "if password == confirm {\n\treturn errors.New(\"same\")\n}\n"),
    ("neg-urls", "services/api/src/oauth.py", "TOKEN_URL = \"https://auth.example.org/oauth/token\"\nAUTHORIZE_URL = \"https://auth.example.org/authorize\"\n"),
    ("neg-names", "services/api/src/keys.js", "const SECRET_NAME = \"prod/payments/stripe\";\nconst tokenType = \"Bearer\";\nconst passwordField = \"user_password\";\n"),
    ("neg-paths", "services/api/config/jwt.yaml", "jwt:\n  private_key: keys/private.pem\n  public_key: keys/public.pem\n"),
    ("neg-uuid", "services/api/config/ids.yaml", "tenant:\n  api_key_id: 550e8400-e29b-41d4-a716-446655440000\n"),
    ("neg-vault", "deploy/group_vars/all.yml", "db_password: \"{{ vault_db_password }}\"\napi_token: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n"),
    ("neg-prose", "docs/setup.md", "Set the password in your shell, then run the token command.\nThe API key is shown once.\n"),
]


def half(name):
    return "holdout" if hashlib.sha256(name.encode()).digest()[0] % 2 else "tune"


def main():
    out = sys.argv[1]
    labels = {"tune": [], "holdout": []}
    for name, path, text in TEMPLATES:
        part = half(name)
        lines = []
        for n, line in enumerate(text.split("\n"), 1):
            while "@@" in line:
                a = line.index("@@")
                b = line.index("@@", a + 2)
                kind = line[a + 2 : b]
                line = line[:a] + VALUES[kind]() + line[b + 2 :]
                labels[part].append({"path": path, "line": n, "kind": kind, "template": name})
            lines.append(line)
        dest = os.path.join(out, part, path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w") as f:
            f.write("\n".join(lines))
    for part, rows in labels.items():
        with open(os.path.join(out, part, "labels.json"), "w") as f:
            json.dump(rows, f, indent=1)
        print(f"{part}: {len(rows)} labelled secrets in {sum(1 for t in TEMPLATES if half(t[0]) == part)} files")


if __name__ == "__main__":
    main()
