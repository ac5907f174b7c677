#!/usr/bin/env bash
# Runs the product: relay + widget + demo site, on the embedded SQLite default (./tandem.db).
# Installs what is missing, builds the widget and the relay, creates a demo adviser, serves.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-widget.sh
cargo build --locked --release -p tandem-relay
relay=target/release/tandem-relay
export TANDEM_STORE="${TANDEM_STORE:-${TANDEM_DB:-./tandem.db}}"
export TANDEM_ADDR="${TANDEM_ADDR:-127.0.0.1:8080}"
# One account of each role (docs/roles.md); the first account of a store is its admin.
printf 'admin-password' | "$relay" adviser add --login admin --name "Alex (admin)" --role admin >/dev/null
printf 'demo-password' | "$relay" adviser add --login demo --name "Camille (démo)" >/dev/null
printf 'expert-password' | "$relay" adviser add --login expert --name "Max (expert)" --level 2 >/dev/null
printf 'chef-password' | "$relay" adviser add --login chef --name "Sam (superviseur)" \
  --role supervisor >/dev/null
"$relay" queue set billing --name-en "Billing" --name-fr "Facturation" \
  --hours "Mo-Fr 09:00-18:00; PH off" --timezone Europe/Paris --position 1 >/dev/null
# The knowledge base the widget suggests as visitors type their reason (fixed ids: re-running
# replaces them).
add_article() { "$relay" article add --id "$1" --locale "$2" --title "$3" --body "$4" >/dev/null; }
add_article demo-rib fr "Changer de RIB" "Dans votre espace adhérent, rubrique « Mes coordonnées bancaires », déposez votre nouveau RIB : il est pris en compte pour les remboursements suivants sous 48 heures."
add_article demo-remboursement fr "Délai de remboursement" "Vos soins sont remboursés sous 48 heures après réception de la télétransmission de la Sécurité sociale. Sans télétransmission, envoyez-nous le décompte depuis votre espace."
add_article demo-attestation fr "Obtenir une attestation de droits" "Téléchargez votre attestation dans votre espace adhérent, rubrique « Mes documents » : elle est disponible immédiatement."
add_article demo-carte fr "Carte de tiers payant perdue" "Déclarez la perte dans votre espace : une nouvelle carte part sous 5 jours. En attendant, téléchargez une attestation de tiers payant."
add_article demo-refund en "How long does a refund take?" "Claims are refunded within 48 hours of the social security's electronic transfer."
# A second site on the same relay: its own key, origins, queue, colour, corner and greeting.
second_port="${TANDEM_SECOND_SITE_PORT:-8081}"
"$relay" queue set travaux --name-en "Repairs" --name-fr "Travaux et dépannage" \
  --hours "Mo-Sa 08:00-20:00" --timezone Europe/Paris >/dev/null
"$relay" site set brico --name "Brico Dépannage" --queues travaux \
  --origins "http://127.0.0.1:$second_port,http://localhost:$second_port" \
  --color "#15803d" --position left --launcher-text-fr "Une question sur vos travaux ?" \
  --greeting-fr "Bonjour ! Un artisan-conseiller vous répond du lundi au samedi, de 8 h à 20 h." \
  --greeting-en "Hello! A repair adviser answers Monday to Saturday, 8 am to 8 pm." >/dev/null
python3 -m http.server "$second_port" --bind 127.0.0.1 --directory examples/second-site \
  >/dev/null 2>&1 &
second_site=$!
trap 'kill $second_site 2>/dev/null || true' EXIT
cat <<EOT

  Tandem is starting on http://$TANDEM_ADDR
  1. Adviser:  open http://$TANDEM_ADDR/console  (login: demo, password: demo-password)
               and click "Available". A level-2 expert can take escalations: login
               expert, password expert-password. A supervisor watches chats in
               progress, whispers and takes over: login chef, password chef-password.
               The admin manages sites, queues, articles: login admin, password
               admin-password.
  2. Visitor:  in another window, open http://$TANDEM_ADDR/demo/, click "Discuter avec un
               conseiller" and send the form: the chat appears in the console (a form
               opened while nobody is available offers the chat as soon as someone is,
               and a message until then). "Facturation" is open
               Mon-Fri 9:00-18:00 (Paris); outside hours visitors leave a message or book a
               callback, answered in the console's Tickets.
  3. Second site: http://127.0.0.1:$second_port/ (Brico Dépannage, key "brico": green
               launcher bottom left, its own queue); manage sites in the console's Sites page.
  CRM API:     $relay token create --name my-crm --scope read, then
               curl -H "Authorization: Bearer <token>" http://$TANDEM_ADDR/api/v1/sessions

EOT
"$relay" serve --demo-site examples/demo-site
