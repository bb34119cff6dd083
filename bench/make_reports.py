#!/usr/bin/env python3
"""Write JSONL reports as `leakhound git --format jsonl --label` writes them, for bench/merge.sh.

  make_reports.py DIR [--files N] [--findings N] [--show-secrets]

Each of N files is one repository (`--label org/repo-K`). Findings are a mix like an audit's:
configuration secrets, signing keys and JWTs (with claims, commits, proof links), and one in
ten secrets is shared with other repositories, so the merge has places to fold together. With
--show-secrets the secrets are raw (`redacted: false`) and every token is signed by a key of
another repository, so the merge also runs proof across reports.
"""
import base64, hashlib, hmac, json, os, sys


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def fingerprint(rule, secret):
    return hashlib.sha256(rule.encode() + b"\0" + secret.encode()).hexdigest()


def redact(s):
    n = len(s)
    return s[: min(4, n // 2)] + "…(%d)" % n


def token(i, key):
    head = b64(b'{"alg":"HS256","typ":"JWT"}')
    body = b64(json.dumps({"sub": "svc-%d" % i, "iss": "auth.example.com", "iat": 1700000000}).encode())
    sig = b64(hmac.new(key.encode(), (head + "." + body).encode(), hashlib.sha256).digest())
    return head + "." + body + "." + sig


def finding(repo, i, show):
    kind = i % 10
    shared = i % 10 == 3
    n = i % 1000 if shared else repo * 100_000 + i
    commit = hashlib.sha1(b"%d-%d" % (repo, i)).hexdigest()
    if kind in (0, 1):
        rule, name = "jwt.hmac-key.node", "JWT signing key in a jsonwebtoken call"
        secret = "bench-Signing-Key-%08d" % n
        path, before = "src/auth/issue%d.js" % (i % 50), "jwt.sign({ sub: u.id }, '"
        extra = {}
    elif kind == 2:
        rule, name = "jwt.token", "JSON Web Token"
        secret = token(n, "bench-Signing-Key-%08d" % (n + 1))
        path, before = "client/api%d.js" % (i % 50), "const token = '"
        extra = {"jwt": {"alg": "HS256", "typ": "JWT", "iss": "auth.example.com", "iat": 1700000000,
                         "flags": ["no-expiry"]}}
    else:
        rule, name = "jwt.hmac-key.config", "JWT secret in a configuration value"
        secret = "bench-Config-Secret-%08d" % n
        path, before = "config/service%d.env" % (i % 200), "JWT_SECRET="
        extra = {}
    line, col = 1 + i % 400, 1 + len(before)
    shown = secret if show else redact(secret)
    f = {
        "rule_id": rule, "rule_name": name, "severity": "critical" if rule != "jwt.token" else "high",
        "confidence": "high", "path": path, "line": line, "column": col, "end_line": line,
        "end_column": col + len(secret), "secret": shown, "redacted": not show,
        "fingerprint": fingerprint(rule, secret), "message": name,
        "excerpt": before + "«" + shown + "»", **extra,
        "commit": commit, "commit_time": 1700000000 + i, "label": "org/repo-%d" % repo,
    }
    return f


def main():
    out = sys.argv[1]
    files = int(sys.argv[sys.argv.index("--files") + 1]) if "--files" in sys.argv else 100
    total = int(sys.argv[sys.argv.index("--findings") + 1]) if "--findings" in sys.argv else 100_000
    show = "--show-secrets" in sys.argv
    os.makedirs(out, exist_ok=True)
    per = total // files
    for repo in range(files):
        with open(os.path.join(out, "repo-%d.jsonl" % repo), "w") as fh:
            for i in range(per):
                fh.write(json.dumps(finding(repo, i, show), ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
