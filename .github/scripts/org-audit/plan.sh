#!/usr/bin/env bash
# Lists an organisation's repositories with `gh`, keeps the ones the inputs select, and splits
# them into batches for a GitHub Actions matrix: outputs `matrix` (JSON: {"include": [{"batch":
# N, "repositories": "OWNER/A OWNER/B"}]}), `repositories`, `jobs` and `batch-size`, and
# writes the planned names, one a line, to $PLAN_FILE for the report to account for each.
#
# Environment: ORG; INCLUDE and EXCLUDE (globs matched case-insensitively against the
# repository name without the owner, separated by spaces, commas or new lines; empty INCLUDE
# keeps all); SKIP_ARCHIVED and SKIP_FORKS (true or false); BATCH_SIZE (repositories per job,
# raised when needed to stay within the matrix cap); LIMIT (most repositories listed);
# PLAN_FILE; GH_TOKEN for `gh`.
set -euo pipefail

# GitHub refuses a matrix of more than 256 jobs.
max_jobs=256
name_re='^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$'

fail() { echo "::error title=org-audit::$*"; exit 2; }
number() {
  [[ "$2" =~ ^[1-9][0-9]{0,6}$ ]] || fail "$1 must be a whole number from 1 to 9999999 (not '$2')"
}
flag() {
  case "$2" in true|false) ;; *) fail "$1 must be true or false (not '$2')" ;; esac
}

[[ "${ORG:-}" =~ ^[A-Za-z0-9_.-]+$ ]] && [[ "$ORG" != . && "$ORG" != .. ]] \
  || fail "org '${ORG:-}' is not an organisation or user name"
number batch-size "${BATCH_SIZE:-}"
number limit "${LIMIT:-}"
flag skip-archived "${SKIP_ARCHIVED:-}"
flag skip-forks "${SKIP_FORKS:-}"
: "${PLAN_FILE:?PLAN_FILE names where the planned repositories go}"

# Word splitting by `read` never expands globs, so the patterns stay patterns.
IFS=$', \t\n' read -r -d '' -a includes <<<"${INCLUDE:-}" || true
IFS=$', \t\n' read -r -d '' -a excludes <<<"${EXCLUDE:-}" || true
shopt -s nocasematch
matches_any() {
  local name=$1 pat
  shift
  for pat in "$@"; do
    # shellcheck disable=SC2053 # the pattern is a glob on purpose
    if [[ "$name" == $pat ]]; then return 0; fi
  done
  return 1
}

listing="$(mktemp)"
trap 'rm -f "$listing"' EXIT
gh repo list "$ORG" --limit "$LIMIT" --json nameWithOwner,isArchived,isFork >"$listing"
listed="$(jq 'if type == "array" then length else error("not a list") end' "$listing")" \
  || fail "gh repo list did not print a JSON list"
if [ "$listed" -ge "$LIMIT" ]; then
  echo "::warning title=org-audit::gh listed $listed repositories, the limit: raise 'limit' to audit the rest"
fi

# Names come from the API, JSON-encoded by jq so each is one line whatever it holds: anything
# that is not OWNER/NAME of this organisation (or names a directory, `.` or `..`) is skipped
# and shown still encoded, so no control character or workflow command reaches the log.
archived=0 forks=0 excluded=0
kept=() bad=()
while read -r is_archived is_fork quoted; do
  name="${quoted#\"}"
  name="${name%\"}"
  repo_name="${name#*/}"
  if [[ "\"$name\"" != "$quoted" ]] || ! [[ "$name" =~ $name_re ]] || [[ "${name%%/*}" != "$ORG" ]] \
      || [[ "$repo_name" == . || "$repo_name" == .. ]]; then
    bad+=("$quoted")
    continue
  fi
  if [ "$SKIP_ARCHIVED" = true ] && [ "$is_archived" = true ]; then
    archived=$((archived + 1))
  elif [ "$SKIP_FORKS" = true ] && [ "$is_fork" = true ]; then
    forks=$((forks + 1))
  elif { [ ${#includes[@]} -gt 0 ] && ! matches_any "$repo_name" "${includes[@]}"; } \
      || { [ ${#excludes[@]} -gt 0 ] && matches_any "$repo_name" "${excludes[@]}"; }; then
    excluded=$((excluded + 1))
  else
    kept+=("$name")
  fi
done < <(jq -r '.[]
  | "\((.isArchived? // false) == true) \((.isFork? // false) == true) \(.nameWithOwner? // "" | tostring | @json)"' \
  "$listing")
if [ ${#bad[@]} -gt 0 ]; then
  shown="$(IFS=,; echo "${bad[*]:0:5}")"
  echo "::warning title=org-audit::skipped ${#bad[@]} listed name(s) that are not $ORG/NAME: $shown"
fi

count=${#kept[@]}
size=$BATCH_SIZE
if [ $(( (count + size - 1) / size )) -gt "$max_jobs" ]; then
  size=$(( (count + max_jobs - 1) / max_jobs ))
fi
jobs=$(( (count + size - 1) / size ))
if [ "$count" -gt 0 ]; then
  printf '%s\n' "${kept[@]}" | LC_ALL=C sort >"$PLAN_FILE"
else
  : >"$PLAN_FILE"
fi
matrix="$(jq -R -s -c --argjson size "$size" '
  split("\n") | map(select(length > 0))
  | [range(0; length; $size) as $i | {batch: ($i / $size + 1), repositories: (.[$i:$i + $size] | join(" "))}]
  | {include: .}' "$PLAN_FILE")"

{
  echo "matrix=$matrix"
  echo "repositories=$count"
  echo "jobs=$jobs"
  echo "batch-size=$size"
} >>"${GITHUB_OUTPUT:-/dev/null}"
line="$ORG: $listed listed, $count to audit in $jobs job(s) of up to $size (skipped: $archived archived, $forks forks, $excluded by include/exclude, ${#bad[@]} invalid names)"
echo "$line"
printf '### org-audit plan\n\n%s\n' "$line" >>"${GITHUB_STEP_SUMMARY:-/dev/null}"
