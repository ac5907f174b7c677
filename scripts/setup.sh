#!/usr/bin/env bash
# Installs what building and testing Tandem needs on a fresh Debian machine. Idempotent: each
# step is skipped when its tool is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
command -v brotli >/dev/null || need_apt+=(brotli)
command -v npm >/dev/null || need_apt+=(npm)
# The ticket-email tests run a real local SMTP server (Python's aiosmtpd).
has_aiosmtpd() { python3 -c 'import aiosmtpd' 2>/dev/null || /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; }
has_aiosmtpd || need_apt+=(python3-aiosmtpd)
# The PostgreSQL store's tests create throw-away clusters (initdb, postgres, pg_dump).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
# Several relay nodes are joined by NATS (the cluster tests start a real nats-server).
command -v nats-server >/dev/null || need_apt+=(nats-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! has_aiosmtpd; then
  echo "setup: installing aiosmtpd with pip"
  python3 -m pip install --quiet aiosmtpd || python3 -m pip install --quiet --break-system-packages aiosmtpd
fi

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
# The browser builds compile the standard library for size (scripts/build-widget.sh).
rustup component list --installed | grep -q "^rust-src" || rustup component add rust-src

# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3}' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "setup: installing wasm-bindgen-cli $want (have: ${have:-none})"
  # Not --locked: its lockfile pins a crate version this registry lacks.
  cargo install wasm-bindgen-cli --version "=$want" --quiet
fi

# wasm-split cuts the widget's co-browsing module from the chat's (Leptos' split format, the
# tool cargo-leptos uses); pinned to the version checked with wasm_split_helpers in Cargo.lock.
split_version=0.2.4
if ! cargo install --list | grep -x "wasm_split_cli_support v$split_version:" >/dev/null; then
  echo "setup: installing wasm-split-cli $split_version"
  cargo install wasm_split_cli_support --version "=$split_version" --features build-binary \
    --locked --quiet
fi

# wasm-opt from npm's binaryen (Debian's binaryen 108 silently breaks the module), terser to
# minify the loader, axe-core for the accessibility audit of the browser tests, socket.io for
# the load harness's peer relay, and oidc-provider for the single sign-on tests.
if [ ! -x tools/node_modules/.bin/wasm-opt ] || [ ! -f tools/node_modules/axe-core/axe.min.js ] \
  || [ ! -x tools/node_modules/.bin/terser ] || [ ! -f tools/node_modules/socket.io/package.json ] \
  || [ ! -f tools/node_modules/oidc-provider/package.json ]; then
  echo "setup: installing binaryen (wasm-opt), terser, axe-core, socket.io and oidc-provider from npm"
  npm install --prefix tools --no-audit --no-fund --silent
fi
echo "setup: ready"
