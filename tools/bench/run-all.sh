#!/usr/bin/env bash
# `make bench`: every benchmark, each printing its numbers beside its reference
# (docs/performance.md has the tables and what they mean). Not part of CI:
# several need the Python venvs of tools/golden (torch, diffusers) or install
# DVC into tools/bench/.venv, and the full-size model runs take many minutes.
# Usage: tools/bench/run-all.sh [BUILD_DIR=build]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build}"
bench="$root/tools/bench"

echo "== incremental core: plan / no-op / re-plan at 1k, 10k, 100k cues vs plain ninja and DVC"
python3 "$bench/plan_scale.py" "$build" --sizes 1000,10000,100000 --dvc
echo "== ElevenLabs: 200 cues through ninja at concurrency 10, server answering after 200 ms"
"$bench/api_ninja.sh" "$build" 200 10 0.2
echo "== farm: per-edge overhead of a Slurm job step per generation vs a local build, 40 cues"
"$bench/farm/run.sh" "$build" 40
echo "== team cache: 1,000 cues all fetched from nginx on loopback vs a warm local cache"
"$bench/remote_cache/run.sh" "$build" 1000
echo "== ElevenLabs engine alone: 200 calls on 10 threads"
"$bench/api_throughput.sh" "$build"
if [ -x "$root/tools/golden/.venv/bin/python" ]; then
  echo "== conditioning: Flan-T5-large and GPT-2 vs transformers on torch CPU"
  "$bench/conditioning/run.sh" "$build" "$(nproc)" 5
  echo "== generation: UNet, VAE, vocoder, end to end vs diffusers on torch CPU"
  "$bench/generation/run.sh" "$build" "$(nproc)" 3
  echo "== CLAP take scoring: one 10 s take vs diffusers' score_waveforms path on torch CPU"
  "$bench/clap/run.sh" "$build" "$(nproc)" 5
else
  echo "skipping the torch comparisons: run tools/golden/regenerate.sh once to create tools/golden/.venv"
fi
echo "== CPU GEMM/conv libraries on this model's shapes"
"$build/bin/bench_cpu_ops" --quick
