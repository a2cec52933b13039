#!/usr/bin/env bash
# Generation benchmark: full-size AudioLDM 2 base with random weights, 10.24 s, foley vs diffusers on
# torch CPU with the same thread count, side by side: one UNet call (batch 2), VAE decode, vocoder, and the
# generation end to end (DPM-Solver++ 20 steps, guidance 3.5, VAE, vocoder; text conditioning given). Not run by
# tests or CI.
#
# usage: tools/bench/generation/run.sh [BUILD_DIR=build] [THREADS=all cores] [REPS=3] [STAGES=unet,vae,vocoder,e2e]
# STAGES may also name tiny: the whole text-to-audio pipeline on the tiny test model (tests/fixtures/tiny-audioldm2),
# first call and median, both sides; and unet-profile: one UNet call's time by op family on both sides (foley's
# FOLEY_PROFILE_OPS, torch.profiler), as a table. OMP_WAIT_POLICY defaults to passive (no spinning: CPU time stays meaningful
# under load); OMP_WAIT_POLICY= (empty) runs both sides with the OpenMP runtime's default, and
# OMP_WAIT_POLICY= GOMP_SPINCOUNT=10000 as foley's model server runs (both sides' libgomp read it).
# Builds its foley side in BUILD_DIR (target bench_generation, any preset, CUDA or not); needs the golden harness venv
# (tools/golden/.venv). The random weights (~1.7 GB) are made once by diffusers into $FOLEY_BENCH_MODEL
# (default /tmp/foley-bench-audioldm2) and reused; both sides load the same files.
# FOLEY_CPU_ISA=avx2|avx512|scalar caps both sides alike: foley's kernels and oneDNN (tensor/cpu/isa.h), and
# torch's ATen kernels, MKL and oneDNN (ATEN_CPU_CAPABILITY, MKL_ENABLE_INSTRUCTIONS, ONEDNN_MAX_CPU_ISA; values
# already in the environment win). Each side prints the ISA it ran.
# ROUNDS=N (default 1) runs the pair foley-then-torch N times in turn and reports each side's median over the rounds,
# with the range of the rounds' speed-ups: a shared machine's speed wanders between minutes, and alternating keeps
# both sides under the same spells.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
threads="${2:-$(nproc)}"
reps="${3:-3}"
stages="${4:-unet,vae,vocoder,e2e}"
python="${PYTHON:-$root/tools/golden/.venv/bin/python}"
model="${FOLEY_BENCH_MODEL:-/tmp/foley-bench-audioldm2}"
here="$root/tools/bench/generation"

if [ ! -f "$model/unet/diffusion_pytorch_model.safetensors" ]; then
  echo "making random full-size weights in $model" >&2
  "$python" "$here/bench_torch.py" make-weights "$root/tests/fixtures/configs/audioldm2" "$model"
fi

cmake --build "$build" --target bench_generation >&2
bench="$build/bin/bench_generation"
work="$(mktemp -d "${TMPDIR:-/tmp}/foley-gen-bench-XXXXXX")"
trap 'rm -rf "$work"' EXIT

case "${FOLEY_CPU_ISA:-}" in
  "") ;;
  avx512) aten=avx512 mkl=AVX512 onednn=AVX512_CORE ;;
  avx2) aten=avx2 mkl=AVX2 onednn=AVX2 ;;
  scalar) aten=default mkl=SSE4_2 onednn=SSE41 ;;
  *) echo "FOLEY_CPU_ISA: unknown instruction set \"$FOLEY_CPU_ISA\" (expected scalar, avx2 or avx512)" >&2; exit 2 ;;
esac
if [ -n "${FOLEY_CPU_ISA:-}" ]; then
  export ATEN_CPU_CAPABILITY="${ATEN_CPU_CAPABILITY:-$aten}" MKL_ENABLE_INSTRUCTIONS="${MKL_ENABLE_INSTRUCTIONS:-$mkl}"
  export ONEDNN_MAX_CPU_ISA="${ONEDNN_MAX_CPU_ISA:-$onednn}"
fi
export OMP_NUM_THREADS="$threads"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY-passive}"
[ -n "$OMP_WAIT_POLICY" ] || unset OMP_WAIT_POLICY
tiny="$root/tests/fixtures/tiny-audioldm2"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-(runtime default)} GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-(runtime default)}" >&2
rounds="${ROUNDS:-1}"
case "$rounds" in ''|*[!0-9]*) echo "ROUNDS: expected a positive whole number, got \"$rounds\"" >&2; exit 2 ;; esac
[ "$rounds" -ge 1 ] || { echo "ROUNDS: expected at least 1, got $rounds" >&2; exit 2; }
for round in $(seq "$rounds"); do
  [ "$rounds" = 1 ] || echo "round $round of $rounds" >&2
  "$bench" "$model" "$threads" "$reps" "$stages" "$tiny" | sed "s/^{/{\"round\": $round, /"
  "$python" "$here/bench_torch.py" bench "$model" "$threads" "$reps" "$stages" "$tiny" | sed "s/^{/{\"round\": $round, /"
done | tee "$work/results.jsonl"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

"$python" - "$work/results.jsonl" "$threads" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
# Per (bench, impl): the median over rounds of each timing; per round, the speed-up of each stage.
runs = {}
for r in rows:
    runs.setdefault((r["bench"], r["impl"]), []).append(r)
by = {}
for key, rs in runs.items():
    merged = dict(rs[0])
    for field in ("median_ms", "cpu_ms", "ms_per_call"):
        if field in merged:
            merged[field] = statistics.median(x[field] for x in rs)
    by[key] = merged
def round_ratios(b, field):
    f = {r["round"]: r[field] for r in runs.get((b, "foley"), [])}
    t = {r["round"]: r[field] for r in runs.get((b, "torch"), [])}
    return [t[k] / f[k] for k in sorted(f) if k in t]
for impl in ("foley", "torch"):
    isa = by.get(("isa", impl))
    if isa:
        print(f"{impl}: " + ", ".join(f"{k} {v}" for k, v in isa.items() if k not in ("impl", "bench", "round")))
stages = [b for b in ("unet_call_b2", "vae_decode", "vocoder", "e2e_dpm20", "tiny_e2e_dpm20_first_call",
                      "tiny_e2e_dpm20") if (b, "foley") in by and (b, "torch") in by]
rounds = len({r.get("round") for r in rows})
if stages:
    extra = " | rounds' wall speed-ups |" if rounds > 1 else " |"
    print(f"\n| stage ({sys.argv[2]} threads) | foley wall ms | torch wall ms | speed-up (wall) | foley CPU ms | torch CPU ms | speed-up (CPU){extra}")
    print("|---|---|---|---|---|---|---|" + ("---|" if rounds > 1 else ""))
for b in stages:
    f, t = by[(b, "foley")], by[(b, "torch")]
    spread = " | " + ", ".join(f"{x:.2f}x" for x in round_ratios(b, "median_ms")) + " |" if rounds > 1 else " |"
    print(f"| {b} | {f['median_ms']:.0f} | {t['median_ms']:.0f} | {t['median_ms'] / f['median_ms']:.2f}x "
          f"| {f['cpu_ms']:.0f} | {t['cpu_ms']:.0f} | {t['cpu_ms'] / f['cpu_ms']:.2f}x{spread}")
profile_runs = {}
for r in rows:
    if r["bench"] == "unet_profile":
        profile_runs.setdefault((r["impl"], r["family"]), []).append(r["ms_per_call"])
prof = {key: statistics.median(v) for key, v in profile_runs.items()}  # over rounds
if prof:
    print(f"\n| one UNet call, batch 2, by op family | foley ms | torch ms | torch - foley ms |")
    print("|---|---|---|---|")
    families = sorted({fam for _, fam in prof if fam != "call (wall)"}, key=lambda f: -prof.get(("torch", f), 0))
    for fam in families + ["call (wall)"]:
        f, t = prof.get(("foley", fam), 0.0), prof.get(("torch", fam), 0.0)
        print(f"| {fam} | {f:.0f} | {t:.0f} | {t - f:+.0f} |")
PY
