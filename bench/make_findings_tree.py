#!/usr/bin/env python3
"""Writes a source tree with about N findings of every severity (default 10,000), for timing
reports of that size (bench/html.sh). Every secret is random, so none repeats across files;
each file holds one HMAC key and tokens it signs, so proof links keys to tokens.

Usage: make_findings_tree.py DIR [N]"""
import base64, hashlib, hmac, json, os, random, string, sys

PER_FILE = 20  # findings per file: 1 key, 4 tokens it signs, 5 expired, 5 github, 5 bearer


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt(claims, key):
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    sig = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


def word(rng, n, alphabet=string.ascii_letters + string.digits):
    return "".join(rng.choice(alphabet) for _ in range(n))


def main():
    root, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    rng = random.Random(17)
    for i in range((n + PER_FILE - 1) // PER_FILE):
        key = "k3y-" + word(rng, 28)
        lines = [f"const jwt = require('jsonwebtoken');",
                 f"const t = jwt.sign({{ sub: 'u' }}, '{key}', {{ expiresIn: '1h' }});"]
        for j in range(4):
            claims = {"sub": f"user-{i}-{j}", "iat": 1763990000, "exp": 1763990000 + 3600 * 24 * 30}
            lines.append(f'const live{j} = "{jwt(claims, key)}";')
        for j in range(5):
            claims = {"sub": f"old-{i}-{j}", "iat": 1600000000, "exp": 1600003600}
            lines.append(f'const old{j} = "{jwt(claims, "other-" + word(rng, 20))}";')
        for j in range(5):
            lines.append(f'const gh{j} = "ghp_{word(rng, 36)}";')
        for j in range(5):
            lines.append(f'fetch(u, {{ headers: {{ Authorization: "Bearer {word(rng, 31)}{rng.randrange(10)}" }} }});')
        path = os.path.join(root, f"svc{i % 50:02d}", f"mod{i:04d}.js")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")


main()
