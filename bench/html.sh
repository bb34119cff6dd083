#!/usr/bin/env bash
# Size of a 10,000-finding HTML report, and how long headless Chromium takes to open it and
# apply a filter from the URL. The timing copy of the page drops the content security policy
# (which admits only the report's own script) and adds one script at the end that forces
# layout and records performance.now(): parse, filter and layout from navigation start. The
# `blank` row is a one-line page with the same timing script: the browser's own share.
# Usage: bash bench/html.sh [RUNS] (needs chromium and a release build).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
bin=${CARGO_TARGET_DIR:-target}/release/leakhound
browser=${LEAKHOUND_BROWSER:-$(command -v chromium)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/make_findings_tree.py "$work/tree" 10000
"$bin" scan "$work/tree" --now 1764000000 -q --format html -o "$work/report.html" 2>/dev/null || true
rows=$(grep -c '^<tr id="f' "$work/report.html")
echo "report: $rows findings, $(wc -c <"$work/report.html") bytes"
python3 - "$work/report.html" "$work/timed.html" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
s = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', '', s, count=1)
s = s.replace('</body></html>', '<script>document.body.offsetHeight;'
              'document.body.setAttribute("data-ms", Math.round(performance.now()));</script></body></html>')
open(sys.argv[2], 'w').write(s)
PY
echo '<!DOCTYPE html><html><body><p>blank</p><script>document.body.offsetHeight;document.body.setAttribute("data-ms", Math.round(performance.now()));</script></body></html>' >"$work/blank.html"
printf '| view | rows shown | load + filter + layout ms (median of %s) | slowest run ms |\n|---|---|---|---|\n' "$runs"
for q in blank "" "?severity=critical" "?severity=medium" "?severity=high&q=svc07/"; do
  times=(); shown=
  for _ in $(seq "$runs"); do
    page="timed.html$q"
    [ "$q" = blank ] && page=blank.html
    dom=$("$browser" --headless --disable-gpu --no-sandbox --user-data-dir="$work/profile" \
      --dump-dom "file://$work/$page" 2>/dev/null)
    times+=("$(grep -o 'data-ms="[0-9]*"' <<<"$dom" | tr -dc 0-9)")
    shown=$(grep -o 'data-shown="[0-9]*"' <<<"$dom" | tr -dc 0-9 || true)
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  slowest=$(printf '%s\n' "${times[@]}" | sort -n | tail -1)
  printf '| `%s` | %s | %s | %s |\n' "${q:-(none)}" "$shown" "$median" "$slowest"
done
