#!/usr/bin/env bash
# The quick loop while working (about a minute once built): formatting, lints, and the tests
# that need no browser, no socket and no other server: unit tests of every crate, the protocol
# crate's golden frames and fuzzing, and the hub tier (the hub's rules on a temporary SQLite
# file). `bash scripts/test.sh` runs everything, as CI does.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== format"
cargo fmt --all -- --check
echo "== lints"
cargo clippy --workspace --all-targets -- -D warnings
echo "== unit, protocol and hub tests"
cargo test --workspace --lib --bins
cargo test -p tandem-shared --tests
cargo test -p tandem-relay --test hub
