#!/usr/bin/env bash
# Attention kernel benchmark (bench_attention.cc): tensor::attention against the
# previous GEMM-based implementation on the tiny and full-size AudioLDM 2
# attention shapes, side by side in one run. Not run by tests or CI.
#
# usage: tools/bench/generation/run_attention.sh [BUILD_DIR=build] [THREADS=all cores] [REPS=5] [ISA=auto]
# Builds its binary in BUILD_DIR (target bench_attention, any preset).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
threads="${2:-$(nproc)}"
reps="${3:-5}"
isa="${4:-auto}"
cmake --build "$build" --target bench_attention >&2
export OMP_NUM_THREADS="$threads" OMP_WAIT_POLICY=passive
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$build/bin/bench_attention" "$threads" "$reps" "$isa"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
