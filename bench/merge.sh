#!/usr/bin/env bash
# Times `leakhound merge` on 100 JSONL reports with 100,000 findings in all (issue 17's floor:
# under 2 s on a release build), redacted as reports usually are and with --show-secrets
# (where every token is checked against every key of every report). Prints one row per
# case and output format: the median wall seconds of RUNS runs and the peak RSS.
# Usage: bash bench/merge.sh [RUNS]   (LEAKHOUND=path/to/leakhound to time another build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
bin=${LEAKHOUND:-${CARGO_TARGET_DIR:-target}/release/leakhound}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/make_reports.py "$work/redacted" --files 100 --findings 100000
python3 bench/make_reports.py "$work/raw" --files 100 --findings 100000 --show-secrets
printf '| reports | format | findings in | merged | wall s (median of %s) | CPU s | peak RSS MiB |\n|---|---|---|---|---|---|---|\n' "$runs"
for set in redacted raw; do
  for format in json sarif text; do
    walls=(); cpus=(); rss=0
    for _ in $(seq "$runs"); do
      /usr/bin/time -o "$work/.time" -f '%e %U %S %M' "$bin" merge "$work/$set"/*.jsonl --format "$format" -q \
        -o "$work/out" 2>/dev/null || true
      read -r wall user sys kb < <(tail -n 1 "$work/.time")
      walls+=("$wall")
      cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')")
      [ "$kb" -gt "$rss" ] && rss=$kb
    done
    merged=$("$bin" merge "$work/$set"/*.jsonl --format jsonl 2>/dev/null | wc -l || true)
    mid=$(( (runs + 1) / 2 ))
    median=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "${mid}p")
    cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "${mid}p")
    printf '| %s | %s | 100000 | %s | %s | %s | %s |\n' "$set" "$format" "$merged" "$median" "$cpu" "$((rss / 1024))"
  done
done
