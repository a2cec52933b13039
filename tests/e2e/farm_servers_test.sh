#!/usr/bin/env bash
# The farm's resident servers on a real (one-machine) Slurm cluster with two
# fake GPUs: `foley farm up` starts one `foley-gen serve --tcp` per GPU as a
# long-lived job step of one allocation; the farmed AudioLDM 2 edges of
# `foley build` go to them over TCP (spread over both, batched there), each
# connection proving it knows the farm's secret; a server killed mid-request
# leaves no object and its edge completes in a job step of its own; `foley
# farm down` stops them and removes the registry.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slurm_lib.sh"
slurm_start

P="$WORK/farm"
mkdir -p "$P/manifests"
cd "$P"
# batch_window: a server holds a request 3 s for others to batch with, which
# also leaves time to kill it while it holds one.
cat > foley.toml <<TOML
[project]
name = "farm-servers-e2e"
default_engine = "ldm"

[render]
sample_rate = 16000
bit_depth = 16
channels = 1

[engines.ldm]
engine = "audioldm2"
model = "$FOLEY_SOURCE_DIR/tests/fixtures/tiny-audioldm2"
device = "cpu"
steps = 2
scheduler = "dpmsolver++"
batch_window = 3.0

[farm]
launcher = ["srun", "--exact", "-n1", "--gres=gpu:1", "--quiet"]
slots = 4
TOML
cues() { for i in $(seq "$1" "$2"); do printf '[cue.rain%02d]\nprompt = "rain %d"\nduration = 0.5\nseed = %d\n\n' "$i" "$i" "$i"; done; }
cues 1 8 > manifests/sfx.toml
export ELEVENLABS_API_KEY=sk-farm-servers-secret-key

# One allocation for the whole test, held without a shell: every command below
# runs inside it through SLURM_JOB_ID, as the commands of an sbatch script do.
alloc=$(salloc --no-shell -n2 --gres=gpu:2 2>&1)
job=$(printf '%s\n' "$alloc" | sed -n 's/.*Granted job allocation \([0-9]*\).*/\1/p')
expect_eq "an allocation" 1 "$( [ -n "$job" ] && echo 1 || echo 0)"
[ -n "$job" ] || { echo "$alloc" >&2; finish; exit 1; }
export SLURM_JOB_ID=$job
trap 'scancel "$job" 2>/dev/null; slurm_stop; rm -rf "$WORK"' EXIT

out=$(foley farm status 2>&1)
expect_contains "no farm yet" "no farm server is registered" "$out"

# 1. Two servers, one per GPU, registered in the shared cache.
out=$(foley farm up --bind 127.0.0.1 -n 2 2>&1); rc=$?
expect_eq "farm up" 0 "$rc"
[ "$rc" -eq 0 ] || { echo "$out" >&2; cat cache/farm/logs/*.log >&2; }
expect_eq "two registered servers" 2 "$(find cache/farm/servers -name '*.json' | wc -l | tr -d ' ')"
expect_eq "the secret is private" 600 "$(stat -c %a cache/farm/secret)"
gpus=$(cat cache/farm/servers/*.json | python3 -c 'import sys,json; print(" ".join(sorted(json.loads(l)["cuda_visible_devices"] for l in sys.stdin)))')
expect_eq "each server has its own GPU" "0 1" "$gpus"
pids=$(cat cache/farm/servers/*.json | python3 -c 'import sys,json; print(" ".join(str(json.loads(l)["pid"]) for l in sys.stdin))')
ports=$(cat cache/farm/servers/*.json | python3 -c 'import sys,json; print(" ".join(str(json.loads(l)["port"]) for l in sys.stdin))')
secret=$(cat cache/farm/secret)
for pid in $pids; do
  expect_eq "server $pid: no API key in its environment" 0 "$(tr '\0' '\n' < /proc/$pid/environ | grep -c ELEVENLABS_API_KEY)"
  expect_eq "server $pid: no secret on its command line" 0 "$(tr '\0' ' ' < /proc/$pid/cmdline | grep -c "$secret")"
  expect_eq "server $pid: no secret in its environment" 0 "$(tr '\0' '\n' < /proc/$pid/environ | grep -c "$secret")"
done
expect_eq "a second farm up is refused" 2 "$(foley farm up --bind 127.0.0.1 -n 2 >/dev/null 2>&1; echo $?)"

# 2. A request without the secret, or with a wrong proof, is refused.
port=${ports%% *}
exec 3<>"/dev/tcp/127.0.0.1/$port"
read -r -t 5 challenge <&3
expect_contains "the server speaks first" '"challenge"' "$challenge"
echo '{"op":"stop"}' >&3
read -r -t 5 reply <&3
exec 3>&-
expect_contains "no proof: refused" "authentication required" "$reply"
exec 3<>"/dev/tcp/127.0.0.1/$port"
read -r -t 5 challenge <&3
printf '{"auth":"%064d"}\n{"op":"stop"}\n' 0 >&3
read -r -t 5 reply <&3
exec 3>&-
expect_contains "a wrong proof: refused" "authentication failed" "$reply"
expect_eq "both servers still registered" 2 "$(find cache/farm/servers -name '*.json' | wc -l | tr -d ' ')"

# 3. A build: every edge goes to a server, none to a job step of its own.
out=$(foley build 2>&1); rc=$?
expect_eq "farm build on the servers" 0 "$rc"
[ "$rc" -eq 0 ] || echo "$out" >&2
expect_eq "8 objects" 8 "$(objects_in "$P")"
db="$P/cache/index.sqlite"
expect_eq "every object made by a farm server" 8 \
  "$(sqlite3 "$db" "select count(*) from objects where json_extract(details, '$.farm.server') is not null")"
logs=$(cat cache/farm/logs/*.log)
expect_eq "8 generations in the servers' logs" 8 "$(count_lines 'generated [0-9a-f]* (' "$logs")"
for log in cache/farm/logs/server-*.log; do
  expect_eq "$(basename "$log") took requests" 1 "$( [ "$(grep -c 'generated [0-9a-f]* (' "$log")" -ge 1 ] && echo 1 || echo 0)"
done
expect_eq "requests were batched" 1 "$( [ "$(count_lines 'batch of [2-9]' "$logs")" -ge 2 ] && echo 1 || echo 0)"
st=$(foley farm status --json)
expect_eq "status: two answering servers" 2 "$(printf '%s' "$st" | python3 -c 'import sys,json; print(sum(s["answers"] for s in json.load(sys.stdin)["servers"]))')"
expect_eq "no pending record left" 0 "$(find .foley/farm/records -type f 2>/dev/null | wc -l | tr -d ' ')"

# 4. A server killed while it holds a request: no object from it, the edge is
# made by a job step of its own (on the GPU the dead server's step freed).
cues 9 10 >> manifests/sfx.toml
victim=${pids%% *}
victim_log=$(grep -l "resident server $victim listening" cache/farm/logs/*.log)
before=$(grep -c '^.*accepted' "$victim_log")
foley build > "$P/killed.out" 2>&1 &
build_pid=$!
for _ in $(seq 200); do [ "$(grep -c 'accepted' "$victim_log")" -gt "$before" ] && break; sleep 0.05; done
expect_eq "the victim took a request" 1 "$( [ "$(grep -c 'accepted' "$victim_log")" -gt "$before" ] && echo 1 || echo 0)"
# Meanwhile `foley status` on the submit host lists it, on its server's GPU.
expect_contains "status shows a cue running on a farm server" "running on the farm:" "$(foley status 2>&1)"
kill -9 "$victim"
wait "$build_pid"; rc=$?
expect_eq "the build completed through the fallback" 0 "$rc"
[ "$rc" -eq 0 ] || cat "$P/killed.out" >&2
expect_contains "the client saw the server die" "died during" "$(cat "$P/killed.out")"
expect_eq "10 objects" 10 "$(objects_in "$P")"
expect_eq "no partial object" 0 "$(find cache/objects -name '.tmp-*' | wc -l | tr -d ' ')"
expect_eq "the dead server's edge ran as a job step" 1 "$( [ "$(sqlite3 "$db" "select count(*) from objects where json_extract(details, '$.farm.server') is null and json_extract(details, '$.farm.slurm_step') is not null")" -ge 1 ] && echo 1 || echo 0)"
expect_contains "status: the dead server does not answer" "not answering" "$(foley farm status 2>&1)"

# 5. farm down stops the live one and removes the registry and the secret.
out=$(foley farm down 2>&1); rc=$?
expect_eq "farm down" 0 "$rc"
expect_eq "two servers stopped" 2 "$(count_lines '^stopped farm server' "$out")"
expect_no_file "no registry left" cache/farm/servers
expect_no_file "no secret left" cache/farm/secret
for pid in $pids; do
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  expect_eq "server $pid exited" 1 "$(kill -0 "$pid" 2>/dev/null && echo 0 || echo 1)"
done
for _ in $(seq 50); do [ -z "$(squeue -h -s -j "$job" -o %i)" ] && break; sleep 0.1; done
expect_eq "no job step left" "" "$(squeue -h -s -j "$job" -o %i | grep -v '\.extern$')"
finish
