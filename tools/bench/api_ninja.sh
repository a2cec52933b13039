#!/usr/bin/env bash
# The ElevenLabs throughput benchmark through the real path: `foley build` of N ElevenLabs cues
# (one foley-gen-client process per cue, pool depth C, the calls made by the
# cache's resident server, started on first use) against the fake API server
# answering every request after a fixed delay D. Prints wall time against the
# ideal N × D / C, and, measured in the same run with the same ninja pool, two
# floors of one-process-per-edge on this machine: the same N calls made by the
# curl command line (a process with libcurl per call, against the same server),
# and N `sleep D` edges (process start and exit only, no network).
# Usage: tools/bench/api_ninja.sh BUILD_DIR [N=200] [C=10] [D=0.2]
set -euo pipefail
BUILD=$(cd "${1:?build dir}" && pwd)
N=${2:-200}; C=${3:-10}; D=${4:-0.2}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/foley-api-bench.XXXXXX)
trap '"$BUILD/bin/foley" -C "$WORK/p" server stop >/dev/null 2>&1 || true; kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
printf 'bench-key' > "$WORK/key"
python3 "$ROOT/tools/fake_elevenlabs/server.py" --expect-key-file "$WORK/key" --log "$WORK/log.jsonl" \
  --port-file "$WORK/port" --delay "$D" >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
mkdir -p "$WORK/p/manifests"
cat > "$WORK/p/foley.toml" <<TOML
[project]
name = "api-bench"
default_engine = "api"
[engines.api]
engine = "elevenlabs"
base_url = "http://127.0.0.1:$(cat "$WORK/port")"
output_format = "pcm_16000"
concurrency = $C
TOML
for i in $(seq 1 "$N"); do printf '[cue.c%d]\nprompt = "bench cue %d"\nduration = 1.0\n' "$i" "$i"; done \
  > "$WORK/p/manifests/bench.toml"
export ELEVENLABS_API_KEY=bench-key FOLEY_LOG=quiet
"$BUILD/bin/foley" -C "$WORK/p" plan -q
start=$(date +%s.%N)
"$BUILD/bin/foley" -C "$WORK/p" build >/dev/null   # default -j: cores + 2 + API pool depth
end=$(date +%s.%N)
# The floors: the same pool depth and -j as `foley build` chose (cores + 2 + C).
JOBS=$(( $(nproc) + 2 + C ))
mkdir -p "$WORK/curl" "$WORK/sleep"
printf '{"text":"bench","duration_seconds":1.0,"prompt_influence":0.3,"loop":false,"model_id":"eleven_text_to_sound_v2"}' \
  > "$WORK/curl/body.json"
{
  printf 'pool api\n  depth = %s\nrule call\n  pool = api\n' "$C"
  printf '  command = exec curl -sf -X POST -H "xi-api-key: bench-key" -H "Content-Type: application/json" '
  printf -- '-d @body.json -o $out "http://127.0.0.1:%s/v1/sound-generation?output_format=pcm_16000"\n' "$(cat "$WORK/port")"
  for i in $(seq 1 "$N"); do echo "build o/$i.pcm: call"; done
} > "$WORK/curl/build.ninja"
{
  printf 'pool api\n  depth = %s\nrule wait\n  pool = api\n  command = exec sleep %s\n' "$C" "$D"
  for i in $(seq 1 "$N"); do echo "build o$i: wait"; done
} > "$WORK/sleep/build.ninja"
floor() {
  local s e
  s=$(date +%s.%N); ninja -C "$1" -j "$JOBS" >/dev/null; e=$(date +%s.%N)
  python3 -c "print(f'{$e - $s:.2f}')"
}
curl_wall=$(floor "$WORK/curl")
sleep_wall=$(floor "$WORK/sleep")
python3 - "$start" "$end" "$N" "$C" "$D" "$WORK/log.jsonl" "$WORK/p/.foley/.ninja_log" "$curl_wall" "$sleep_wall" <<'PY'
import json, statistics, sys
start, end, n, c, d = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
log = [json.loads(line) for line in open(sys.argv[6]) if line.endswith("\n")][:n]  # foley's requests
conc = max([r["max_concurrency"] for r in log] or [0])
# The fake server's own time per request (headers read to answer sent: the
# delay plus its Python overhead) and ninja's time per generate edge.
handle = statistics.median([r["handle_ms"] for r in log]) if log else float("nan")
request = statistics.median([r["request_ms"] for r in log if "request_ms" in r] or [float("nan")])
edges = [line.split("\t") for line in open(sys.argv[7]) if not line.startswith("#")]
gen = [int(b) - int(a) for a, b, _, out, _ in edges if "/objects/" in out]
curl_wall, sleep_wall = float(sys.argv[8]), float(sys.argv[9])
wall, ideal = end - start, n * d / c
pct = lambda w: f"{100 * (w / ideal - 1):+.1f} %"
print(f"| {n} cues | concurrency {c} | server delay {d*1000:.0f} ms | requests {len(log)} | max concurrency seen {conc} "
      f"| foley build {wall:.2f} s ({pct(wall)}) | curl per edge {curl_wall:.2f} s ({pct(curl_wall)}) "
      f"| sleep per edge {sleep_wall:.2f} s ({pct(sleep_wall)}) | ideal {ideal:.2f} s "
      f"| fake server per request (median, from the request line / from do_POST) {request:.1f} / {handle:.1f} ms "
      f"| foley generate edge (median) {statistics.median(gen):.0f} ms |")
PY
