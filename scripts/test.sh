#!/usr/bin/env bash
# Runs every check and test from a fresh machine: installs what is missing, builds the widget
# and console (the browser tests load them), checks formatting and lints, then runs the tests
# (protocol, relay, widget and console logic, relay integration, headless Chromium end to end),
# then the relay integration tests once more on a PostgreSQL store.
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
echo "== relay tests again, on a PostgreSQL store"
# The same relay integration tests, each relay on its own database of one throw-away
# PostgreSQL cluster (the browser tests, those that start the relay binary on an SQLite file,
# and the several-node tests, always on PostgreSQL, ran above).
TANDEM_TEST_STORE=postgres cargo test --locked -p tandem-tests --test relay -- \
  --skip postgres:: --skip restarts:: --skip operations:: --skip cluster:: 2>&1 | tee -a "$log"
# One closing line for the whole run, summed over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
