#!/bin/sh
# Builds the DogStatsD fuzz target with libFuzzer and ASan and runs it for a
# bounded time. Usage: Fuzz/run.sh [seconds] (default 60).
# The intake's sources are compiled here directly rather than through
# SwiftPM: -sanitize=fuzzer must instrument them and provide `main`, and a
# sanitized SwiftPM build would invalidate the shared .build. Each target
# the fuzzer needs is compiled whole (a glob of its folder), so a new file
# in one of them needs no change here. Crashes land in Fuzz/artifacts/; each
# becomes a regression input in Fuzz/regressions/, which FuzzRegressionTests
# replays in every test run and which seeds the fuzzer here too.
set -eu
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-60}"
OUT="${VIGIL_FUZZ_BUILD:-/tmp/vigil-fuzz-build}"
mkdir -p "$OUT/corpus" Fuzz/artifacts
FLAGS="-sanitize=fuzzer,address -parse-as-library -O -g -I $OUT"

# One module per SwiftPM target, in dependency order.
module() {
    name="$1"; shift
    swiftc $FLAGS -wmo -module-name "$name" -emit-module -emit-module-path "$OUT/$name.swiftmodule" \
        -c -o "$OUT/$name.o" "$@"
}
module VigilModel Sources/VigilModel/*.swift
module VigilAggregation Sources/VigilAggregation/*.swift
module VigilDogStatsDProtocol Sources/VigilDogStatsDProtocol/*.swift
# The intake's pipeline without its sockets and threads (listeners, the
# server, the ring): what one worker runs on a packet.
# Built from inside $OUT so swiftc's by-products stay out of the work tree.
ROOT="$(pwd)"
(cd "$OUT" && swiftc $FLAGS -wmo -module-name DogStatsDFuzz -o "$OUT/dogstatsd-fuzz" \
    "$ROOT"/Fuzz/DogStatsD/FuzzEntry.swift \
    "$ROOT"/Sources/VigilDogStatsD/Origin/*.swift "$ROOT"/Sources/VigilDogStatsD/Status/*.swift \
    "$ROOT"/Sources/VigilDogStatsD/Pipeline/MessageProcessor.swift \
    "$ROOT"/Sources/VigilDogStatsD/Pipeline/PendingSample.swift \
    "$ROOT"/Sources/VigilDogStatsD/Pipeline/AggregatorState.swift \
    "$ROOT"/Sources/VigilDogStatsD/Pipeline/MetricNam*.swift "$ROOT"/Sources/VigilDogStatsD/Mapping/*.swift \
    "$OUT/VigilModel.o" "$OUT/VigilAggregation.o" "$OUT/VigilDogStatsDProtocol.o")

# Seeds: one of each message form.
SEEDS="$OUT/corpus"
printf 'page.views:1|c|@0.5|#env:prod,host:web1|T1700000000|c:abc\n' > "$SEEDS/metric"
printf 'a:1::2:|h|@0.3|#dd.internal.entity_id:u1,dd.internal.card:HIGH,host:\nu:a:b|s|card:orch' > "$SEEDS/reserved"
printf 'lat:1:2:3|h|#a,b\nusers:alice|s\nd:0.5|d\nt:3|ms\ng:-1e3|g' > "$SEEDS/multi"
printf '_e{5,4}:title|text|d:1|h:h|k:k|p:low|s:src|t:error|#a:b' > "$SEEDS/event"
printf '_sc|name|2|d:1|h:h|#a|m:msg m\\: x' > "$SEEDS/check"

# -detect_leaks=0: the sampler keeps what it aggregates from one input to
# the next by design, so libFuzzer's per-input leak heuristic would scan the
# whole heap after nearly every input (about 70x fewer runs per second).
SWIFT_BACKTRACE=enable=no LSAN_OPTIONS="suppressions=$(pwd)/Fuzz/lsan.supp" "$OUT/dogstatsd-fuzz" -detect_leaks=0 -dict=Fuzz/DogStatsD/dogstatsd.dict -max_total_time="$SECONDS_TO_RUN" -max_len=9000 \
    -artifact_prefix=Fuzz/artifacts/ -print_final_stats=1 "$SEEDS" Fuzz/regressions
