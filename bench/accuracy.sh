#!/usr/bin/env bash
# Recall and precision per kind on the labelled corpus (bench/accuracy/make_corpus.py), for the
# tune half and the held-out half: `bash bench/accuracy.sh [LEAKHOUND_BINARY]`.
# A labelled secret is found when a finding of medium severity or more sits on its line; a
# finding of medium or more on no labelled line is a false positive (low findings, such as
# demo values, are informational and not counted either way).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/leakhound}
work=bench/work/accuracy
rm -rf "$work"
python3 bench/accuracy/make_corpus.py "$work" >/dev/null
for part in tune holdout; do
  "$bin" scan "$work/$part" --no-ignore --format jsonl >"$work/$part.jsonl" 2>/dev/null || true
  python3 - "$work/$part" "$part" <<'EOF'
import collections, json, sys
root, part = sys.argv[1], sys.argv[2]
labels = json.load(open(f"{root}/labels.json"))
rank = {"low": 0, "medium": 1, "high": 2, "critical": 3}
found = [json.loads(l) for l in open(f"{root}.jsonl")]
claims = {(f["path"], f["line"]) for f in found if rank[f["severity"]] >= 1}
want = {(l["path"], l["line"]) for l in labels}
per = collections.defaultdict(lambda: [0, 0])
for l in labels:
    per[l["kind"]][1] += 1
    per[l["kind"]][0] += (l["path"], l["line"]) in claims
fp = sorted(claims - want)
tp = len(claims & want)
print(f"{part}: recall {tp}/{len(want)} = {tp / len(want):.2f}, precision {tp}/{len(claims)} = {tp / max(len(claims), 1):.2f}")
for kind, (hit, n) in sorted(per.items()):
    print(f"  {kind:12} {hit}/{n}")
for p, line in fp:
    print(f"  false positive: {p}:{line}")
for l in labels:
    if (l["path"], l["line"]) not in claims:
        print(f"  missed: {l['path']}:{l['line']} ({l['kind']}, {l['template']})")
EOF
done
