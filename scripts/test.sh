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
cargo test --locked --workspace
