# wasm-build: build the example crates for wasm32-wasip1, audit them, run them sandboxed
# as pipeline stages, and write a browser bundle.
set -euo pipefail
d="$DEMO_DIR/wasm"
mkdir -p "$d"
build() { wasm-build build "examples/wasm/$1" --release --strip -o ndjson | jq -r .path; }
filter=$(build ndjson-filter)
envr=$(build env-reader)
loop=$(build endless-loop)
wasm-build audit "$filter" -o table
wasm-build audit "$envr" --diff "$filter" -o table
# The filter as a pipeline stage: NDJSON in, NDJSON with line numbers and sizes out.
printf '{"user":"ada","ms":12}\n{"user":"bob","ms":40}\n{"user":"ada","ms":7}\n' |
    wasm-build run "$filter" | etl convert -o table
# Nothing is inherited: the env reader fails until --env grants GREETING.
GREETING=leaked wasm-build run "$envr" || echo "(exit $? without --env, as intended)"
wasm-build run "$envr" --env GREETING=hello
# A runaway module is stopped; the status says which limit did it.
wasm-build run "$loop" --timeout 500ms || echo "(exit $?: timeout)"
wasm-build run "$loop" --fuel 50000000 || echo "(exit $?: fuel)"
printf 'allow = ["stdio"]\n' > "$d/stdio-only.toml"
wasm-build audit "$envr" --policy "$d/stdio-only.toml" -o table || echo "(exit $?: policy violation)"
wasm-build web "$filter" -o "$d/site" --stdin <(printf '{"a":1}\n{"b":2}\n') | etl convert -o table
echo "serve $d/site over HTTP to run the filter in a browser"
