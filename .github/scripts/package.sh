#!/usr/bin/env bash
# Packs one release archive, as the Action expects to find it:
#   package.sh TARGET TAG BINARY OUTDIR
# writes OUTDIR/leakhound-TAG-TARGET.tar.gz (a .zip for Windows targets) holding the
# directory leakhound-TAG-TARGET/ with the binary and the README. The test suite lays out a
# simulated release with this same script, so the Action and the release cannot drift apart.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: package.sh TARGET TAG BINARY OUTDIR" >&2; exit 2; }
target=$1 tag=$2 binary=$3 out=$4
root="$(cd "$(dirname "$0")/../.." && pwd)"
stem="leakhound-$tag-$target"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$stem" "$out"
out="$(cd "$out" && pwd)"
case "$target" in
  *windows*) exe=.exe archive="$stem.zip" ;;
  *) exe= archive="$stem.tar.gz" ;;
esac
cp "$binary" "$stage/$stem/leakhound$exe"
chmod 755 "$stage/$stem/leakhound$exe"
cp "$root/README.md" "$stage/$stem/"
case "$archive" in
  # Windows runners have 7-Zip and no zip(1); python3's zipfile serves elsewhere.
  *.zip) if command -v 7z >/dev/null; then
           (cd "$stage" && 7z a -tzip -bso0 "$out/$archive" "$stem")
         else
           (cd "$stage" && python3 -m zipfile -c "$out/$archive" "$stem")
         fi ;;
  *) tar -C "$stage" -czf "$out/$archive" "$stem" ;;
esac
echo "$out/$archive"
