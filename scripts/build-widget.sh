#!/usr/bin/env bash
# Builds the visitor widget and the adviser console to WebAssembly into dist/:
# cargo (wasm32, size profile) -> wasm-split (what is fetched later cut off what is fetched
# first) -> wasm-bindgen -> wasm-opt -Oz, the JS minified by terser
# -> brotli and gzip copies;
# the loader minified by terser (dist/loader.js, which the relay serves) and the invitations
# module it fetches for sites that have some (dist/widget/invite.js).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=wasm-release
wasm_dir="target/wasm32-unknown-unknown/$profile"
# Built for size with the standard library compiled along (rust-src, installed by setup.sh):
# a panic stops the module at once without formatting a message, panic locations and Debug
# output are left out, and Leptos's components are type-erased (one renderer per output type
# instead of one per closure). The unstable flags are allowed on stable by RUSTC_BOOTSTRAP,
# for these two browser builds only. What each saved: BENCHMARKS.md (issue 28).
export RUSTC_BOOTSTRAP=1
export RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none --cfg erase_components"
build_std=(-Zbuild-std=std,panic_abort)
for crate in widget console; do
  # Linked with its relocations kept, so that wasm-split can cut the modules fetched later
  # (the widget's later screens and co-browsing; the console's occasional pages and mirror)
  # from the one fetched first.
  cargo rustc --locked "${build_std[@]}" --target wasm32-unknown-unknown --profile "$profile" \
    -p "$crate" --lib -- -C link-args=--emit-relocs
  out="dist/$crate"
  split_dir="target/$crate-split"
  rm -rf "$out" "$split_dir" && mkdir -p "$out" "$split_dir"
  wasm-split-cli "$wasm_dir/$crate.wasm" "$split_dir" --out-name "$crate" --target web
  find "$split_dir" -name '*.wasm' ! -name "$crate.wasm" -exec cp {} "$out/" \;
  cp "$split_dir/__wasm_split.js" "$out/"
  # A module that fails to load is reported by the page itself, in its own words: nothing
  # on the site's console.
  sed -i 's/console\.error(e);//' "$out/__wasm_split.js"
  wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
    --keep-lld-exports --out-dir "$out" "$split_dir/$crate.wasm"
  for wasm in "$out"/*.wasm; do
    tools/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types "$wasm" -o "$wasm"
  done
  # The JS is ES modules: their exports and the import names the WebAssembly asks for are
  # kept; comments and whitespace go, local names are shortened.
  for js in "$out"/*.js; do
    tools/node_modules/.bin/terser "$js" --module --compress --mangle --format comments=false -o "$js"
  done
done
cp console/console.css dist/console/console.css
tools/node_modules/.bin/terser relay-server/assets/loader.js --compress --mangle \
  --format comments=false -o dist/loader.js
# Proactive invitations: fetched by the loader only for sites that have invitation rules.
tools/node_modules/.bin/terser relay-server/assets/invite.js --module --compress --mangle \
  --format comments=false -o dist/widget/invite.js

for file in dist/widget/* dist/console/*; do
  case "$file" in *.br|*.gz) continue ;; esac
  brotli -f -q 11 -o "$file.br" "$file"
  gzip -f -9 -k "$file"
done

size() { stat -c %s "$1"; }
brotli_size() { size "$1.br"; }
# A file's sizes: raw, gzip, brotli (the compressed copies made above).
sizes() { printf '  %-36s %8d %8d %8d\n' "$1" "$(size "$1")" "$(size "$1.gz")" "$(size "$1.br")"; }
# The loader as the relay serves it: its version, 16 hex digits of the build's hash, put in.
# Those digits compress differently from one build to the next (by up to 20 bytes): the size
# counted is the largest of 64 random versions, so that no build's version tips it over.
loader=$(mktemp)
trap 'rm -f "$loader"' EXIT
loader_br=0
for _ in $(seq 64); do
  sed "s/__VERSION__/$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')/" dist/loader.js > "$loader"
  br=$(brotli -q 11 -c "$loader" | wc -c)
  if [ "$br" -gt "$loader_br" ]; then loader_br=$br; fi
done
echo "widget sizes (bytes): raw / gzip / brotli"
for file in dist/widget/*.js dist/widget/*.wasm; do sizes "$file"; done
printf '  %-36s %8d %8d %8d\n' "loader (widget.js)" "$(size "$loader")" "$(gzip -9 -c "$loader" | wc -c)" "$loader_br"
echo "console sizes (bytes): raw / gzip / brotli"
for file in dist/console/*.js dist/console/*.wasm dist/console/console.css; do sizes "$file"; done

# Size budgets (brotli, what browsers download): the build fails when a part grows past its
# budget. The chat is what the launcher's click fetches (glue, split loader, main module: the
# panel and its form); its connection (socket, frames read and written) is the module fetched
# once the form is drawn; its later screens (queue, conversation, survey) are the module fetched
# while the visitor fills the form in; co-browsing is the module fetched when the visitor
# accepts. Issue 28's target for the chat is 100 KB; its budget only stops it from growing
# meanwhile (history: docs/perf-journal/).
chat_budget=${TANDEM_CHAT_BUDGET:-100000}
engine_budget=${TANDEM_ENGINE_BUDGET:-60000}
screens_budget=${TANDEM_SCREENS_BUDGET:-80000}
cobrowse_budget=${TANDEM_COBROWSE_BUDGET:-80000}
loader_budget=${TANDEM_LOADER_BUDGET:-2048}
# The console's desk: what an adviser's browser fetches to log in and take chats (glue, split
# loader, main module); its occasional pages and the co-browsing mirror come when opened.
desk_budget=${TANDEM_DESK_BUDGET:-250000}
desk_br=$(( $(brotli_size dist/console/console.js) + $(brotli_size dist/console/console_bg.wasm) \
  + $(brotli_size dist/console/__wasm_split.js) ))
chat_br=$(( $(brotli_size dist/widget/widget.js) + $(brotli_size dist/widget/widget_bg.wasm) \
  + $(brotli_size dist/widget/__wasm_split.js) ))
# Code that several later modules use is in small shared chunks, fetched with whichever comes
# first: each module counts the chunks it needs (wasm-split names them above each chunk's
# loader, `/* cobrowse, engine */`).
module_br() {
  local total chunk
  total=$(brotli_size "dist/widget/split_$1.wasm")
  for chunk in $(awk -v m="$1" '
      /^\/\* .* \*\/$/ { gsub(/[\/*,]/, " "); for (i = 1; i <= NF; i++) if ($i == m) want = 1; next }
      want && match($0, /chunk_[0-9]+/) { print substr($0, RSTART, RLENGTH); want = 0 }
    ' target/widget-split/__wasm_split.js); do
    total=$(( total + $(brotli_size "dist/widget/$chunk.wasm") ))
  done
  echo "$total"
}
engine_br=$(module_br engine)
screens_br=$(module_br screens)
cobrowse_br=$(module_br cobrowse)
echo "budget (brotli bytes): chat $chat_br / $chat_budget (target 100000)," \
  "connection $engine_br / $engine_budget, later screens $screens_br / $screens_budget," \
  "co-browsing $cobrowse_br / $cobrowse_budget, loader $loader_br / $loader_budget," \
  "console desk $desk_br / $desk_budget"
if [ "$chat_br" -gt "$chat_budget" ] || [ "$screens_br" -gt "$screens_budget" ] \
  || [ "$engine_br" -gt "$engine_budget" ] \
  || [ "$cobrowse_br" -gt "$cobrowse_budget" ] \
  || [ "$loader_br" -ge "$loader_budget" ] || [ "$desk_br" -gt "$desk_budget" ]; then
  echo "error: over the size budget" >&2
  exit 1
fi
