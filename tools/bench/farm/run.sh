#!/usr/bin/env bash
# Per-edge overhead of the farm path: the same N exec cues built locally and
# then as job steps of one Slurm allocation (the one-machine cluster of the
# e2e tests: tests/e2e/slurm_lib.sh), both one edge at a time, in one run.
# The generator copies a prepared WAV, so what is measured is the path around
# a generation: locally `foley-gen generate` recording into the index; on the
# farm `foley-gen-client --farm` + an `srun` step + `foley-gen generate
# --farm-node` on the node + recording the node's pending record.
# Usage: tools/bench/farm/run.sh [BUILD_DIR=build] [CUES=40]
set -uo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
cues="${2:-40}"
export FOLEY_BIN_DIR="$build/bin" FOLEY_SOURCE_DIR="$root"
. "$root/tests/e2e/lib.sh"
. "$root/tests/e2e/slurm_lib.sh"
slurm_start

make_project() {  # DIR
  mkdir -p "$1/manifests"
  sox -n -r 16000 -c 1 -b 16 "$WORK/tone.wav" synth 0.2 sine 440 2>/dev/null
  printf '#!/bin/sh\nexec cp "%s" "$1"\n' "$WORK/tone.wav" > "$WORK/gen.sh"  # the seed only keys the cue
  chmod +x "$WORK/gen.sh"
  cat > "$1/foley.toml" <<TOML
[project]
name = "farm-bench"
default_engine = "fx"
[render]
sample_rate = 16000
bit_depth = 16
[engines.fx]
engine = "exec"
command = ["$WORK/gen.sh", "{out}", "{seed}"]
TOML
  for i in $(seq 1 "$cues"); do printf '[cue.c%03d]\nprompt = "tone %d"\nseed = %d\nduration = 0.2\n\n' "$i" "$i" "$i"; done \
    > "$1/manifests/sfx.toml"
}
seconds() { python3 -c 'import sys,time; t=time.monotonic(); import subprocess; r=subprocess.run(sys.argv[1:]); print("%.3f" % (time.monotonic()-t)); sys.exit(r.returncode)' "$@"; }

make_project "$WORK/local"
make_project "$WORK/farm"
printf '[farm]\nlauncher = ["srun", "--exact", "-n1", "--gres=gpu:1", "--quiet"]\nslots = 1\n' >> "$WORK/farm/foley.toml"
(cd "$WORK/local" && foley plan --quiet) && (cd "$WORK/farm" && FOLEY_FARM=0 foley plan --quiet)

local_s=$(cd "$WORK/local" && seconds foley build -j 1 2>/dev/null | tail -1)
farm_s=$(cd "$WORK/farm" && seconds salloc -n1 --gres=gpu:1 foley build -j 1 2>/dev/null | tail -1)
alloc_s=$(cd "$WORK/farm" && seconds salloc -n1 --gres=gpu:1 true 2>/dev/null | tail -1)
[ "$(objects_in "$WORK/local")" = "$cues" ] && [ "$(objects_in "$WORK/farm")" = "$cues" ] ||
  { echo "a build did not make its $cues objects" >&2; exit 1; }
python3 - "$cues" "$local_s" "$farm_s" "$alloc_s" <<'PY'
import sys
n, local, farm, alloc = int(sys.argv[1]), *map(float, sys.argv[2:])
per_local = local / n * 1000
per_farm = (farm - alloc) / n * 1000
print(f"{n} exec cues, one edge at a time (build wall time; farm less one empty salloc of {alloc*1000:.0f} ms)")
print(f"  local build:  {local:7.3f} s  {per_local:6.1f} ms/cue")
print(f"  farm build:   {farm:7.3f} s  {per_farm:6.1f} ms/cue (job step per edge)")
print(f"  farm overhead per cue over local: {per_farm - per_local:6.1f} ms (target <= 100 ms)")
PY
