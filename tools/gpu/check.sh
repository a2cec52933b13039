#!/usr/bin/env bash
# The one-shot GPU check, run on the GPU machine from the repository root with .gpu/ (tools/gpu/pack.sh) and
# .whl/ (the diffusers wheel and the small packages it imports) beside the working tree:
#
#   tools/gpu/check.sh [--dry-run] RESULTS_DIR
#
# Steps, each with its own time limit, each ending in one PASS / FAIL / SKIP line (with the reason) in
# RESULTS_DIR/summary.txt; a failing step never stops the ones after it:
#   a  environment: nvidia-smi, nvcc, python3 + torch, every packed binary's libraries resolve; the wheels
#   b  cuda_device_tests                        device selection
#   c  op_table_tests, cuda_ops_tests           every op on CUDA against the CPU
#   d  pipeline goldens on CUDA                 models_generation_tests [pipeline], FOLEY_TEST_DEVICE=cuda
#   e  bitwise reproducibility                  the same tiny generation twice on CUDA, cmp
#   f  compute-sanitizer memcheck, racecheck    over op_table_tests (else cuda_ops_tests), time-limited
#   g  benchmark                                tools/bench/gpu_vs_diffusers/run.sh with the time that is left
# The whole check stays within FOLEY_GPU_CHECK_SECONDS (default 450). What comes back is RESULTS_DIR:
# summary.txt, bench.jsonl, bench_table.md, goldens_cuda.log and logs.tar.gz (every step's full log).
#
# --dry-run (a machine without a GPU): everything up to the first GPU call — the pack unpacks, every binary's
# libraries resolve from .gpu/lib, the binaries start, the wheels install, the scripts parse, bench_foley_gpu
# runs its stages and the reproducibility comparison on the CPU with the tiny model. Exits 0 only when all of
# that is right.
set -uo pipefail

dry=0
[ "${1:-}" = "--dry-run" ] && { dry=1; shift; }
[ $# -eq 1 ] || { echo "usage: tools/gpu/check.sh [--dry-run] RESULTS_DIR" >&2; exit 2; }
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root" || exit 2
results="$(mkdir -p "$1" && cd "$1" && pwd)" || { echo "check.sh: cannot create $1" >&2; exit 2; }
logs="$results/logs"
mkdir -p "$logs"
summary="$results/summary.txt"
budget="${FOLEY_GPU_CHECK_SECONDS:-450}"
start=$SECONDS
gpu="$root/.gpu"
bin="$gpu/bin"
export FOLEY_SOURCE_DIR="$root"
n_pass=0 n_fail=0 n_skip=0

left() { echo $((budget - (SECONDS - start))); }
# record STATUS STEP REASON: one line in the summary (and on stdout).
record() {
  local line
  line="$(printf '%-4s  %-34s %s' "$1" "$2" "$3")"
  echo "$line" | tee -a "$summary"
  case "$1" in PASS) n_pass=$((n_pass + 1)) ;; FAIL) n_fail=$((n_fail + 1)) ;; *) n_skip=$((n_skip + 1)) ;; esac
}
# run LOG SECONDS CMD...: runs CMD with a time limit (never past the check's budget), output to logs/LOG.
# Returns CMD's status; 124 when it ran out of time.
run() {
  local log="$logs/$1" limit="$2"
  shift 2
  local cap=$(($(left) - 5))
  [ "$limit" -gt "$cap" ] && limit=$cap
  if [ "$limit" -le 0 ]; then echo "(no time left)" > "$log"; return 124; fi
  echo "\$ $* (limit ${limit}s)" > "$log"
  timeout -k 10 "$limit" "$@" >> "$log" 2>&1
  local rc=$?
  echo "[exit $rc after $((SECONDS - start))s into the check]" >> "$log"
  return $rc
}
# test_step STEP LOG SECONDS BINARY [ARGS...]: a Catch2 binary; exit 77 (no usable device) is a SKIP in a dry
# run and a FAIL on the GPU machine.
test_step() {
  local step="$1" log="$2" limit="$3" b="$4"
  shift 4
  if [ ! -x "$bin/$b" ]; then record SKIP "$step" "$b is not in the pack (not built)"; return; fi
  if [ $dry -eq 1 ]; then
    # Catch2's --list-tests exits with the number of tests; the CUDA binaries' main exits 77 before listing
    # when there is no usable device. Either output shows that the binary loaded and ran.
    run "$log" 30 "$bin/$b" --list-tests
    if grep -qE '^[0-9]+ (matching )?test cases?$' "$logs/$log"; then
      record PASS "$step" "dry run: $b starts and lists $(grep -oE '^[0-9]+' "$logs/$log" | tail -1) tests"
    elif grep -q '^SKIPPED:' "$logs/$log"; then
      record PASS "$step" "dry run: $b starts; $(grep -m1 '^SKIPPED:' "$logs/$log")"
    else record FAIL "$step" "dry run: $b does not start (logs/$log)"; fi
    return
  fi
  run "$log" "$limit" "$bin/$b" "$@"
  local rc=$?
  local tail_line
  tail_line="$(grep -E '^(test cases|SKIPPED)' "$logs/$log" | tail -1)"
  case $rc in
    0) record PASS "$step" "$tail_line" ;;
    77) record FAIL "$step" "no usable device: $tail_line" ;;
    124 | 137) record FAIL "$step" "timed out after ${limit}s (logs/$log)" ;;
    *) record FAIL "$step" "exit $rc: ${tail_line:-see logs/$log}" ;;
  esac
}

: > "$summary"
echo "foley GPU check$([ $dry -eq 1 ] && echo ' (dry run)'), $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git rev-parse --short HEAD 2>/dev/null || echo 'no git') on $(uname -n)" | tee -a "$summary"

# ---- unpack -------------------------------------------------------------------------------------------------
if [ -f "$gpu/foley-gpu.tar.xz" ] && { [ ! -d "$bin" ] || [ "$gpu/foley-gpu.tar.xz" -nt "$bin" ]; }; then
  rm -rf "$bin" "$gpu/lib"
  if ! tar -C "$gpu" -xJf "$gpu/foley-gpu.tar.xz" > "$logs/unpack.log" 2>&1; then
    # No xz binary there: Python's tarfile reads .tar.xz through the lzma module.
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' \
      "$gpu/foley-gpu.tar.xz" "$gpu" >> "$logs/unpack.log" 2>&1
  fi
  touch "$bin" 2> /dev/null
fi
if [ -d "$bin" ]; then record PASS "unpack" "$(head -1 "$gpu/MANIFEST.txt" 2>/dev/null)"
else record FAIL "unpack" "no $gpu/bin (run tools/gpu/pack.sh BUILD_DIR here first, and carry .gpu)"; fi

# ---- a: environment -----------------------------------------------------------------------------------------
env_log="$logs/a_environment.log"
{
  echo "== uname"; uname -a
  echo "== /etc/os-release"; grep -E '^(PRETTY_NAME|VERSION_ID)=' /etc/os-release 2>/dev/null
  echo "== glibc"; ldd --version 2>&1 | head -1
  echo "== nvidia-smi"; timeout 30 nvidia-smi 2>&1
  echo "== nvcc"; timeout 30 nvcc --version 2>&1 || timeout 30 /usr/local/cuda/bin/nvcc --version 2>&1
  echo "== python3"; python3 --version 2>&1
  timeout 60 python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), torch.cuda.get_device_name() if torch.cuda.is_available() else "")' 2>&1
  timeout 60 python3 -c 'import transformers, numpy, safetensors; print("transformers", transformers.__version__, "numpy", numpy.__version__, "safetensors", safetensors.__version__)' 2>&1
  echo "== compute-sanitizer"; command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>&1
  echo "== pack"; cat "$gpu/MANIFEST.txt" 2>&1
} > "$env_log" 2>&1
if [ $dry -eq 0 ]; then
  if gpu_line="$(timeout 30 nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>&1)"; then
    record PASS "a environment: GPU" "$gpu_line"
  else
    record FAIL "a environment: GPU" "nvidia-smi: ${gpu_line:-not found}"
  fi
fi
nvcc_line="$( (nvcc --version || /usr/local/cuda/bin/nvcc --version) 2>/dev/null | grep -o 'release [0-9.]*, V[0-9.]*')"
torch_line="$(timeout 60 python3 -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, "gpu", torch.cuda.is_available())' 2>/dev/null)"
if [ -n "$torch_line" ]; then record PASS "a environment: python3 torch" "torch $torch_line; nvcc ${nvcc_line:-not found}"
elif [ $dry -eq 1 ]; then record SKIP "a environment: python3 torch" "no torch here (needed there for the benchmark); nvcc ${nvcc_line:-not found}"
else record FAIL "a environment: python3 torch" "python3 cannot import torch: the diffusers side of the benchmark cannot run"; fi

# The CUDA toolkit's lib folder (libcublasLt), searched where toolkits and torch's pip wheels put it.
need_cublas="$(grep -o 'libcublasLt.so.[0-9]*' "$gpu/MANIFEST.txt" 2>/dev/null | head -1)"
toolkit_lib=""
if [ -n "$need_cublas" ]; then
  for d in ${CUDA_HOME:+"$CUDA_HOME/lib64" "$CUDA_HOME/lib"} /usr/local/cuda/lib64 /usr/local/cuda/lib \
           /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda-*/lib64 /usr/local/cuda-*/lib \
           $(python3 -c 'import nvidia, os; [print(os.path.join(p, "cublas", "lib")) for p in nvidia.__path__]' 2>/dev/null); do
    if [ -e "$d/$need_cublas" ]; then toolkit_lib="$d"; break; fi
  done
  [ -z "$toolkit_lib" ] && toolkit_lib="$(dirname "$(ldconfig -p | awk -v n="$need_cublas" '$1 == n {print $NF; exit}')" 2>/dev/null)"
fi
export LD_LIBRARY_PATH="$gpu/lib${toolkit_lib:+:$toolkit_lib}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
ldd_log="$logs/a_ldd.log"
: > "$ldd_log"
for b in "$bin"/*; do [ -x "$b" ] && { echo "== $(basename "$b")"; ldd "$b"; } >> "$ldd_log" 2>&1; done
if grep -q "version .GLIBCXX_\|version .CXXABI_\|version .GCC_" "$ldd_log"; then
  # The target's libstdc++/libgcc_s are older than the build machine's: use the packed ones.
  export LD_LIBRARY_PATH="$gpu/lib/compat:$LD_LIBRARY_PATH"
  echo "== again with lib/compat (the target's libstdc++ is older)" >> "$ldd_log"
  for b in "$bin"/*; do [ -x "$b" ] && { echo "== $(basename "$b")"; ldd "$b"; } >> "$ldd_log" 2>&1; done
fi
unresolved="$(awk '/^== again/ {again = 1; n = ""} /^== / {b = $2} /not found/ {n = n b ": " $1 " " $0 "; "} END {print n}' "$ldd_log" | tr -s ' ')"
# Libraries found outside the pack that a bare machine would not have (all but glibc, libstdc++, the toolkit's):
# here, in a dry run, they resolve from this machine's system, so they would be missing there.
from_host="$(awk -v pack="$gpu/lib" '/^== / {b = $2} /=>/ && $3 ~ /^\// && index($3, pack) != 1 &&
  $1 !~ /^(libc|libm|libpthread|libdl|librt|libstdc\+\+|libgcc_s|libcublasLt|libcublas|libcudart)\.so/ {print b ": " $1}' \
  "$ldd_log" | sort -u | tr '\n' ' ')"
if [ ! -d "$bin" ]; then record FAIL "a environment: libraries" "nothing unpacked"
elif [ $dry -eq 1 ] && [ -n "$from_host" ]; then record FAIL "a environment: libraries" "not in the pack, found on this machine only: $from_host"
elif [ -n "$unresolved" ]; then record FAIL "a environment: libraries" "unresolved: $unresolved(LD_LIBRARY_PATH=$LD_LIBRARY_PATH)"
else record PASS "a environment: libraries" "every binary resolves; LD_LIBRARY_PATH=$LD_LIBRARY_PATH"; fi

# The wheels: diffusers (+ whichever of its small imports the machine lacks) into a private site folder.
site="${TMPDIR:-/tmp}/foley-gpu-site"
rm -rf "$site"
wheel_log="$logs/a_wheels.log"
: > "$wheel_log"
if ls "$root"/.whl/diffusers-*.whl > /dev/null 2>&1; then
  want=("$root"/.whl/diffusers-*.whl)
  for pair in requests:requests urllib3:urllib3 idna:idna certifi:certifi charset_normalizer:charset_normalizer PIL:pillow; do
    mod="${pair%%:*}" whl="${pair##*:}"
    if ! python3 -c "import $mod" > /dev/null 2>&1; then
      for w in "$root"/.whl/"$whl"-*.whl; do [ -e "$w" ] && want+=("$w"); done
      echo "python3 lacks $mod: installing $whl" >> "$wheel_log"
    fi
  done
  target_flags=()
  if [ $dry -eq 1 ]; then
    # Here: every wheel, installed as the GPU machine's python would (CPython 3.12, manylinux x86-64).
    want=("$root"/.whl/*.whl)
    target_flags=(--only-binary=:all: --implementation cp --python-version 3.12 --platform manylinux_2_28_x86_64)
  fi
  if timeout 120 python3 -m pip install -q --no-index --no-deps --no-compile "${target_flags[@]}" --target "$site" "${want[@]}" >> "$wheel_log" 2>&1; then
    export PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}"
    probe='import diffusers; from diffusers import AutoencoderKL, DPMSolverMultistepScheduler; from diffusers.pipelines.audioldm2.modeling_audioldm2 import AudioLDM2UNet2DConditionModel; from transformers import SpeechT5HifiGan; print("diffusers", diffusers.__version__)'
    if [ $dry -eq 1 ]; then
      record PASS "a environment: wheels" "dry run: $(ls "$site" | grep -c 'dist-info$') wheels install for cp312 manylinux x86-64: $(ls "$site" | grep 'dist-info$' | sed 's/.dist-info//' | tr '\n' ' ')"
    elif out="$(timeout 120 python3 -c "$probe" 2>> "$wheel_log")"; then record PASS "a environment: wheels" "$out"
    else record FAIL "a environment: wheels" "import failed: $(tail -1 "$wheel_log") (the diffusers side of the benchmark cannot run)"; fi
  else
    record FAIL "a environment: wheels" "pip install failed: $(tail -1 "$wheel_log")"
  fi
else
  record SKIP "a environment: wheels" "no .whl/diffusers-*.whl (carry .whl): the diffusers side of the benchmark cannot run"
fi

# ---- b, c: device selection, the op table, the op-parity suite ----------------------------------------------
test_step "b cuda_device_tests" b_cuda_device_tests.log 60 cuda_device_tests
test_step "c op_table_tests" c_op_table_tests.log 120 op_table_tests --cuda-column
test_step "c cuda_ops_tests" c_cuda_ops_tests.log 150 cuda_ops_tests

# ---- d: the tiny pipeline on CUDA against the goldens --------------------------------------------------------
if [ ! -x "$bin/models_generation_tests" ]; then
  record SKIP "d pipeline goldens on CUDA" "models_generation_tests is not in the pack"
elif [ $dry -eq 1 ]; then
  run d_goldens_cuda.log 30 "$bin/models_generation_tests" --list-tests "[pipeline]"
  if grep -q "matches diffusers" "$logs/d_goldens_cuda.log" \
     && grep -aq FOLEY_TEST_DEVICE "$bin/models_generation_tests"; then
    record PASS "d pipeline goldens on CUDA" "dry run: the [pipeline] cases are there and the binary reads FOLEY_TEST_DEVICE"
  else
    record FAIL "d pipeline goldens on CUDA" "dry run: no [pipeline] cases or no FOLEY_TEST_DEVICE in the binary (logs/d_goldens_cuda.log)"
  fi
else
  FOLEY_TEST_DEVICE=cuda FOLEY_ENGINE_METRICS=1 run d_goldens_cuda.log 150 "$bin/models_generation_tests" "[pipeline]"
  rc=$?
  cp "$logs/d_goldens_cuda.log" "$results/goldens_cuda.log"
  if [ $rc -eq 0 ]; then record PASS "d pipeline goldens on CUDA" "$(grep -E '^All tests passed|^test cases' "$logs/d_goldens_cuda.log" | tail -1)"
  elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then record FAIL "d pipeline goldens on CUDA" "timed out (goldens_cuda.log)"
  else record FAIL "d pipeline goldens on CUDA" "exit $rc: $(grep -E '^test cases' "$logs/d_goldens_cuda.log" | tail -1) (goldens_cuda.log has every measured error)"; fi
fi

# ---- e: bitwise reproducibility -----------------------------------------------------------------------------
tiny="$root/tests/fixtures/tiny-audioldm2"
if [ ! -x "$bin/bench_foley_gpu" ]; then
  record SKIP "e reproducibility" "bench_foley_gpu is not in the pack"
else
  dev=cuda
  [ $dry -eq 1 ] && dev=cpu
  run e_repro_1.log 90 "$bin/bench_foley_gpu" --repro-out "$logs/repro_1.f32" --model "$tiny" --device $dev --seed 7
  rc1=$?
  run e_repro_2.log 90 "$bin/bench_foley_gpu" --repro-out "$logs/repro_2.f32" --model "$tiny" --device $dev --seed 7
  rc2=$?
  if [ $rc1 -ne 0 ] || [ $rc2 -ne 0 ]; then
    record FAIL "e reproducibility" "exit $rc1 / $rc2: $(grep -h 'bench_foley_gpu:' "$logs"/e_repro_*.log | head -1)"
  elif cmp "$logs/repro_1.f32" "$logs/repro_2.f32" > "$logs/e_cmp.log" 2>&1; then
    record PASS "e reproducibility" "$([ $dry -eq 1 ] && echo 'dry run, on the CPU: ')two runs, seed 7, $(($(stat -c %s "$logs/repro_1.f32") / 4)) samples, identical bytes"
  else
    record FAIL "e reproducibility" "the two waveforms differ: $(head -1 "$logs/e_cmp.log")"
  fi
  rm -f "$logs"/repro_*.f32
fi

# ---- f: compute-sanitizer -----------------------------------------------------------------------------------
sanitizer="$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer ${toolkit_lib:+"$toolkit_lib/../bin/compute-sanitizer"} 2>/dev/null | head -1)"
# The op table's CUDA column (without --cuda-column it runs only the CPU column, which the sanitizer cannot see).
target=op_table_tests
target_args=(--cuda-column)
[ -x "$bin/$target" ] || { target=cuda_ops_tests; target_args=(); }
for tool in memcheck racecheck; do
  step="f sanitizer $tool ($target)"
  if [ ! -x "$bin/$target" ]; then record SKIP "$step" "no op test binary in the pack"; continue; fi
  if [ -z "$sanitizer" ]; then
    [ $dry -eq 1 ] && record SKIP "$step" "no compute-sanitizer here" || record FAIL "$step" "no compute-sanitizer found"
    continue
  fi
  if [ $dry -eq 1 ]; then record PASS "$step" "dry run: $sanitizer present"; continue; fi
  limit=90
  [ $tool = racecheck ] && limit=75
  run "f_$tool.log" $limit "$sanitizer" --tool $tool --error-exitcode 99 --print-limit 50 "$bin/$target" "${target_args[@]}"
  rc=$?
  errors="$(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$logs/f_$tool.log" | tail -1)"
  case $rc in
    0) record PASS "$step" "${errors:-no errors}" ;;
    99) record FAIL "$step" "${errors:-errors found} (logs/f_$tool.log)" ;;
    124 | 137) record FAIL "$step" "timed out after ${limit}s, incomplete: $(grep -c '^=========  *\(Invalid\|Race\|Error\)' "$logs/f_$tool.log") reports before that" ;;
    *) record FAIL "$step" "exit $rc (the tests failed under the sanitizer?): $(grep -E '^test cases' "$logs/f_$tool.log" | tail -1)" ;;
  esac
done

# ---- g: the benchmark ---------------------------------------------------------------------------------------
bench_limit=$(($(left) - 15))
if [ $dry -eq 1 ]; then
  ok=1
  bash -n tools/bench/gpu_vs_diffusers/run.sh || ok=0
  python3 -m py_compile tools/bench/gpu_vs_diffusers/bench_diffusers.py tools/bench/generation/bench_torch.py || ok=0
  if [ -x "$bin/bench_foley_gpu" ]; then
    run g_bench_dry.log 240 "$bin/bench_foley_gpu" --model "$tiny" --dry-run --duration 0.64 --long-duration 2.56 || ok=0
    grep -q '"bench": "long2_vocoder"' "$logs/g_bench_dry.log" || ok=0
    run g_bench_refuses.log 30 "$bin/bench_foley_gpu" --model "$tiny"
    [ $? -eq 2 ] || ok=0
  fi
  if [ $ok -eq 1 ] && [ ! -x "$bin/bench_foley_gpu" ]; then record SKIP "g benchmark" "dry run: scripts parse; bench_foley_gpu is not in the pack"
  elif [ $ok -eq 1 ]; then record PASS "g benchmark" "dry run: scripts parse; bench_foley_gpu runs every stage on the CPU and refuses without a GPU"
  else record FAIL "g benchmark" "dry run: see logs/g_bench_*.log"; fi
elif [ "$bench_limit" -lt 60 ]; then
  record SKIP "g benchmark" "only $((bench_limit + 15)) s left"
else
  FOLEY_BENCH_BIN="$bin/bench_foley_gpu" FOLEY_BENCH_OUT="$results" \
    run g_bench.log "$bench_limit" tools/bench/gpu_vs_diffusers/run.sh "$bench_limit"
  rc=$?
  rows="$(grep -c '"median_ms"' "$results/bench.jsonl" 2>/dev/null)"
  if [ $rc -eq 0 ]; then record PASS "g benchmark" "${rows:-0} timings (bench_table.md)"
  else record FAIL "g benchmark" "exit $rc after ${rows:-0} timings (bench_table.md, logs/g_bench.log)"; fi
fi

# ---- summary and logs ---------------------------------------------------------------------------------------
echo "---- $n_pass PASS, $n_fail FAIL, $n_skip SKIP in $((SECONDS - start)) s (budget $budget s)" | tee -a "$summary"
# One archive of every log, each capped at its last 2 MiB (sanitizer logs can be long).
capped="$(mktemp -d)"
for f in "$logs"/*; do tail -c 2097152 "$f" > "$capped/$(basename "$f")"; done
tar -C "$capped" -czf "$results/logs.tar.gz" . && rm -rf "$capped"
# Only a few files come back from the GPU machine: there the logs live in logs.tar.gz alone.
[ $dry -eq 1 ] || rm -rf "$logs"
[ $n_fail -eq 0 ]
