#!/usr/bin/env bash
# CLAP take-scoring benchmark: one 10 s take scored by foley's CLAP scorer and by
# diffusers' score_waveforms path (transformers on torch CPU), same full-size random
# weights (the official AudioLDM 2 ClapModel config), same file, same thread count,
# side by side. Not run by tests or CI.
#
# usage: tools/bench/clap/run.sh [BUILD_DIR=build] [THREADS=all cores] [REPS=5]
# Needs bench_clap built in BUILD_DIR (cmake --build BUILD_DIR --target bench_clap) and the
# golden harness venv (tools/golden/.venv, with librosa). Writes ~780 MB of weights to a
# temp dir, removed on exit. OMP_WAIT_POLICY defaults to passive on both sides (no spinning, which
# on a loaded machine costs the many short parallel regions of a 9-token text pass ~15x);
# OMP_WAIT_POLICY= (empty) runs both with the OpenMP runtime's default.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
threads="${2:-$(nproc)}"
reps="${3:-5}"
python="${PYTHON:-$root/tools/golden/.venv/bin/python}"
here="$root/tools/bench/clap"

work="$(mktemp -d "${TMPDIR:-/tmp}/foley-clap-bench-XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$python" "$here/make_model.py" "$root/tests/fixtures/configs/audioldm2" "$root/tests/fixtures/tiny-audioldm2" \
  "$work/model" 2>/dev/null

export OMP_NUM_THREADS="$threads"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY-passive}"
[ -n "$OMP_WAIT_POLICY" ] || unset OMP_WAIT_POLICY
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-(runtime default)}" >&2
{
  "$build/bin/bench_clap" "$work/model" "$work/model/take.wav" "$threads" "$reps"
  "$python" "$here/bench_torch.py" "$work/model" "$work/model/take.wav" "$threads" "$reps" 2>/dev/null
} | tee "$work/results.jsonl"

"$python" - "$work/results.jsonl" <<'PY'
import json, sys
rows = {r["impl"]: r for r in (json.loads(l) for l in open(sys.argv[1]) if l.startswith("{"))}
f, t = rows["foley"], rows["torch"]
print(f"\n| CLAP score, one 10 s take ({f['threads']} threads, median; foley {f['isa']}, torch {t['isa']}) "
      "| foley ms | torch ms | speed-up |")
print("|---|---|---|---|")
for what, key in (("wall", "median_ms"), ("CPU (user + sys)", "median_cpu_ms")):
    print(f"| {what} | {f[key]:.0f} | {t[key]:.0f} | {t[key] / f[key]:.2f}x |")
print(f"scores: foley {f['score']:.6f}, torch {t['score']:.6f} (same weights and take)")
PY
