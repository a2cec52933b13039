#!/usr/bin/env bash
# Per-edge overhead of the farm's resident servers: the same N tiny AudioLDM 2
# cues (CPU, 2 steps) built one edge at a time, in one run,
#   - locally, on a warm local resident server (Unix socket), and
#   - on the farm, on a warm `foley farm up` server: a job step of one Slurm
#     allocation on the one-machine cluster of the e2e tests
#     (tests/e2e/slurm_lib.sh), reached over TCP with the farm's handshake.
# Both generate on one thread, so that what differs is only the path around a
# generation (a step's CPU set could otherwise change the model's speed).
# "Warm": a first cue loads the model in each before the clock starts. The
# generations are the same work on the same CPU, so the difference per cue is
# the farm path: foley-gen-client --farm, the claim of a server, the TCP
# connection and HMAC handshake, and recording the result into the index (the
# local path records in foley-gen instead).
# Usage: tools/bench/farm/servers.sh [BUILD_DIR=build] [CUES=24]
set -uo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
cues="${2:-24}"
export FOLEY_BIN_DIR="$build/bin" FOLEY_SOURCE_DIR="$root"
. "$root/tests/e2e/lib.sh"
. "$root/tests/e2e/slurm_lib.sh"
unset FOLEY_AUDIOLDM2_SERVER  # the tests' lib switches the local resident server off: this measures it
slurm_start

make_project() {  # DIR
  mkdir -p "$1/manifests"
  cat > "$1/foley.toml" <<TOML
[project]
name = "farm-servers-bench"
default_engine = "ldm"
[render]
sample_rate = 16000
bit_depth = 16
[engines.ldm]
engine = "audioldm2"
model = "$root/tests/fixtures/tiny-audioldm2"
device = "cpu"
steps = 2
scheduler = "dpmsolver++"
threads = 1   # the same work on both sides (a job step may see fewer CPUs than this host)
TOML
  printf '[cue.warm]\nprompt = "warm up"\nseed = 0\nduration = 0.5\n' > "$1/manifests/warm.toml"
}
add_cues() {  # DIR
  for i in $(seq 1 "$cues"); do printf '[cue.c%03d]\nprompt = "rain %d"\nseed = %d\nduration = 0.5\n\n' "$i" "$i" "$i"; done \
    > "$1/manifests/sfx.toml"
}
seconds() { python3 -c 'import sys,time; t=time.monotonic(); import subprocess; r=subprocess.run(sys.argv[1:]); print("%.3f" % (time.monotonic()-t)); sys.exit(r.returncode)' "$@"; }

make_project "$WORK/local"
make_project "$WORK/farm"
printf '[farm]\nlauncher = ["srun", "--exact", "-n1", "--gres=gpu:1", "--quiet"]\nslots = 1\n' >> "$WORK/farm/foley.toml"

job=$(salloc --no-shell -n1 --gres=gpu:1 2>&1 | sed -n 's/.*Granted job allocation \([0-9]*\).*/\1/p')
[ -n "$job" ] || { echo "no allocation" >&2; exit 1; }
trap 'scancel "$job" 2>/dev/null; (cd "$WORK/local" && foley server stop >/dev/null 2>&1); slurm_stop; rm -rf "$WORK"' EXIT

# Warm both servers with one cue, then plan the measured cues outside the clock.
(cd "$WORK/local" && foley build -j 1 >/dev/null 2>&1 && add_cues . && foley plan --quiet) ||
  { echo "the local warm-up failed" >&2; exit 1; }
(cd "$WORK/farm" && export SLURM_JOB_ID=$job && foley farm up --bind 127.0.0.1 -n 1 >/dev/null &&
  foley build -j 1 >/dev/null 2>&1 && add_cues . && foley plan --quiet) ||
  { echo "the farm warm-up failed" >&2; exit 1; }

local_s=$(cd "$WORK/local" && seconds foley build -j 1 2>/dev/null | tail -1)
farm_s=$(cd "$WORK/farm" && SLURM_JOB_ID=$job seconds foley build -j 1 2>/dev/null | tail -1)
local_served=$(cd "$WORK/local" && foley server status --json | python3 -c 'import sys,json; print(json.load(sys.stdin).get("served", 0))')
on_servers=$(sqlite3 "$WORK/farm/cache/index.sqlite" \
  "select count(*) from objects where json_extract(details, '$.farm.server') is not null")
(cd "$WORK/farm" && SLURM_JOB_ID=$job foley farm down >/dev/null)
want=$((cues + 1))
[ "$(objects_in "$WORK/local")" = "$want" ] && [ "$(objects_in "$WORK/farm")" = "$want" ] ||
  { echo "a build did not make its $want objects" >&2; exit 1; }
[ "$local_served" = "$want" ] || { echo "only $local_served of $want local objects came from the local server" >&2; exit 1; }
[ "$on_servers" = "$want" ] || { echo "only $on_servers of $want farm objects came from the farm server" >&2; exit 1; }
python3 - "$cues" "$local_s" "$farm_s" <<'PY'
import sys
n, local, farm = int(sys.argv[1]), *map(float, sys.argv[2:])
per_local, per_farm = local / n * 1000, farm / n * 1000
print(f"{n} tiny AudioLDM 2 cues (CPU, 2 steps), one edge at a time, warm servers (build wall time)")
print(f"  local build, local resident server:   {local:7.3f} s  {per_local:6.1f} ms/cue")
print(f"  farm build, `foley farm up` server:   {farm:7.3f} s  {per_farm:6.1f} ms/cue")
print(f"  farm overhead per cue over local: {per_farm - per_local:6.1f} ms (target <= 100 ms)")
PY
