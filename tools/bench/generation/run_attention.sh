#!/usr/bin/env bash
# Attention kernel benchmark (bench_attention.cc): tensor::attention against the
# previous GEMM-based implementation on the tiny and full-size AudioLDM 2
# attention shapes, side by side in one run. Not run by tests or CI.
#
# usage: tools/bench/generation/run_attention.sh [BUILD_DIR=build] [THREADS=all cores] [REPS=5] [ISA=auto]
# Needs foley_tensor built in BUILD_DIR (cmake --build BUILD_DIR --target foley_tensor).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
threads="${2:-$(nproc)}"
reps="${3:-5}"
isa="${4:-auto}"
work="$(mktemp -d "${TMPDIR:-/tmp}/foley-attn-bench-XXXXXX")"
trap 'rm -rf "$work"' EXIT
g++ -std=c++20 -O2 -fopenmp -I"$root/src" "$root/tools/bench/generation/bench_attention.cc" -o "$work/bench" \
  "$build/src/tensor/libfoley_tensor.a" "$build/src/common/libfoley_common.a" -ldnnl -ldl -lpthread
export OMP_NUM_THREADS="$threads" OMP_WAIT_POLICY=passive
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$work/bench" "$threads" "$reps" "$isa"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
