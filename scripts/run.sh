#!/usr/bin/env bash
# Builds Trailscope and serves it on http://127.0.0.1:8080 (installs the tools on first run).
#   scripts/run.sh            # release build, served from dist/
#   PORT=9000 scripts/run.sh  # another port
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/setup.sh
source "$ROOT/scripts/setup.sh"
setup_all build
cd "$ROOT"
say "Building (trunk build --release)"
trunk build --release >"$LOGS/trunk-build.log" 2>&1 || fail "the build failed." "$LOGS/trunk-build.log"
PORT="${PORT:-8080}"
say "Trailscope is at http://127.0.0.1:$PORT/  (Ctrl-C stops it)"
exec node "$ROOT/e2e/serve.mjs" "$ROOT/dist" "$PORT"
