#!/usr/bin/env bash
# The audioldm2 engine end to end through `foley build` and ninja on the tiny
# random-weight model: seed and steps changes
# regenerate exactly what they should, a loudness change only re-renders, the
# index records the provenance, and the resident model server serves the
# build (and gives the same bytes as an in-process run).
. "$(dirname "$0")/lib.sh"
unset FOLEY_AUDIOLDM2_SERVER  # this test builds through the resident server

MODEL="$FOLEY_SOURCE_DIR/tests/fixtures/tiny-audioldm2"
P="$WORK/ldm"
mkdir -p "$P/manifests"
cd "$P"
cat > foley.toml <<TOML
[project]
name = "ldm-e2e"
cache_dir = "cache"
output_dir = "out"
default_engine = "local"

[render]
sample_rate = 16000
bit_depth = 16
format = "wav"
channels = 1

[engines.local]
engine = "audioldm2"
model = "$MODEL"
device = "auto"
steps = 5
scheduler = "dpmsolver++"
idle_timeout = 60
TOML
cat > manifests/sfx.toml <<'TOML'
[cue.rain]
prompt = "rain on a tin roof"
duration = 1.0
seed = 1
loudness = -20.0

[cue.dog]
prompt = "a dog barks twice"
duration = 1.5
seed = 2
TOML
trap 'foley server stop >/dev/null 2>&1; rm -rf "$WORK"' EXIT

# 1. First build: two generations through one model server.
out=$(foley build 2>&1); rc=$?
expect_eq "first build" 0 "$rc"
[ "$rc" -eq 0 ] || echo "$out" >&2
expect_eq "two cues generated" 2 "$(cue_lines "$out" generated)"
expect_eq "two cues delivered" 2 "$(cue_lines "$out")"
expect_eq "two objects" 2 "$(objects_in "$P")"
expect_file "rain delivered" out/sfx/rain.wav
expect_file "dog delivered" out/sfx/dog.wav
status=$(foley server status 2>&1)
expect_contains "a server runs" "resident server pid" "$status"
expect_contains "it holds the tiny model" "tiny-audioldm2" "$status"
expect_contains "it served both" "2 served" "$status"
expect_eq "server dir is private" "700" "$(stat -c %a cache/server)"
# Its OpenMP threads spin briefly at barriers, then sleep (GOMP_SPINCOUNT, unless the user chose a policy).
server_pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' cache/server/server.pid)
if [ -n "${OMP_WAIT_POLICY:-}${GOMP_SPINCOUNT:-}" ]; then
  skip "server spin bound (the environment sets an OpenMP wait policy)"
else
  expect_eq "server spin bound" 1 "$(tr '\0' '\n' < "/proc/$server_pid/environ" | grep -c '^GOMP_SPINCOUNT=10000$' || true)"
fi

# 2. The index records model fingerprint, seed, steps and generation seconds.
show=$(foley cache show rain)
expect_contains "engine" '"engine": "audioldm2"' "$show"
expect_contains "seed" '"seed": 1' "$show"
expect_contains "steps" '"steps": 5' "$show"
expect_contains "scheduler" '"scheduler": "dpmsolver++"' "$show"
fp=$(printf '%s' "$show" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["details"]["model_fingerprint"] == d["request"]["model_fingerprint"] and len(d["details"]["model_fingerprint"]) == 32)')
expect_eq "model fingerprint recorded" "True" "$fp"
secs=$(printf '%s' "$show" | python3 -c 'import json,sys; print(json.load(sys.stdin)["generation_seconds"] > 0)')
expect_eq "generation seconds recorded" "True" "$secs"
frames=$(python3 -c 'import wave,sys; w=wave.open(sys.argv[1]); print(w.getnframes(), w.getframerate())' out/sfx/dog.wav)
expect_eq "dog is 1.5 s at 16 kHz" "24000 16000" "$frames"

# 3. A second build does nothing.
out=$(foley build 2>&1)
expect_contains "no-op build" "no work to do" "$out"
expect_eq "no-op build finishes no cue" 0 "$(cue_lines "$out")"

# 4. Change one cue's seed: only it regenerates.
sed -i 's/^seed = 2$/seed = 3/' manifests/sfx.toml
out=$(ninja 2>&1); rc=$?
expect_eq "seed change build" 0 "$rc"
expect_eq "one generation after a seed change" 1 "$(count_lines 'GEN ' "$out")"
expect_contains "the dog regenerates" "generated sfx:dog" "$out"
expect_eq "one render after a seed change" 1 "$(count_lines 'RENDER ' "$out")"
expect_contains "seed 3 recorded" '"seed": 3' "$(foley cache show dog)"

# 5. Change a loudness: only its render runs.
sed -i 's/^loudness = -20.0$/loudness = -18.0/' manifests/sfx.toml
out=$(ninja 2>&1)
expect_eq "no generation for loudness" 0 "$(count_lines 'GEN ' "$out")"
expect_eq "one render for loudness" 1 "$(count_lines 'RENDER ' "$out")"
expect_contains "the rain re-renders" "RENDER out/sfx/rain.wav" "$out"

# 6. Change steps: the cues regenerate, with the new step count recorded.
rain_before=$(foley cache show rain | python3 -c 'import json,sys; print(json.load(sys.stdin)["gen_key"])')
sed -i 's/^steps = 5$/steps = 4/' foley.toml
out=$(ninja 2>&1); rc=$?
expect_eq "steps change build" 0 "$rc"
expect_eq "both regenerate after a steps change" 2 "$(count_lines 'GEN ' "$out")"
expect_contains "steps 4 recorded" '"steps": 4' "$(foley cache show rain)"
rain_after=$(foley cache show rain | python3 -c 'import json,sys; print(json.load(sys.stdin)["gen_key"])')
[ "$rain_before" != "$rain_after" ]; expect_eq "new gen key" 0 "$?"

# 7. In-process (no server) gives the same bytes as the server did.
obj=$(find cache/objects -name "$rain_after.wav")
sum_server=$(sha256sum "$obj" | cut -d' ' -f1)
out=$(foley server stop 2>&1)
expect_contains "server stopped" "stopped resident server pid" "$out"
expect_contains "status after stop" "no resident server is running" "$(foley server status)"
rm "$obj"
out=$(FOLEY_AUDIOLDM2_SERVER=0 ninja 2>&1); rc=$?
expect_eq "in-process build" 0 "$rc"
expect_eq "one regeneration in-process" 1 "$(count_lines 'GEN ' "$out")"
expect_eq "in-process bytes equal the server's" "$sum_server" "$(sha256sum "$obj" | cut -d' ' -f1)"
expect_contains "no server was started" "no resident server is running" "$(foley server status)"
expect_eq "no temp files left" 0 "$(find cache/objects -name '.tmp-*' | wc -l | tr -d ' ')"

finish
