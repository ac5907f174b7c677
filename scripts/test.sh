#!/usr/bin/env bash
# Runs every check and test from a fresh machine: installs what is missing, builds the widget
# and console (the browser tests load them), checks formatting and lints, then runs the tests
# (protocol, relay, widget and console logic, relay integration, headless Chromium end to end).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== format"
cargo fmt --all -- --check
echo "== build the widget and console"
bash scripts/build-widget.sh
echo "== lints"
cargo clippy --locked --workspace --all-targets -- -D warnings
echo "== tests"
# The fault-injection tests start the real relay binary.
cargo build --locked -p tandem-relay
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --locked --workspace 2>&1 | tee "$log"
# One closing line for the whole run, summed over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
