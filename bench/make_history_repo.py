#!/usr/bin/env python3
"""Builds a git repository with a long, realistic history for `bench/compare.sh history`.

No public repository with >= 30k commits can be fetched here, so this replays development on
real source text: the first commit holds N real files from a corpus directory; every later
commit edits one to three files the way people do (replace or insert a few lines taken from
other real files), sometimes adds or deletes a file. Every PLANT_EVERY commits a fake secret of
a kind every compared scanner covers (PEM private key, GitHub token, Slack token, AWS key pair)
is committed and removed again a few commits later, so history holds secrets the tip does not.
Deterministic for a given seed. Writes a git fast-import stream to `git fast-import`.

usage: make_history_repo.py CORPUS_DIR OUT_REPO [COMMITS] [FILES]
"""
import os, random, subprocess, sys

corpus, out = sys.argv[1], sys.argv[2]
COMMITS = int(sys.argv[3]) if len(sys.argv) > 3 else 30000
FILES = int(sys.argv[4]) if len(sys.argv) > 4 else 3000
PLANT_EVERY = 500
rng = random.Random(20261129)

pool = []
for root, _, names in os.walk(corpus, followlinks=True):
    for n in names:
        if n.endswith((".rs", ".md", ".toml", ".c", ".h", ".py", ".js")):
            p = os.path.join(root, n)
            try:
                if 500 < os.path.getsize(p) < 24_000:
                    pool.append(p)
            except OSError:
                pass
pool.sort()
rng.shuffle(pool)
if len(pool) < FILES + 100:
    sys.exit(f"corpus too small: {len(pool)} files")

def read_lines(p):
    with open(p, "rb") as f:
        return f.read().decode("utf-8", "replace").splitlines(keepends=True)

def b62(n):
    a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(a) for _ in range(n))

def pem():
    # A real key, so scanners that parse key material accept it.
    return subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519"], capture_output=True, text=True, check=True).stdout

def secret_file(i):
    kind = (i // PLANT_EVERY) % 4
    if kind == 0:
        return f"deploy/key-{i}.pem", pem()
    if kind == 1:
        return f"ci/env-{i}.sh", f"export GITHUB_TOKEN=ghp_{b62(36)}\n"
    if kind == 2:
        return f"ops/notify-{i}.sh", f"SLACK_TOKEN=xoxb-{rng.randrange(10**11, 10**12)}-{rng.randrange(10**12, 10**13)}-{b62(24)}\n"
    return f"cloud/creds-{i}.ini", f"[default]\naws_access_key_id = AKIA{''.join(rng.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567') for _ in range(16))}\naws_secret_access_key = {b62(40)}\n"

files = {}
for p in pool[:FILES]:
    rel = os.path.relpath(p, corpus).replace(os.sep, "/")
    files[rel] = read_lines(p)
donors = pool[FILES:]
paths = sorted(files)
planted = {}  # path -> commit index to remove at
def blob_data(text):
    data = text.encode()
    return b"data %d\n" % len(data) + data + b"\n"

def commit(i, changes, msg):
    t = 1_600_000_000 + i * 600
    w(b"commit refs/heads/main\n")
    w(b"author Dev %d <dev%d@example.com> %d +0000\n" % (i % 17, i % 17, t))
    w(b"committer Dev %d <dev%d@example.com> %d +0000\n" % (i % 17, i % 17, t))
    w(blob_data(msg))
    for path, content in changes:
        if content is None:
            w(b"D " + path.encode() + b"\n")
        else:
            w(b"M 100644 inline " + path.encode() + b"\n")
            w(blob_data(content))

subprocess.run(["git", "init", "-q", "-b", "main", out], check=True)
stream = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=out, stdin=subprocess.PIPE)
w = stream.stdin.write
commit(0, [(p, "".join(files[p])) for p in paths], "import")
for i in range(1, COMMITS):
    changes = []
    for path, until in list(planted.items()):
        if i >= until:
            changes.append((path, None))
            del planted[path]
    if i % PLANT_EVERY == 0:
        path, text = secret_file(i)
        planted[path] = i + rng.randrange(1, 20)
        changes.append((path, text))
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        path = rng.choice(paths)
        lines = files[path]
        donor = read_lines(rng.choice(donors))
        start = rng.randrange(max(1, len(lines)))
        take = rng.randrange(1, 8)
        piece = donor[rng.randrange(max(1, len(donor))):][:take]
        if rng.random() < 0.5 and len(lines) > take:
            lines[start:start + take] = piece
        else:
            lines[start:start] = piece
        files[path] = lines[:600]
        changes.append((path, "".join(files[path])))
    commit(i, changes, f"change {i}")
stream.stdin.close()
stream.wait()
subprocess.run(["git", "-C", out, "checkout", "-q", "-f", "main"], check=True)
subprocess.run(["git", "-C", out, "gc", "--quiet"], check=True)
print(f"{out}: {COMMITS} commits, {len(paths)} files at the start")
