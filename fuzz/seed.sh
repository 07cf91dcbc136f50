#!/usr/bin/env bash
# Seeds the fuzz corpus (fuzz/corpus/ingest, not committed) from the shared CloudTrail corpus and the
# ingest fixtures, each prefixed with a byte that picks the chunk size. Then runs the target:
#   fuzz/seed.sh && (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run ingest -- -max_total_time=600)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="${TRAILSCOPE_CORPUS:-$HERE/../../shared/corpus}"
OUT="$HERE/corpus/ingest"
mkdir -p "$OUT"
n=0
while IFS= read -r -d '' f; do
  case "$f" in *.index.tsv|*.md) continue ;; esac
  n=$((n + 1))
  { printf "\\x$(printf %02x $((n % 64)))"; head -c 200000 "$f"; } > "$OUT/seed-$n"
done < <(find "$SRC" "$HERE/../tests/fixtures/ingest" -type f -print0 | sort -z)
echo "seeded $n inputs in $OUT"
