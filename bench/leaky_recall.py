#!/usr/bin/env python3
"""Per-file recall of leaky-repo's risk lines: `python3 bench/leaky_recall.py [LEAKY_REPO]`.

leaky-repo's `.leaky-meta/secrets.csv` gives, per file, how many lines carry a risk secret.
A file's recall is min(distinct lines with a finding, risk lines) / risk lines. This is a check,
not a target: most of its secrets (passwords, FTP configs) are outside leakhound's rule set.
"""
import collections, csv, json, os, subprocess, sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpora", "leaky-repo")
binary = os.path.join(os.path.dirname(__file__), "..", "target", "release", "leakhound")
out = subprocess.run([binary, "scan", root, "--no-ignore", "--format", "jsonl"], capture_output=True, text=True)
lines = collections.defaultdict(set)
for row in out.stdout.splitlines():
    f = json.loads(row)
    lines[f["path"]].add(f["line"])
risk_total = found_total = 0
rows = []
for rec in csv.reader(l for l in open(os.path.join(root, ".leaky-meta", "secrets.csv")) if l.strip() and not l.startswith("#")):
    name, risk = rec[0], int(rec[1])
    if risk == 0:
        continue
    found = min(len(lines.get(name, ())), risk)
    risk_total += risk
    found_total += found
    rows.append((name, found, risk))
for name, found, risk in sorted(rows):
    print(f"{name:45} {found}/{risk}")
extra = {p: l for p, l in lines.items() if p not in {r[0] for r in rows}}
print(f"files with a risk line found: {sum(1 for r in rows if r[1])}/{len(rows)}")
print(f"risk-line recall: {found_total}/{risk_total} = {found_total / risk_total:.2f}")
print(f"findings in files without risk lines: {sum(len(v) for v in extra.values())}")
