#!/usr/bin/env bash
# Three relay nodes on this machine, joined by a NATS server, on a throw-away PostgreSQL
# database: README "Running several nodes", to try. Ctrl-C stops everything and deletes the
# data. Ports: TANDEM_CLUSTER_PORTS (default "8081 8082 8083"), PostgreSQL 55432, NATS 54222.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh
bash scripts/build-widget.sh
cargo build --locked --release -p tandem-relay
relay=$PWD/target/release/tandem-relay
read -r -a ports <<<"${TANDEM_CLUSTER_PORTS:-8081 8082 8083}"
pg_port=55432
nats_port=54222
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d /tmp/tandem-cluster.XXXXXX)
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
# PostgreSQL refuses to run as root: run it as the postgres account then.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$work"
  as_pg=(setpriv --reuid=postgres --regid=postgres --clear-groups --)
fi
trap cleanup EXIT
trap 'exit 130' INT TERM
"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U tandem --auth trust -E UTF8 --locale C >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w \
  -o "-p $pg_port -k $work -c listen_addresses=127.0.0.1" start >/dev/null
"$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U tandem tandem
nats-server -a 127.0.0.1 -p "$nats_port" -l "$work/nats.log" &
pids+=($!)

export TANDEM_STORE="postgres://tandem@127.0.0.1:$pg_port/tandem"
export TANDEM_CLUSTER="nats://127.0.0.1:$nats_port"
printf 'demo-password' | "$relay" adviser add --login demo --name "Camille (démo)" >/dev/null
printf 'expert-password' | "$relay" adviser add --login expert --name "Max (expert)" --level 2 >/dev/null
for port in "${ports[@]}"; do
  "$relay" serve --addr "127.0.0.1:$port" --demo-site examples/demo-site 2>"$work/node-$port.log" >/dev/null &
  pids+=($!)
  sleep 1
done
sleep 1
for port in "${ports[@]}"; do
  printf '  node http://127.0.0.1:%s  %s' "$port" "$(curl -s "http://127.0.0.1:$port/healthz")"
  echo
done
cat <<EOT

  Three Tandem nodes share one PostgreSQL store and one NATS server; the first one leads.
  Visitor on one node:  http://127.0.0.1:${ports[1]}/demo/   (click "Discuter avec un conseiller")
  Adviser on another:   http://127.0.0.1:${ports[2]}/console (login demo, password demo-password)
  Each node's log:      $work/node-<port>.log
  Stop the leader (kill it) and watch the others take over: the chat resumes by itself.
  Ctrl-C stops everything.

EOT
wait "${pids[0]}"
