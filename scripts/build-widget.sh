#!/usr/bin/env bash
# Builds the visitor widget and the adviser console to WebAssembly into dist/:
# cargo (wasm32, size profile) -> wasm-bindgen -> wasm-opt -Oz, the JS glue minified by terser
# -> brotli and gzip copies;
# the loader minified by terser (dist/loader.js, which the relay serves).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=wasm-release
cargo build --locked --target wasm32-unknown-unknown --profile "$profile" -p widget -p console

for crate in widget console; do
  out="dist/$crate"
  rm -rf "$out" && mkdir -p "$out"
  wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
    --out-dir "$out" "target/wasm32-unknown-unknown/$profile/$crate.wasm"
  tools/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types \
    "$out/${crate}_bg.wasm" -o "$out/${crate}_bg.wasm"
  # The JS glue is an ES module: its exports and the import names the WebAssembly asks for
  # are kept; comments and whitespace go, local names are shortened.
  tools/node_modules/.bin/terser "$out/$crate.js" --module --compress --mangle \
    --format comments=false -o "$out/$crate.js"
done
cp console/console.css dist/console/console.css
tools/node_modules/.bin/terser relay-server/assets/loader.js --compress --mangle \
  --format comments=false -o dist/loader.js

for file in dist/widget/* dist/console/*; do
  case "$file" in *.br|*.gz) continue ;; esac
  brotli -f -q 11 -o "$file.br" "$file"
  gzip -f -9 -k "$file"
done

size() { stat -c %s "$1"; }
echo "widget sizes (bytes): raw / gzip / brotli"
for file in dist/widget/widget.js dist/widget/widget_bg.wasm; do
  printf '  %-28s %8d %8d %8d\n' "$file" "$(size "$file")" "$(size "$file.gz")" "$(size "$file.br")"
done
loader=$(mktemp)
sed 's/__VERSION__/0123456789abcdef/' dist/loader.js > "$loader"
printf '  %-28s %8d %8d %8d\n' "loader (widget.js)" "$(size "$loader")" "$(gzip -9 -c "$loader" | wc -c)" "$(brotli -q 11 -c "$loader" | wc -c)"
rm -f "$loader"

# Size budget (brotli, what browsers download): the build fails when the widget grows past it.
# Issue 28's target is 100 KB for the chat module; this budget only stops the widget from
# growing meanwhile (its history: docs/perf-journal/).
widget_budget=${TANDEM_WIDGET_BUDGET:-250000}
loader_budget=${TANDEM_LOADER_BUDGET:-2048}
widget_br=$(( $(size dist/widget/widget.js.br) + $(size dist/widget/widget_bg.wasm.br) ))
loader_br=$(sed 's/__VERSION__/0123456789abcdef/' dist/loader.js | brotli -q 11 -c | wc -c)
echo "budget: widget $widget_br / $widget_budget bytes brotli, loader $loader_br / $loader_budget"
if [ "$widget_br" -gt "$widget_budget" ] || [ "$loader_br" -gt "$loader_budget" ]; then
  echo "error: over the size budget" >&2
  exit 1
fi
