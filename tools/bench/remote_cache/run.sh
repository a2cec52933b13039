#!/usr/bin/env bash
# The team cache's cost on the critical path: a build of N exec cues whose
# objects all come from the team cache (Debian's nginx on loopback, WebDAV),
# beside the same build from a warm local cache. Both render every cue (their
# outputs are absent); the remote build also fetches every object and records
# it. Target: the remote build within 2x of the local one.
# Usage: tools/bench/remote_cache/run.sh BUILD_DIR [N=1000]
set -euo pipefail
BUILD=$(cd "${1:?build dir}" && pwd)
N=${2:-1000}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
WORK=$(mktemp -d /tmp/foley-remote-bench.XXXXXX)
. "$ROOT/tests/e2e/remote_lib.sh"
trap 'stop_nginx; rm -rf "$WORK"' EXIT
start_nginx "$WORK/nginx"
export FOLEY_LOG=quiet PATH="$BUILD/bin:$PATH"

project() {
  mkdir -p "$WORK/$1/manifests"
  cat > "$WORK/$1/foley.toml" <<TOML
[project]
name = "remote-bench"
default_engine = "tone"
[engines.tone]
engine = "exec"
command = ["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", "{out}", "synth", "{duration}", "sine", "{seed}"]
[cache.remote]
url = "http://127.0.0.1:$NGINX_PORT/rw/bench"
TOML
  for i in $(seq 1 "$N"); do printf '[cue.c%d]\nprompt = "cue %d"\nduration = 0.25\nseed = %d\n' "$i" "$i" "$((100 + i))"; done \
    > "$WORK/$1/manifests/bench.toml"
}

seconds() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1; python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$s" "$(date +%s.%N)"; }

# Seed: generate every object once and upload it.
project seed
foley -C "$WORK/seed" build >/dev/null 2>&1
uploaded=$(find "$WORK/nginx/store/bench/meta" -type f | wc -l)
[ "$uploaded" -eq "$N" ] || { echo "seeding stored $uploaded of $N entries" >&2; exit 1; }

# Warm local cache: a fresh clone with a copy of the seed's cache.
project local
cp -a "$WORK/seed/cache" "$WORK/local/cache"
foley -C "$WORK/local" plan -q >/dev/null 2>&1
local_s=$(seconds foley -C "$WORK/local" build)
[ "$(find "$WORK/local/out" -name '*.wav' | wc -l)" -eq "$N" ] || { echo "the local build is incomplete" >&2; exit 1; }

# All remote hits: a fresh clone with an empty cache.
project clone
foley -C "$WORK/clone" plan -q >/dev/null 2>&1
remote_s=$(seconds foley -C "$WORK/clone" build)
fetched=$(foley -C "$WORK/clone" cache stats | sed -n '/^Team cache:/,$p' | sed -n 's/^ *Hits: *\([0-9]*\) .*/\1/p')
[ "$fetched" = "$N" ] || { echo "the clone fetched $fetched of $N objects" >&2; exit 1; }
[ "$(find "$WORK/clone/out" -name '*.wav' | wc -l)" -eq "$N" ] || { echo "the remote build is incomplete" >&2; exit 1; }

python3 - "$N" "$local_s" "$remote_s" <<'PY'
import sys
n, local_s, remote_s = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"{n} cues, fresh clone, warm local cache   foley build: {local_s:7.2f} s")
print(f"{n} cues, fresh clone, all remote hits    foley build: {remote_s:7.2f} s")
print(f"remote / local: {remote_s / local_s:.2f}x (target: within 2x)")
PY
