#!/usr/bin/env bash
# Runs the product: relay + widget + demo site, on the embedded SQLite default (./tandem.db).
# Installs what is missing, builds the widget and the relay, creates a demo adviser, serves.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-widget.sh
cargo build --locked --release -p tandem-relay
relay=target/release/tandem-relay
export TANDEM_DB="${TANDEM_DB:-./tandem.db}"
export TANDEM_ADDR="${TANDEM_ADDR:-127.0.0.1:8080}"
printf 'demo-password' | "$relay" adviser add --login demo --name "Camille (démo)" >/dev/null
cat <<EOT

  Tandem is starting on http://$TANDEM_ADDR
  1. Visitor:  open http://$TANDEM_ADDR/demo/ and click "Discuter avec un conseiller"
  2. Adviser:  open http://$TANDEM_ADDR/console  (login: demo, password: demo-password),
               click "Available", and the visitor is yours.
  CRM API:     $relay token create --name my-crm, then
               curl -H "Authorization: Bearer <token>" http://$TANDEM_ADDR/api/v1/sessions

EOT
exec "$relay" serve --demo-site examples/demo-site
