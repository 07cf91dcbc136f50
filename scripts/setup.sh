#!/usr/bin/env bash
# Installs what Trailscope's build and tests need, idempotently: each tool is skipped when present at
# the right version. Sourced by scripts/run.sh and scripts/check.sh; run alone to prepare a machine.
#
#   scripts/setup.sh            # everything (build + tests)
#   scripts/setup.sh build      # only what building and serving needs
#
# Versions are pinned here and in Cargo.toml / package.json / Trunk.toml; see README "Toolchain".
set -euo pipefail

TRUNK_VERSION=0.21.14        # 0.22 needs a newer rustc than this machine's 1.95
WASM_BINDGEN_VERSION=0.2.130 # must equal the wasm-bindgen crate pinned in Cargo.toml

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOGS="$ROOT/target/setup-logs"
mkdir -p "$LOGS"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

say() { printf '\033[1;36m==>\033[0m %s\n' "$*"; }
fail() {
  printf '\033[1;31mSetup failed:\033[0m %s\n' "$1" >&2
  if [ -n "${2:-}" ] && [ -f "$2" ]; then
    printf '  Last lines of %s:\n' "$2" >&2
    tail -n 15 "$2" | sed 's/^/    /' >&2
  fi
  exit 1
}
# run LOG DESCRIPTION CMD...: runs CMD with its output in LOG; on failure says what could not be done.
run() {
  local log="$LOGS/$1" what="$2"
  shift 2
  if ! "$@" >"$log" 2>&1; then
    fail "could not $what (command: $*)." "$log"
  fi
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi
}

need() {
  command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed, and Trailscope cannot install it: $2"
}

setup_rust() {
  need cargo "install Rust with rustup (https://rustup.rs)."
  need rustup "install Rust with rustup (https://rustup.rs)."
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    run rustup-target.log "add the wasm32 target" rustup target add wasm32-unknown-unknown
  fi
  if ! rustup component list --installed 2>/dev/null | grep -q '^clippy'; then
    run rustup-clippy.log "add clippy" rustup component add clippy rustfmt
  fi
  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    say "Installing trunk $TRUNK_VERSION (compiles for about 9 minutes, once)"
    run trunk.log "install trunk $TRUNK_VERSION" cargo install --locked "trunk@$TRUNK_VERSION"
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (compiles for about 3 minutes, once)"
    # Not --locked: its lock file names a crate version this registry lacks.
    run wasm-bindgen.log "install wasm-bindgen-cli $WASM_BINDGEN_VERSION" cargo install "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
  fi
}

setup_node() {
  need node "install Node.js 18 or newer."
  need npm "install npm."
  # package.json pins binaryen (wasm-opt; Debian's 108 cannot read current rustc output) and playwright-core.
  if ! { wasm-opt --version 2>/dev/null | grep -q 'version 132' && [ -f "$ROOT/node_modules/playwright-core/package.json" ]; }; then
    say "Installing wasm-opt (npm binaryen) and playwright-core"
    (cd "$ROOT" && run npm.log "install the npm packages (binaryen, playwright-core)" npm ci --no-audit --no-fund)
  fi
}

setup_chromium() {
  if ! { command -v chromium >/dev/null && command -v chromedriver >/dev/null; }; then
    say "Installing Debian's chromium and chromium-driver (for the browser tests)"
    run apt-update.log "update the apt package lists (needs root)" as_root apt-get update
    run apt-chromium.log "install chromium and chromium-driver (needs root)" \
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver
  fi
}

setup_all() {
  setup_rust
  setup_node
  if [ "${1:-all}" = all ]; then
    setup_chromium
  fi
}

# Run as a script (not sourced): install now.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  setup_all "${1:-all}"
  say "Tools ready"
fi
