#!/usr/bin/env bash
# The ElevenLabs engine end to end through ninja against the local fake API
# server: pool depth, no request on a rebuild, exactly
# one request per edited cue, the credit ledger, `foley import`, and the key
# never reaching argv, files or logs.
. "$(dirname "$0")/lib.sh"

SERVER="$FOLEY_SOURCE_DIR/tools/fake_elevenlabs/server.py"
P="$WORK/api"
mkdir -p "$P/manifests"
cd "$P"

SECRET="sk-e2e-$(date +%s%N)-planted"
printf '%s' "$SECRET" > "$WORK/key"
python3 "$SERVER" --expect-key-file "$WORK/key" --log "$WORK/log.jsonl" --port-file "$WORK/port" --delay 0.4 \
  --record-clients "$WORK/clients.jsonl" \
  >"$WORK/server.out" 2>&1 &
SERVER_PID=$!
# The resident server foley-gen-client starts is stopped with the test.
trap 'foley -C "$P" server stop >/dev/null 2>&1; kill $SERVER_PID 2>/dev/null; rm -rf "$WORK"' EXIT
wait_for_port "$WORK/port"
PORT=$(cat "$WORK/port")
requests() { fake_requests "$WORK/log.jsonl"; }
max_conc() { python3 "$SERVER" --summarize "$WORK/log.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["max_concurrency"])'; }
violations() { python3 "$SERVER" --summarize "$WORK/log.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["violation_count"])'; }

cat > foley.toml <<TOML
[project]
name = "api"
default_engine = "sfx"
[engines.sfx]
engine = "elevenlabs"
base_url = "http://127.0.0.1:$PORT"
tier = "free"
credits_per_second = 40
[engines.synth]
engine = "exec"
command = ["sox", "-R", "-n", "-r", "16000", "-c", "1", "{out}", "synth", "{duration}", "sine", "{seed}"]
TOML
{
  for i in 1 2 3 4 5 6; do
    printf '[cue.api%d]\nprompt = "door slam number %d"\nduration = 1.0\n' "$i" "$i"
  done
  printf '[cue.local1]\nengine = "synth"\nprompt = "tone"\nduration = 0.5\nseed = 440\n'
  printf '[cue.legacy]\nprompt = "diner door opens with a bell"\nduration = 2.0\ntags = ["SFX: DINER DOOR OPENS, BELL CHIMES"]\n'
} > manifests/ep1.toml

# The old pipeline's library: SFX/<slug>.mp3 for the legacy cue.
mkdir -p "$WORK/old/SFX"
cp "$FOLEY_SOURCE_DIR/tools/fake_elevenlabs/sine_1s_44100.mp3" "$WORK/old/SFX/sfx_diner-door-opens-bell-chimes.mp3"
cp "$FOLEY_SOURCE_DIR/tools/fake_elevenlabs/sine_1s_44100.mp3" "$WORK/old/SFX/unrelated.mp3"

# Without a key: plan and status work, the build fails clearly.
status=$(foley status 2>&1); rc=$?
expect_eq "status needs no key" 0 "$rc"
expect_contains "status estimates credits (6 x 40 + 80)" "estimated 320 credits" "$status"

out=$(foley import "$WORK/old" 2>&1); rc=$?
expect_eq "import" 0 "$rc"
expect_contains "import matched the legacy cue" "imported ep1:legacy" "$out"
expect_contains "import reports unused files" "unused file" "$out"
expect_contains "import reports cues without files" "no file for   ep1:api1" "$out"
expect_contains "imported object is pinned" '"pinned": true' "$(foley cache show legacy)"

out=$(foley build 2>&1); rc=$?
expect_eq "build without a key fails" 1 "$rc"
expect_contains "missing key message" "ELEVENLABS_API_KEY" "$out"
expect_eq "no request without a key" 0 "$(requests)"

# With the key: every API cue generated once, through a pool of depth 2 (tier free).
export ELEVENLABS_API_KEY="$SECRET"
foley build -j 16 >"$WORK/build.log" 2>&1; rc=$?
expect_eq "build with key" 0 "$rc"
# The fake server recorded the argv of the process behind every request
# (found through its socket while it waited for the answer): each is this
# cache's resident server, started by foley-gen-client, and none holds the key.
clients=$(python3 - "$WORK/clients.jsonl" "$P/cache" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ours = [r for r in rows if "foley-gen serve --cache " + sys.argv[2] in (r["cmdline"] or "")]
print(len(rows), len(ours))
for r in rows:
    print(r["cmdline"])
PY
)
expect_eq "every request's client found, all this cache's resident server" "6 6" "$(head -1 <<<"$clients")"
expect_not_contains "key not in argv" "$SECRET" "$clients"
# The key reaches the server per call over its private socket; the server was
# started without it in its environment.
server_pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' cache/server/server.pid)
expect_eq "server environment has no key" 0 "$(tr '\0' '\n' < "/proc/$server_pid/environ" | grep -c -- "$SECRET" || true)"
expect_eq "server argv has no key" 0 "$(tr '\0' '\n' < "/proc/$server_pid/cmdline" | grep -c -- "$SECRET" || true)"
# `foley build` handed the 6 calls to the server before ninja ran (prefetch);
# the 6 edges' clients got their results from it. The first build, without a
# key, failed in both.
server_status=$(foley server status)
# (7 answered: the API cues' edges, each picking up its prefetched result, and
# the imported cue's edge, which finds its object and links it into the
# project; in the build without a key, 2 edges ran and each reported its
# prefetch's failure)
expect_contains "the edges' calls answered (2 failed: no key)" "7 answered, 2 failed" "$server_status"
expect_contains "made ahead for foley build" "6 made ahead for \`foley build\`, 6 failed" "$server_status"
expect_eq "the build printed each generation" 1 "$(count_lines '^ep1:api4  elevenlabs .*  generated  ' "$(cat "$WORK/build.log")")"
expect_eq "a prefetched object is no hit" 0 "$(count_lines '^ep1:api[0-9]  .*  cached  ' "$(cat "$WORK/build.log")")"
expect_eq "the imported cue's object is" 1 "$(count_lines '^ep1:legacy  .*  cached  ' "$(cat "$WORK/build.log")")"
expect_contains "no hit counted for them" '"hit_count": 0' "$(foley cache show api4)"
expect_eq "requests: 6 API cues, the imported one is not requested" 6 "$(requests)"
expect_eq "pool depth respected" 2 "$(max_conc)"
expect_eq "every request matched the contract" 0 "$(violations)"
for i in 1 2 3 4 5 6; do expect_file "api output" "out/ep1/api$i.wav"; done
expect_file "imported cue rendered" "out/ep1/legacy.wav"

# The ledger: request id and credits charged, paid objects pinned.
show=$(foley cache show api1)
expect_contains "request id recorded" '"request_id": "' "$show"
expect_contains "credits from character-cost" '"credits": 40' "$show"
expect_contains "paid" '"paid": true' "$show"
expect_contains "stats: credits spent" "Spent:                  240" "$(foley cache stats)"

# A rebuild makes no request; editing one API cue makes exactly one.
foley build >/dev/null 2>&1
expect_eq "rebuild makes no request" 6 "$(requests)"
sed -i 's/door slam number 3/a door slams hard/' manifests/ep1.toml
expect_contains "status prices the edited cue" "~40 credits" "$(foley status)"
ninja >/dev/null 2>&1
expect_eq "one request for one edit" 7 "$(requests)"

# The key is the client's, per call: with a wrong key in this shell, the
# running server (which got the right one from earlier clients) is refused.
sed -i 's/a door slams hard/a door slams very hard/' manifests/ep1.toml
out=$(ELEVENLABS_API_KEY=sk-wrong ninja 2>&1); rc=$?
expect_eq "wrong key in the client's environment fails" 1 "$rc"
expect_contains "the server used the client's key" "not the expected key" "$out"
expect_eq "the refused call made one request" 8 "$(requests)"
ninja >/dev/null 2>&1
expect_eq "the right key again: one request" 9 "$(requests)"

# kill -9 of the resident server in the middle of calls: each client says so
# and generates in its own process; nothing partial is left.
sed -i 's/door slam number 1"/door slam number 1 again"/; s/door slam number 2"/door slam number 2 again"/' manifests/ep1.toml
victim=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' cache/server/server.pid)
in_flight_before=$(wc -l < "$WORK/clients.jsonl")
ninja > "$WORK/killed.log" 2>&1 &
ninja_pid=$!
# Kill it (the running server, which takes the calls) once both calls are at
# the fake API: it records each request's client as the request arrives, and
# answers 0.4 s later.
for _ in $(seq 500); do
  [ "$(wc -l < "$WORK/clients.jsonl")" -ge $((in_flight_before + 2)) ] && break
  sleep 0.01
done
kill -9 "$victim"
wait "$ninja_pid"; rc=$?
expect_eq "build survives a killed server" 0 "$rc"
expect_contains "the client reported the dead server" "closed the connection before finishing; generating in this process" \
  "$(cat "$WORK/killed.log")"
expect_file "edited cue 1 rendered" out/ep1/api1.wav
expect_eq "no temp file left (swept by the in-process retry)" 0 "$(find cache/objects -name '.tmp-*' | wc -l | tr -d ' ')"
expect_eq "nothing stale after the killed server" 0 "$(foley status -q >/dev/null 2>&1; echo $?)"

# FOLEY_SERVER=0: foley-gen makes the call itself (FOLEY_API_SERVER=0, the
# older name, still does the same).
foley server stop >/dev/null 2>&1
sed -i 's/a door slams very hard/a door slams once/' manifests/ep1.toml
FOLEY_SERVER=0 ninja >/dev/null 2>&1
expect_contains "in-process call without the server" "foley-gen generate --object" "$(tail -n 1 "$WORK/clients.jsonl")"
sed -i 's/a door slams once/a door slams twice/' manifests/ep1.toml
FOLEY_API_SERVER=0 ninja >/dev/null 2>&1
expect_contains "the older switch still works" "foley-gen generate --object" "$(tail -n 1 "$WORK/clients.jsonl")"
expect_contains "and no server was started" "no resident server is running" "$(foley server status)"

# gc never removes paid objects without --include-pinned: only the local one goes.
paid_before=$(objects_in "$P")
out=$(foley cache gc --max-size 0 2>&1)
expect_contains "gc spares paid objects" "pinned/paid object(s) kept" "$out"
expect_eq "only the local object removed" 1 "$(printf '%s\n' "$out" | grep -c '^removed' || true)"
expect_eq "only the local object gone" "$((paid_before - 1))" "$(objects_in "$P")"

# `foley build` without -j gives the API pool its whole depth even when it is
# deeper than ninja's default (cores + 2): 8 stale cues, pool depth 8.
sed -i 's/^tier = "free"$/tier = "free"\nconcurrency = 8/' foley.toml
for i in $(seq 1 8); do printf '[cue.wide%d]\nprompt = "wide pool cue %d"\nduration = 1.0\n' "$i" "$i"; done \
  > manifests/wide.toml
before=$(requests)
foley build >/dev/null 2>&1; rc=$?
expect_eq "wide build" 0 "$rc"
expect_eq "8 more requests" $((before + 8)) "$(requests)"
conc=$(max_conc)
expect_eq "deeper pool used beyond ninja's default -j ($(($(nproc) + 2)))" 1 \
  "$([ "$conc" -gt $(($(nproc) + 2)) ] || [ "$(($(nproc) + 2))" -ge 8 ]; [ $? -eq 0 ] && [ "$conc" -le 8 ] && echo 1 || echo "0 (max concurrency $conc)")"

# Interrupting `foley build` stops the calls it handed to the server that had
# not started (a one-at-a-time profile, 0.4 s a call): the ones in flight
# finish and are kept, the rest are never made, and the next build makes
# exactly those.
cat >> foley.toml <<TOML
[engines.slow]
engine = "elevenlabs"
base_url = "http://127.0.0.1:$PORT"
concurrency = 1
TOML
for i in $(seq 1 8); do printf '[cue.cut%d]\nengine = "slow"\nprompt = "cut short %d"\nduration = 1.0\n' "$i" "$i"; done \
  > manifests/cut.toml
before=$(requests)
in_flight_before=$(wc -l < "$WORK/clients.jsonl")
setsid foley build >"$WORK/cut.log" 2>&1 &
cut_pid=$!
# Interrupt it once its first call is at the fake API.
for _ in $(seq 300); do
  [ "$(wc -l < "$WORK/clients.jsonl")" -gt "$in_flight_before" ] && break
  sleep 0.02
done
kill -INT -- "-$cut_pid" 2>/dev/null
wait "$cut_pid"
sleep 1.5
made=$(( $(requests) - before ))
expect_eq "an interrupted build made some calls, not all 8 ($made)" 1 "$([ "$made" -ge 1 ] && [ "$made" -le 3 ] && echo 1 || echo 0)"
foley build >/dev/null 2>&1; rc=$?
expect_eq "the next build completes" 0 "$rc"
expect_eq "8 requests in all: none made twice" $((before + 8)) "$(requests)"

# `foley server stop` while the server works through a build's hand-over:
# it starts no further call and exits promptly; the build's edges then make
# the remaining calls themselves, each exactly once.
for i in $(seq 1 6); do printf '[cue.stop%d]\nengine = "slow"\nprompt = "stopped %d"\nduration = 1.0\n' "$i" "$i"; done \
  > manifests/stop.toml
before=$(requests)
in_flight_before=$(wc -l < "$WORK/clients.jsonl")
foley build >"$WORK/stop.log" 2>&1 &
stop_build=$!
for _ in $(seq 300); do
  [ "$(wc -l < "$WORK/clients.jsonl")" -gt "$in_flight_before" ] && break
  sleep 0.02
done
t0=$(date +%s%N)
foley server stop >/dev/null 2>&1
stop_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait "$stop_build"; rc=$?
expect_eq "server stop returns before the hand-over's 6 calls are done ($stop_ms ms)" 1 \
  "$([ "$stop_ms" -lt 2000 ] && echo 1 || echo 0)"
expect_eq "the build completes after the server stopped" 0 "$rc"
expect_eq "6 requests in all: none made twice" $((before + 6)) "$(requests)"

# `ninja -t clean` removes what ninja can make again (delivered files) and
# never a cache object (ninja_clean_test.sh tries every cleaning tool). Then
# ninja renders again without a single request.
objects_before=$(objects_in "$P")
paid_before=$(foley cache ls 2>/dev/null | grep -c paid || true)
before=$(requests)
out=$(ninja -t clean 2>&1)
expect_eq "clean: every object kept" "$objects_before" "$(objects_in "$P")"
expect_eq "clean: no delivered file left" 0 "$(find out -type f ! -name '*.json' | wc -l | tr -d ' ')"
ninja >/dev/null 2>&1; rc=$?
expect_eq "rebuild after clean" 0 "$rc"
expect_eq "rebuild after clean makes no request" "$before" "$(requests)"
expect_file "rebuild after clean rendered" out/ep1/api1.wav
expect_file "and its sidecar" out/ep1/api1.wav.json
expect_eq "clean: pinned objects still listed" "$paid_before" "$(foley cache ls 2>/dev/null | grep -c paid || true)"

# A lost index loses no paid object's protection: `foley cache repair` brings
# back the paid flag and credits from each object's record.
foley server stop >/dev/null 2>&1
rm -f cache/index.sqlite*
out=$(foley cache repair 2>&1)
expect_contains "repair recovers the paid objects" "paid objects recovered:" "$out"
expect_not_contains "none of them without a record" " 0 adopted" "$out"
show=$(foley cache show api1)
expect_contains "paid flag back" '"paid": true' "$show"
expect_contains "credits back" '"credits": 40' "$show"
expect_contains "request id back" '"request_id": "' "$show"

# A resident server whose cache folder is deleted exits on its own.
foley-gen serve --cache "$P/cache" >/dev/null 2>&1 &
for _ in $(seq 100); do [ -s cache/server/server.pid ] && break; sleep 0.05; done
server_pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' cache/server/server.pid 2>/dev/null || echo 0)
if [ "$server_pid" -gt 0 ] 2>/dev/null && kill -0 "$server_pid" 2>/dev/null; then
  cp -a cache "$WORK/cache-kept"
  rm -rf cache
  for _ in $(seq 150); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  expect_eq "the server of a deleted cache exits" 1 "$(kill -0 "$server_pid" 2>/dev/null && echo 0 || echo 1)"
  mv "$WORK/cache-kept" cache
else
  fail "the resident server did not start"
fi

# The key is nowhere: build files, specs, index, outputs, logs.
logs="$(cat "$WORK/build.log")$(foley status 2>&1)$(foley cache ls 2>&1)"
expect_not_contains "logs" "$SECRET" "$logs"
expect_eq "files holding the key" "" "$(grep -r -l -a -- "$SECRET" . 2>/dev/null | tr '\n' ' ')"
finish
