#!/usr/bin/env bash
# CLAP take-scoring benchmark: one 10 s take scored by foley's CLAP scorer and by
# diffusers' score_waveforms path (transformers on torch CPU), same full-size random
# weights (the official AudioLDM 2 ClapModel config), same file, same thread count,
# side by side. Not run by tests or CI.
#
# usage: tools/bench/clap/run.sh [BUILD_DIR=build] [THREADS=all cores] [REPS=5]
# Needs bench_clap built in BUILD_DIR (cmake --build BUILD_DIR --target bench_clap) and the
# golden harness venv (tools/golden/.venv, with librosa). Writes ~780 MB of weights to a
# temp dir, removed on exit.
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
{
  "$build/bin/bench_clap" "$work/model" "$work/model/take.wav" "$threads" "$reps"
  "$python" "$here/bench_torch.py" "$work/model" "$work/model/take.wav" "$threads" "$reps" 2>/dev/null
} | tee "$work/results.jsonl"

"$python" - "$work/results.jsonl" <<'PY'
import json, sys
rows = {r["impl"]: r for r in (json.loads(l) for l in open(sys.argv[1]) if l.startswith("{"))}
f, t = rows["foley"], rows["torch"]
print(f"\n| CLAP score, one 10 s take ({f['threads']} threads, median) | foley ms | torch ms | speed-up |")
print("|---|---|---|---|")
print(f"| foley {f['isa']} / torch {t['isa']} | {f['median_ms']:.0f} | {t['median_ms']:.0f} | "
      f"{t['median_ms'] / f['median_ms']:.2f}x |")
print(f"scores: foley {f['score']:.6f}, torch {t['score']:.6f} (same weights and take)")
PY
