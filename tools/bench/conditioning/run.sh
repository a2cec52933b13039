#!/usr/bin/env bash
# Conditioning benchmark: foley vs transformers/torch CPU, same
# thread count, side by side. Not run by tests or CI.
#
# usage: tools/bench/conditioning/run.sh [BUILD_DIR=build] [THREADS=all cores] [REPS=5] [VARIANT=audioldm2]
# Needs foley_models built in BUILD_DIR (cmake --build BUILD_DIR --target foley_models)
# and the golden harness venv (tools/golden/.venv) for the torch side.
# Writes ~2 GB of random weights to a temp dir, removed on exit.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
threads="${2:-$(nproc)}"
reps="${3:-5}"
variant="${4:-audioldm2}"
configs="$root/tests/fixtures/configs/$variant"
python="${PYTHON:-$root/tools/golden/.venv/bin/python}"

work="$(mktemp -d "${TMPDIR:-/tmp}/foley-cond-bench-XXXXXX")"
trap 'rm -rf "$work"' EXIT

g++ -std=c++20 -O2 -fopenmp -I"$root/src" "$root/tools/bench/conditioning/bench_conditioning.cc" -o "$work/bench" \
  "$build/src/models/libfoley_models.a" "$build/src/tensor/libfoley_tensor.a" "$build/src/common/libfoley_common.a" \
  $(pkg-config --libs sentencepiece libutf8proc openblas) -ldnnl -lpthread

export OMP_NUM_THREADS="$threads"
{
  "$work/bench" "$configs" "$threads" "$reps" "$work"
  "$python" "$root/tools/bench/conditioning/bench_torch.py" "$configs" "$threads" "$reps"
} | tee "$work/results.jsonl"

"$python" - "$work/results.jsonl" "$threads" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
by = {(r["bench"], r["impl"]): r["median_ms"] for r in rows}
print(f"\n| benchmark ({sys.argv[2]} threads, median) | foley ms | torch ms | speed-up |")
print("|---|---|---|---|")
for b in ("t5_encoder_32", "gpt2_generate_8"):
    f, t = by.get((b, "foley")), by.get((b, "torch"))
    if f and t:
        print(f"| {b} | {f:.1f} | {t:.1f} | {t / f:.2f}x |")
PY
