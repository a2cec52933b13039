#!/usr/bin/env bash
# The GPU benchmark, both sides on the same GPU, and the side-by-side table for docs/performance.md:
# full-size audioldm2 base with random weights (made here by bench_torch.py make-weights: weights do not travel),
# foley bf16 (bench_foley_gpu) against diffusers fp16 + SDPA (bench_diffusers.py), 10.24 s.
#
# usage: tools/bench/gpu_vs_diffusers/run.sh [SECONDS=1200]
#   SECONDS bounds the whole run (weights included): each side gets a share and keeps the lines it printed
#   before its time ran out, so a short budget still gives the first stages (unet, vae, vocoder, e2e, batch, long).
# environment: FOLEY_BENCH_BIN (default build/bin/bench_foley_gpu), FOLEY_BENCH_OUT (results folder, default
#   /tmp/foley-gpu-bench: bench.jsonl, bench_table.md), FOLEY_BENCH_MODEL (weights folder, default
#   /tmp/foley-bench-audioldm2, made once and reused), PYTHON (default python3, with torch, diffusers and
#   transformers), FOLEY_BENCH_REPS (default 3), FOLEY_BENCH_TARGET (the speed-up asked for, default 1.0).
set -uo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
here="$root/tools/bench/gpu_vs_diffusers"
budget="${1:-1200}"
start=$SECONDS
bench_bin="${FOLEY_BENCH_BIN:-$root/build/bin/bench_foley_gpu}"
out="${FOLEY_BENCH_OUT:-/tmp/foley-gpu-bench}"
model="${FOLEY_BENCH_MODEL:-/tmp/foley-bench-audioldm2}"
python="${PYTHON:-python3}"
reps="${FOLEY_BENCH_REPS:-3}"
mkdir -p "$out"
jsonl="$out/bench.jsonl"
: > "$jsonl"
left() { echo $((budget - (SECONDS - start))); }
status=0

if [ ! -f "$model/unet/diffusion_pytorch_model.safetensors" ]; then
  echo "making random full-size audioldm2 weights in $model" >&2
  limit=$(($(left) - 30))
  [ "$limit" -gt 0 ] || { echo "run.sh: no time left to make the weights" >&2; exit 1; }
  if ! timeout -k 10 "$limit" "$python" "$root/tools/bench/generation/bench_torch.py" make-weights \
       "$root/tests/fixtures/configs/audioldm2" "$model"; then
    echo "run.sh: make-weights failed or ran out of time" >&2
    rm -rf "$model"
    exit 1
  fi
fi
echo "weights ready after $((SECONDS - start)) s" >&2

# foley first, with at most half of what is left (it refuses at once when its build cannot place models on the GPU),
# then diffusers with the rest.
foley_limit=$(($(left) / 2))
if [ -x "$bench_bin" ] && [ "$foley_limit" -gt 20 ]; then
  timeout -k 10 "$foley_limit" "$bench_bin" --model "$model" --device cuda --reps "$reps" >> "$jsonl"
  rc=$?
  [ $rc -eq 0 ] || { echo "run.sh: bench_foley_gpu exit $rc$([ $rc -eq 124 ] && echo ' (out of time)')" >&2; status=1; }
else
  echo "run.sh: foley side not run (no $bench_bin, or ${foley_limit}s left)" >&2
  status=1
fi
diffusers_limit=$(($(left) - 10))
if [ "$diffusers_limit" -gt 20 ]; then
  timeout -k 10 "$diffusers_limit" "$python" "$here/bench_diffusers.py" --model "$model" --variant fp16-sdpa \
    --reps "$reps" --stages unet,vae,vocoder,flops,e2e,batch,long >> "$jsonl"
  rc=$?
  [ $rc -eq 0 ] || { echo "run.sh: bench_diffusers.py exit $rc$([ $rc -eq 124 ] && echo ' (out of time)')" >&2; status=1; }
else
  echo "run.sh: diffusers side not run (${diffusers_limit}s left)" >&2
  status=1
fi

# The table: one row per measurement either side made.
"$python" - "$jsonl" "${FOLEY_BENCH_TARGET:-2.0}" > "$out/bench_table.md" <<'EOF'
import json, sys
rows, gpu = {}, ""
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    rows.setdefault(r["bench"], {})[r["impl"]] = r
    gpu = r.get("gpu", gpu)
target = float(sys.argv[2])
flops = rows.get("unet_flops", {}).get("diffusers", {}).get("flops")
order = ["unet_step", "vae_decode", "vocoder", "e2e_ddim200", "e2e_dpm20", "batch8_dpm20", "seq8_dpm20",
         "long150_unet_step", "long150_vae_decode", "long150_vocoder"]
names = order + sorted(k for k in rows if k not in order and k not in ("load", "unet_flops"))
print(f"GPU: {gpu or '?'}; audioldm2 base, random weights, 10.24 s (long150: 150 s); median of the reps after a warm-up")
print()
print("| measurement | foley bf16 ms | diffusers fp16+SDPA ms | speed-up (diffusers / foley) | target | peak MiB foley | peak MiB diffusers |")
print("|---|---|---|---|---|---|---|")
def cell(r, key, fmt):
    return fmt.format(r[key]) if r and key in r else "—"
for name in names:
    if name not in rows:
        continue
    f, d = rows[name].get("foley"), rows[name].get("diffusers")
    speedup = "—"
    if f and d and f.get("median_ms") and d.get("median_ms"):
        s = d["median_ms"] / f["median_ms"]
        speedup = f"{s:.2f}× ({'met' if s >= target else 'not met'})"
    print(f"| {name} | {cell(f, 'median_ms', '{:.1f}')} | {cell(d, 'median_ms', '{:.1f}')} | {speedup} | ≥ {target:.2f}× "
          f"| {cell(f, 'peak_mem_mib', '{:.0f}')} | {cell(d, 'peak_mem_mib', '{:.0f}')} |")
if flops:
    for impl in ("foley", "diffusers"):
        r = rows.get("unet_step", {}).get(impl)
        if r and r.get("median_ms"):
            print(f"\n{impl}: one guided UNet step = {flops / 1e9:.0f} GFLOP (torch's count) in {r['median_ms']:.2f} ms "
                  f"= {flops / r['median_ms'] / 1e9:.1f} TFLOP/s")
EOF
cat "$out/bench_table.md"
echo "run.sh: $((SECONDS - start)) s; results in $out" >&2
exit $status
