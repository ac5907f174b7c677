#!/usr/bin/env bash
# Runs the load harness at full scale (issue 9) and prints the table of BENCHMARKS.md: Tandem's
# relay (on SQLite and on PostgreSQL), the bare tokio-tungstenite echo ceiling and the socket.io
# 4.8 peer, side by side.
# Settings by environment: LOAD_PAIRS (5000), LOAD_RATE (1 msg/s), LOAD_BYTES (200),
# LOAD_CHAT_SECS (20), LOAD_IDLE_SECS (10), LOAD_SLOW_SECS (20), LOAD_COBROWSE_PAIRS (500),
# LOAD_COBROWSE_SECS (20), LOAD_TARGETS (tandem,tandem-pg,echo,socketio; tandem-pg: the relay on
# a PostgreSQL store of its own).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Each pair holds two sockets on each side; the machine allows 20,000 open files per process.
ulimit -n 20000
cargo build --locked --release -p tandem-relay
cargo bench --locked -p tandem-tests --bench load
