#!/usr/bin/env bash
# A farm build on a real (one-machine) Slurm cluster with two fake GPUs: a
# 24-cue project (22 exec cues, 2 tiny AudioLDM 2 cues on the CPU) built by
# `foley build` inside `salloc --gres=gpu:2`, each generate edge a job step.
# Every cue is generated once, at most two at a time, each on the GPU its step
# was given; the submit host's index holds every object; the API key never
# reaches a step; a rebuild runs no step; a step killed mid-generation leaves
# no object and the next build redoes only that cue.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slurm_lib.sh"
slurm_start

P="$WORK/farm"
mkdir -p "$P/manifests"
cd "$P"
GEN="$P/gen.sh"
LOG="$P/steps.log"
# The exec generator: logs its cue, GPU and start/end times, whether an API
# key reached it, then writes a short tone. A cue whose seed is in $P/hang
# sleeps until killed.
cat > "$GEN" <<'SH'
#!/bin/bash
out=$1 seed=$2 dur=$3 log=$4
echo "start $seed gpu=${CUDA_VISIBLE_DEVICES:-none} key=${ELEVENLABS_API_KEY:+leaked} $(date +%s.%N)" >> "$log"
if grep -qx "$seed" "$(dirname "$log")/hang" 2>/dev/null; then
  echo "hang $seed $SLURM_JOB_ID.$SLURM_STEP_ID" >> "$log"; sleep 600
fi
sleep 0.3
sox -R -n -r 16000 -c 1 -b 16 "$out" synth "$dur" sine "$((200 + seed))"
echo "end $seed $(date +%s.%N)" >> "$log"
SH
chmod +x "$GEN"
cat > foley.toml <<TOML
[project]
name = "farm-e2e"
default_engine = "fx"

[render]
sample_rate = 16000
bit_depth = 16
channels = 1

[engines.fx]
engine = "exec"
command = ["$GEN", "{out}", "{seed}", "{duration}", "$LOG"]

[engines.ldm]
engine = "audioldm2"
model = "$FOLEY_SOURCE_DIR/tests/fixtures/tiny-audioldm2"
device = "cpu"
steps = 2
scheduler = "dpmsolver++"

[farm]
launcher = ["srun", "--exact", "-n1", "--gres=gpu:1", "--quiet"]
TOML
{
  for i in $(seq 1 22); do printf '[cue.fx%02d]\nprompt = "tone %d"\nduration = 0.2\nseed = %d\n\n' "$i" "$i" "$i"; done
  for i in 1 2; do printf '[cue.ldm%d]\nengine = "ldm"\nprompt = "rain %d"\nduration = 0.5\nseed = %d\n\n' "$i" "$i" "$i"; done
} > manifests/sfx.toml
export ELEVENLABS_API_KEY=sk-farm-test-secret

# Outside an allocation, with no slots, the plan says what is missing.
out=$(foley plan 2>&1); rc=$?
expect_eq "no allocation, no slots: bad input" 2 "$rc"
expect_contains "names the missing slots" "not inside a Slurm allocation" "$out"

# 1. The farm build: one allocation, two GPUs, one step per generation.
out=$(salloc -n2 --gres=gpu:2 foley build 2>&1); rc=$?
expect_eq "farm build" 0 "$rc"
[ "$rc" -eq 0 ] || echo "$out" >&2
expect_eq "24 objects" 24 "$(objects_in "$P")"
expect_eq "24 deliveries" 24 "$(find out -name '*.wav' | wc -l | tr -d ' ')"
expect_contains "the plan wrote the launcher" "farm_launcher = srun --exact -n1 --gres=gpu:1 --quiet" "$(cat build.ninja)"
expect_contains "a farm pool of the allocation's two GPUs" "$(printf 'pool farm\n  depth = 2')" "$(cat build.ninja)"
expect_not_contains "no key in build.ninja" "sk-farm-test-secret" "$(cat build.ninja)"
steps=$(cat "$LOG")
expect_eq "each exec cue generated once" 22 "$(count_lines '^start' "$steps")"
expect_eq "distinct cues" 22 "$(grep '^start' "$LOG" | awk '{print $2}' | sort -u | wc -l | tr -d ' ')"
expect_eq "no step saw the API key" 0 "$(count_lines 'key=leaked' "$steps")"
expect_eq "every step had a GPU" 22 "$(count_lines 'gpu=[01] ' "$steps")"
expect_eq "GPU 0 used" 1 "$( [ "$(count_lines 'gpu=0 ' "$steps")" -gt 0 ] && echo 1 || echo 0)"
expect_eq "GPU 1 used" 1 "$( [ "$(count_lines 'gpu=1 ' "$steps")" -gt 0 ] && echo 1 || echo 0)"
# At most two generations at once, and two GPUs never share a step's device:
# a sweep over the start/end events.
max=$(awk '/^start/{print $NF, 1, $3} /^end/{print $NF, -1, ""}' "$LOG" | sort -n |
  awk '{n += $2; if (n > m) m = n} END {print m}')
expect_eq "at most two at a time" 1 "$( [ "$max" -le 2 ] && [ "$max" -ge 1 ] && echo 1 || echo 0)"
# The index on the submit host holds every object, with the GPU of its step.
db="$P/cache/index.sqlite"
expect_eq "index holds 24 objects" 24 "$(sqlite3 "$db" 'select count(*) from objects')"
expect_eq "every object records its step's GPU" 24 \
  "$(sqlite3 "$db" "select count(*) from objects where json_extract(details, '$.farm.cuda_visible_devices') in ('0','1')")"
expect_eq "the AudioLDM 2 cues ran as job steps" 2 \
  "$(sqlite3 "$db" "select count(*) from objects where engine = 'audioldm2' and json_extract(details, '$.farm.slurm_step') is not null")"
expect_eq "no pending record left" 0 "$(find .foley/farm/records -type f 2>/dev/null | wc -l | tr -d ' ')"

# 2. A rebuild inside a new allocation runs no job step. This allocation has
# one task for its two GPUs: the build says that steps would run one at a time.
before=$(wc -l < "$LOG")
out=$(salloc --gres=gpu:2 foley build 2>&1); rc=$?
expect_eq "rebuild" 0 "$rc"
expect_contains "one task for two GPUs is pointed out" "1 CPU(s) for 2 farm slots" "$out"
expect_eq "no generation" 0 "$(cue_lines "$out" generated)"
expect_eq "no step ran" "$before" "$(wc -l < "$LOG")"

# 3. A step killed mid-generation: no object, the edge fails, the next build
# redoes that cue alone.
printf '[cue.fx23]\nprompt = "tone 23"\nduration = 0.2\nseed = 23\n\n[cue.fx24]\nprompt = "tone 24"\nduration = 0.2\nseed = 24\n' >> manifests/sfx.toml
echo 23 > "$P/hang"
salloc -n2 --gres=gpu:2 foley build > "$P/killed.out" 2>&1 &
build_pid=$!
for _ in $(seq 200); do grep -q '^hang 23' "$LOG" && break; sleep 0.1; done
hang_step=$(awk '/^hang 23/{print $3}' "$LOG")
expect_eq "the hanging step started" 1 "$( [ -n "$hang_step" ] && echo 1 || echo 0)"
# `foley status` on the submit host says which cue runs where.
status=$(foley status 2>&1)
expect_contains "status lists the farm's running cue" "running on the farm:" "$status"
expect_contains "with its GPU and step" "sfx:fx23" "$(printf '%s\n' "$status" | grep "CUDA_VISIBLE_DEVICES=[01], step $hang_step")"
# The node's side of the edge dies (Slurm kills every process of the step).
[ -n "$hang_step" ] && scancel -s KILL "$hang_step"
wait "$build_pid"; rc=$?
expect_eq "the build failed" 1 "$( [ "$rc" -ne 0 ] && echo 1 || echo 0)"
expect_contains "ninja names the failed edge" "FAILED" "$(cat "$P/killed.out")"
expect_eq "fx24 was made, fx23 not" 25 "$(objects_in "$P")"
expect_eq "index holds 25" 25 "$(sqlite3 "$db" 'select count(*) from objects')"
rm -f "$P/hang"
before=$(grep -c '^start' "$LOG")
out=$(salloc -n2 --gres=gpu:2 foley build 2>&1); rc=$?
expect_eq "the re-run" 0 "$rc"
[ "$rc" -eq 0 ] || echo "$out" >&2
expect_eq "only fx23 generated again" 1 "$(cue_lines "$out" generated)"
expect_eq "one more step" $((before + 1)) "$(grep -c '^start' "$LOG")"
expect_eq "26 objects" 26 "$(objects_in "$P")"
expect_eq "index holds 26" 26 "$(sqlite3 "$db" 'select count(*) from objects')"
expect_eq "the killed writer's temp file was swept" 0 "$(find cache/objects -name '.tmp-*' | wc -l | tr -d ' ')"

# 4. Ctrl-C: ninja interrupts its edges; each ends its job step, within the
# allocation, which outlives the build here.
printf '[cue.fx25]\nprompt = "tone 25"\nduration = 0.2\nseed = 25\n' >> manifests/sfx.toml
echo 25 > "$P/hang"
out=$(salloc -n2 --gres=gpu:2 bash -c '
  foley build > "$0/interrupted.out" 2>&1 &
  for _ in $(seq 200); do grep -q "^hang 25" "$0/steps.log" && break; sleep 0.1; done
  ninja_pid=$(pgrep -f "^ninja -C $0 ")
  started=$(date +%s)
  kill -INT $ninja_pid
  wait
  echo "build ended after $(( $(date +%s) - started )) s"
  sleep 0.5
  echo "steps left: [$(squeue -h -s -j $SLURM_JOB_ID -o %i)]"' "$P" 2>&1)
expect_contains "the hanging step was reached" "^hang 25" "$(grep '^hang 25' "$LOG" | sed 's/^/^/')"
expect_contains "no job step outlives the build" "steps left: []" "$out"
expect_eq "the interrupted build ended at once" 1 \
  "$(printf '%s\n' "$out" | awk '/build ended after/{print ($4 <= 5) ? 1 : 0}')"
expect_eq "no object for the interrupted cue" 26 "$(objects_in "$P")"
expect_eq "no running marker left" 0 "$(find .foley/farm/running -type f 2>/dev/null | wc -l | tr -d ' ')"
rm -f "$P/hang"
finish
