#!/usr/bin/env bash
# Clones each repository of one batch in full (`git clone --mirror`: every branch, tag and
# pull request ref) and scans its history with `leakhound git --format jsonl --label
# OWNER/NAME`, writing OUT_DIR/OWNER__NAME.jsonl. A repository that cannot be cloned or
# scanned is recorded in OUT_DIR/status-BATCH.jsonl (one JSON object per repository: name,
# status ok|errors|failed, findings, detail) and the batch goes on; the step fails only when
# it cannot start.
#
# Environment: REPOSITORIES (space-separated OWNER/NAME), BATCH (the matrix batch number),
# LEAKHOUND (the binary), OUT_DIR, GIT_URL (clone URLs are GIT_URL/OWNER/NAME.git; the
# workflow passes its server, tests and mirrors a file:// or other base), ORG_AUDIT_TOKEN
# (optional; given to git through GIT_ASKPASS, never on a command line) and GIT_USER (the
# user name sent with it, default x-access-token as GitHub wants; gitlab-ci-token on GitLab).
# Outside GitHub Actions, GITHUB_OUTPUT may be unset.
set -euo pipefail

name_re='^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$'
fail() { echo "::error title=org-audit::$*"; exit 2; }

[[ "${BATCH:-}" =~ ^[0-9]+$ ]] || fail "BATCH must be a number (not '${BATCH:-}')"
[ -x "${LEAKHOUND:-}" ] || fail "LEAKHOUND '${LEAKHOUND:-}' is not an executable"
: "${OUT_DIR:?OUT_DIR names where the reports go}"
: "${GIT_URL:?GIT_URL is the base of the clone URLs}"
mkdir -p "$OUT_DIR"
status_file="$OUT_DIR/status-$BATCH.jsonl"
: >"$status_file"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# git asks this program for the user name and password; it prints the token from the
# environment, so the token is in no URL, argument, file or log.
export GIT_TERMINAL_PROMPT=0
if [ -n "${ORG_AUDIT_TOKEN:-}" ]; then
  cat >"$work/askpass" <<'ASKPASS'
#!/bin/sh
case "$1" in
  Username*) printf '%s\n' "${GIT_USER:-x-access-token}" ;;
  *) printf '%s\n' "$ORG_AUDIT_TOKEN" ;;
esac
ASKPASS
  chmod 700 "$work/askpass"
  export GIT_ASKPASS="$work/askpass"
fi

# One status line; detail is why the command failed.
record() {
  jq -n -c --arg repository "$1" --arg status "$2" --argjson findings "$3" --arg detail "$4" \
    '{repository: $repository, status: $status, findings: $findings, detail: $detail}' >>"$status_file"
}
# The first `fatal:` or `error:` line of a command's messages (git's and leakhound's), or
# else its last line.
reason() {
  { grep -m 1 -E '(^|: )(fatal|error):' "$1" || grep -v '^[[:space:]]*$' "$1" | tail -n 1; } \
    | tr -d '\r' | cut -c1-300
}
# git's and leakhound's messages quote the hostile repositories (paths, remote messages): they
# are printed with workflow commands stopped, so no line of them can act as one.
show() {
  local token
  [ -s "$1" ] || return 0
  token="stop-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
  echo "::stop-commands::$token"
  cat "$1"
  echo "::$token::"
}

read -r -a repositories <<<"${REPOSITORIES:-}"
failed=0 n=0
for repo in ${repositories[@]+"${repositories[@]}"}; do
  n=$((n + 1))
  if ! [[ "$repo" =~ $name_re ]] || [[ "${repo#*/}" == . || "${repo#*/}" == .. ]]; then
    echo "::warning title=org-audit::skipped an invalid repository name: $(printf '%s' "$repo" | jq -R .)"
    failed=$((failed + 1))
    continue
  fi
  clone="$work/$n.git"
  report="$OUT_DIR/${repo/\//__}.jsonl"
  log="$work/$n.log"
  echo "::group::$repo"
  if ! git -c credential.helper= clone --quiet --mirror -- "$GIT_URL/$repo.git" "$clone" 2>"$log"; then
    show "$log"
    echo "::warning title=org-audit::$repo: clone failed"
    record "$repo" failed 0 "clone: $(reason "$log")"
    failed=$((failed + 1))
    echo "::endgroup::"
    continue
  fi
  code=0
  env -u ORG_AUDIT_TOKEN "$LEAKHOUND" git --format jsonl --label="$repo" --fail-on never --quiet \
    --output "$report" "$clone" 2>"$log" || code=$?
  show "$log"
  rm -rf "$clone"
  findings=0
  if [ -f "$report" ]; then findings="$(wc -l <"$report" | tr -d ' ')"; fi
  if [ "$code" -eq 0 ]; then
    record "$repo" ok "$findings" ""
  elif [ "$code" -eq 2 ] && [ -f "$report" ]; then
    # Some inputs could not be read; what was read is reported.
    record "$repo" errors "$findings" "scan: $(reason "$log")"
    failed=$((failed + 1))
  else
    rm -f "$report"
    record "$repo" failed 0 "scan: exit $code: $(reason "$log")"
    failed=$((failed + 1))
  fi
  echo "$repo: $findings finding(s), exit $code"
  echo "::endgroup::"
done
echo "failed=$failed" >>"${GITHUB_OUTPUT:-/dev/null}"
echo "batch $BATCH: $n repositories, $failed with problems"
