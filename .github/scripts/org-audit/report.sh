#!/usr/bin/env bash
# Merges every batch's JSONL reports into one HTML and one SARIF report (`leakhound merge`:
# the same secret in several repositories is one entry, SARIF has one run per repository),
# and writes the job summary: totals, findings per repository, and every repository that
# failed or has no result. Outputs `findings` and `failed` (repositories with a problem, for
# the workflow's verdict step).
#
# Environment: LEAKHOUND (the binary), RESULTS_DIR (the batches' OWNER__NAME.jsonl and
# status-N.jsonl files), PLAN_FILE (the planned names, one a line), REPORT_DIR (where
# org-report.html and org-report.sarif go).
set -euo pipefail

fail() { echo "::error title=org-audit::$*"; exit 2; }
[ -x "${LEAKHOUND:-}" ] || fail "LEAKHOUND '${LEAKHOUND:-}' is not an executable"
[ -f "${PLAN_FILE:-}" ] || fail "PLAN_FILE '${PLAN_FILE:-}' is not a file"
: "${RESULTS_DIR:?RESULTS_DIR holds the batch results}"
: "${REPORT_DIR:?REPORT_DIR names where the reports go}"
mkdir -p "$RESULTS_DIR" "$REPORT_DIR"

shopt -s nullglob
# A repository without findings has an empty report: it adds nothing to the merge (which would
# name it by its file, having no finding to take the label from).
reports=()
for report in "$RESULTS_DIR"/*__*.jsonl; do
  if [ -s "$report" ]; then reports+=("$report"); fi
done
status_files=("$RESULTS_DIR"/status-*.jsonl)

# Every planned repository gets one status: its batch's, or "missing" when its job never
# wrote one (cancelled, timed out, or the runner was lost).
statuses="$(mktemp)"
trap 'rm -f "$statuses"' EXIT
cat ${status_files[@]+"${status_files[@]}"} /dev/null \
  | jq -s -c --rawfile plan "$PLAN_FILE" '
      (map({key: .repository, value: .}) | from_entries) as $got
      | [$plan | split("\n")[] | select(length > 0)
         | $got[.] // {repository: ., status: "missing", findings: 0, detail: "no result: its job did not finish"}]' \
  >"$statuses"

if [ ${#reports[@]} -gt 0 ]; then
  # Findings are the report's content, not a failure of this step: --fail-on never.
  for format in html sarif; do
    "$LEAKHOUND" merge --format "$format" --fail-on never --quiet \
      --output "$REPORT_DIR/org-report.$format" "${reports[@]}"
  done
fi

findings="$(jq '[.[].findings] | add // 0' "$statuses")"
failed="$(jq '[.[] | select(.status != "ok")] | length' "$statuses")"
{
  echo "findings=$findings"
  echo "failed=$failed"
} >>"${GITHUB_OUTPUT:-/dev/null}"

# Details are untrusted text (git's and leakhound's messages): punctuation is backslash-escaped
# so nothing forms Markdown or HTML, line breaks become spaces. Names were checked to be
# OWNER/NAME of letters, digits, `.`, `_` and `-`: a code span shows them as they are.
{
  echo "### org-audit: $findings finding(s) in $(jq length "$statuses") repositories"
  echo
  cat ${reports[@]+"${reports[@]}"} /dev/null | jq -s -r --slurpfile s "$statuses" '
    "| repositories scanned | with problems | findings | distinct secrets | critical | high | medium | low |",
    "|---|---|---|---|---|---|---|---|",
    "| \($s[0] | map(select(.status != "failed" and .status != "missing")) | length) | \($s[0] | map(select(.status != "ok")) | length) | \(length) | \(map(.fingerprint) | unique | length) | \(map(select(.severity == "critical")) | length) | \(map(select(.severity == "high")) | length) | \(map(select(.severity == "medium")) | length) | \(map(select(.severity == "low")) | length) |"'
  echo
  jq -r '
    def cell: tostring | gsub("[\r\n]+"; " ") | gsub("(?<c>[!-/:-@\\[-`{-~])"; "\\\(.c)");
    (map(select(.findings > 0)) | sort_by(-.findings, .repository)) as $hit
    | (map(select(.status != "ok"))) as $bad
    | (if ($hit | length) > 0 then
         "| repository | findings |", "|---|---|",
         ($hit[] | "| `\(.repository)` | \(.findings) |"), ""
       else "No secrets found.", "" end),
      (if ($bad | length) > 0 then
         "#### Repositories with problems", "",
         "| repository | status | detail |", "|---|---|---|",
         ($bad[] | "| `\(.repository)` | \(.status) | \(.detail | cell) |")
       else empty end)' "$statuses"
} >>"${GITHUB_STEP_SUMMARY:-/dev/null}"
echo "org-audit: $findings finding(s), $failed repositories with problems"
