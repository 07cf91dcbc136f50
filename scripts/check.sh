#!/usr/bin/env bash
# Runs every check and test, as CI does (.ci/run calls exactly this). Installs what is missing first.
#   scripts/check.sh
# Steps: rustfmt, clippy (native and wasm32, -D warnings), rustdoc (native and wasm32, -D warnings), the
# forbidden-API check, cargo test (unit, integration, corpus; benches as tests), wasm-bindgen-test in
# headless Chromium, trunk build --release, and the Playwright end-to-end tests against dist/.
# Screenshots land in target/e2e-screenshots/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/setup.sh
source "$ROOT/scripts/setup.sh"
setup_all all
cd "$ROOT"
export TRAILSCOPE_CORPUS="${TRAILSCOPE_CORPUS:-$ROOT/../shared/corpus}"
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
export CHROME_BIN="${CHROME_BIN:-$(command -v chromium)}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { say "$1"; shift; "$@"; }

step "rustfmt" cargo fmt --all -- --check
step "clippy (native)" cargo clippy --all-targets --locked -- -D warnings
step "clippy (wasm32)" cargo clippy --target wasm32-unknown-unknown --lib --bins --tests --locked -- -D warnings
# The API docs build without warnings (broken links, docs of private items named from public ones).
step "rustdoc (native)" env "RUSTDOCFLAGS=-D warnings" cargo doc --no-deps --locked
step "rustdoc (wasm32)" env "RUSTDOCFLAGS=-D warnings" cargo doc --no-deps --locked --target wasm32-unknown-unknown --lib
step "no HTML or code built from strings" "$ROOT/scripts/forbid.sh"
step "cargo test (native)" cargo test --locked
step "benchmarks, once each as tests" cargo test --locked --bench ingest --bench store_memory --bench filter
step "wasm-bindgen-test (headless Chromium)" cargo test --target wasm32-unknown-unknown --locked --test web
step "trunk build --release" trunk build --release
step "end-to-end tests (Playwright, Chromium)" node --test --test-concurrency=1 "$ROOT"/e2e/*.test.mjs
say "All checks passed"
