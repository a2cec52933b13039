#!/usr/bin/env bash
# API throughput benchmark: 200 ElevenLabs generations at concurrency
# 10 against tools/fake_elevenlabs/server.py answering after a fixed 200 ms.
# Ideal wall time: 200 × 0.2 / 10 = 4 s.
#
# usage: tools/bench/api_throughput.sh [BUILD_DIR=build] [REQUESTS=200] [CONCURRENCY=10] [DELAY=0.2]
# Needs foley_engines and what it links built in BUILD_DIR (cmake --build
# BUILD_DIR --target foley_engines). Drives ElevenLabsEngine on threads;
# tools/bench/api_ninja.sh is the ninja-driven variant.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
requests="${2:-200}"
concurrency="${3:-10}"
delay="${4:-0.2}"

work="$(mktemp -d "${TMPDIR:-/tmp}/foley-api-bench-XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

g++ -std=c++20 -O2 -I"$root/src" "$root/tools/bench/api_throughput.cc" -o "$work/api_throughput" \
  "$build/src/engines/libfoley_engines.a" "$build/src/audio/libfoley_audio.a" \
  "$build/src/request/libfoley_request.a" "$build/src/common/libfoley_common.a" \
  $(pkg-config --libs libcurl sndfile soxr libebur128 libmpg123 libxxhash) -lpthread

printf 'bench-key' > "$work/key"
python3 "$root/tools/fake_elevenlabs/server.py" --expect-key-file "$work/key" --log "$work/log.json" \
  --port-file "$work/port" --delay "$delay" > /dev/null &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port="$(cat "$work/port")"

env -u ELEVENLABS_API_KEY "$work/api_throughput" "http://127.0.0.1:$port" "$work/key" "$work/objects" \
  "$requests" "$concurrency" "$delay"
python3 "$root/tools/fake_elevenlabs/server.py" --summarize "$work/log.json" | python3 -c '
import json, sys
log = json.load(sys.stdin)
n = len(log["requests"])
print("server: requests=%d max_concurrency=%d violations=%d" % (n, log["max_concurrency"], log["violation_count"]))
sys.exit(0 if n == int(sys.argv[1]) and log["violation_count"] == 0 else 1)
' "$requests"
