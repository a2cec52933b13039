#!/usr/bin/env bash
# The team cache against a real nginx (WebDAV PUT) on loopback: two clones of a
# project share one remote; the second generates nothing and calls no API, and
# gets the same bytes; a read-only CI clone uploads nothing; damaged entries
# are misses with a warning, regenerated here; a remote killed mid-build or
# stalling leaves the build to finish locally with one warning; a planted
# credential reaches no file, log or argv.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/remote_lib.sh"

SERVER="$FOLEY_SOURCE_DIR/tools/fake_elevenlabs/server.py"
STALL_PID=""
cleanup() {
  for p in "$WORK"/a "$WORK"/b; do foley -C "$p" server stop >/dev/null 2>&1; done
  stop_nginx
  [ -n "$STALL_PID" ] && kill "$STALL_PID" 2>/dev/null
  kill "$API_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

start_nginx "$WORK/nginx" || { fail "nginx did not start"; finish; exit 1; }
STORE="$WORK/nginx/store"
RW="http://127.0.0.1:$NGINX_PORT/rw/team"

API_KEY="sk-remote-$(date +%s%N)-planted"
printf '%s' "$API_KEY" > "$WORK/key"
python3 "$SERVER" --expect-key-file "$WORK/key" --log "$WORK/api.jsonl" --port-file "$WORK/api_port" \
  >"$WORK/api.out" 2>&1 &
API_PID=$!
wait_for_port "$WORK/api_port"
API_PORT=$(cat "$WORK/api_port")
api_calls() { fake_requests "$WORK/api.jsonl"; }
export ELEVENLABS_API_KEY="$API_KEY"

# The exec generator logs every run, so that "nothing generated" is observable.
counting_generator

# new_clone NAME [REMOTE_TOML] — a project with 6 exec cues, 2 ElevenLabs cues and
# one cue of the tiny AudioLDM 2 model.
new_clone() {
  local dir="$WORK/$1"
  mkdir -p "$dir/manifests"
  {
    synth_project
    sfx_engine
    cat <<TOML
[engines.ldm]
engine = "audioldm2"
model = "$FOLEY_SOURCE_DIR/tests/fixtures/tiny-audioldm2"
device = "cpu"
steps = 3
${2:-}
TOML
  } > "$dir/foley.toml"
  {
    tone_cues 6 100
    for i in 1 2; do printf '[cue.api%s]\nengine = "sfx"\nprompt = "api sound %s"\nduration = 1.0\n\n' "$i" "$i"; done
    printf '[cue.ldm1]\nengine = "ldm"\nprompt = "rain on a roof"\nduration = 1.0\nseed = 7\n\n'
  } > "$dir/manifests/ep.toml"
  echo "$dir"
}
REMOTE_RW=$(printf '[cache.remote]\nurl = "%s"\nconnect_timeout = 2\ndata_timeout = 2\nrequest_timeout = 10' "$RW")

# --- A builds and uploads ------------------------------------------------------
A=$(new_clone a "$REMOTE_RW")
out=$(foley -C "$A" build 2>&1); rc=$?
expect_eq "A builds" 0 "$rc"
expect_eq "A generated its 6 exec cues" 6 "$(gens)"
expect_eq "A called the API twice" 2 "$(api_calls)"
expect_eq "remote objects after A" 9 "$(remote_objects "$STORE/team")"
expect_eq "remote metas after A" 9 "$(remote_metas "$STORE/team")"
expect_contains "A says it uploaded" "uploaded 9 new object(s)" "$out"
st=$(foley -C "$A" cache stats)
expect_eq "A's uploads" 9 "$(stat_value Uploads "$st")"
expect_eq "A's errors" 0 "$(stat_value Errors "$st")"

# --- B, a second clone, generates nothing and calls nothing --------------------
B=$(new_clone b "$REMOTE_RW")
out=$(foley -C "$B" build 2>&1); rc=$?
expect_eq "B builds" 0 "$rc"
expect_eq "B generated nothing" 6 "$(gens)"
expect_eq "B called no API" 2 "$(api_calls)"
expect_contains "B says it fetched" "fetched 9 of 9 missing object(s)" "$out"
same=0
for f in $(cd "$A/cache/objects" && find . -type f ! -name '.tmp-*'); do
  cmp -s "$A/cache/objects/$f" "$B/cache/objects/$f" && same=$((same + 1))
done
expect_eq "B's objects are A's, byte for byte" 9 "$same"
expect_eq "B's outputs" 9 "$(find "$B/out" -name '*.wav' | wc -l | tr -d ' ')"
st=$(foley -C "$B" cache stats)
expect_eq "B's remote hits (the model never ran)" "9 / 9 (100.00%)" "$(stat_value Hits "$(printf '%s\n' "$st" | sed -n '/^Team cache:/,$p')")"
expect_eq "B's credits saved by the team cache" 80 "$(printf '%s\n' "$st" | sed -n '/^Team cache:/,/^Credits:/p' | sed -n 's/^ *Credits saved: *//p')"
expect_eq "B uploaded nothing" 0 "$(stat_value Uploads "$st")"
prov=$(foley -C "$B" cache ls 2>&1)
expect_contains "B's index knows the paid objects" "elevenlabs" "$prov"
# A rebuild touches nothing.
out=$(foley -C "$B" build 2>&1)
expect_not_contains "no-op rebuild fetches nothing" "fetched" "$out"

# --- a read-only CI clone: uses the hits, uploads nothing, counts no error -----
C=$(new_clone c)
printf '[cue.ci_only]\nprompt = "only on CI"\nduration = 0.5\nseed = 999\n' >> "$C/manifests/ep.toml"
before=$(gens)
out=$(FOLEY_REMOTE_URL="http://127.0.0.1:$NGINX_PORT/ro/team" FOLEY_REMOTE_MODE=read-only foley -C "$C" build 2>&1); rc=$?
expect_eq "CI builds" 0 "$rc"
expect_eq "CI generated only its own cue" $((before + 1)) "$(gens)"
expect_eq "CI called no API" 2 "$(api_calls)"
expect_eq "CI uploaded nothing" 9 "$(remote_objects "$STORE/team")"
st=$(foley -C "$C" cache stats)
expect_eq "CI's errors" 0 "$(stat_value Errors "$st")"
expect_eq "CI's uploads" 0 "$(stat_value Uploads "$st")"
expect_not_contains "CI warns of nothing" "warning" "$out"
# Read-write against a location that refuses writes: one warning, one error.
C2=$(new_clone c2)
printf '[cue.c2_only]\nprompt = "refused upload"\nduration = 0.5\nseed = 998\n' >> "$C2/manifests/ep.toml"
out=$(FOLEY_REMOTE_URL="http://127.0.0.1:$NGINX_PORT/ro/team" foley -C "$C2" build 2>&1); rc=$?
expect_eq "refused uploads do not fail the build" 0 "$rc"
expect_eq "one warning for the refused upload" 1 "$(count_lines 'remote is off' "$out")"
expect_contains "the warning says why" "HTTP 403" "$out"
expect_eq "refused upload counted" 1 "$(stat_value Errors "$(foley -C "$C2" cache stats)")"

# --- status prices only what the team cache lacks; pull fetches the rest ------
G=$(new_clone g "$REMOTE_RW")
printf '[cue.api_g]\nengine = "sfx"\nprompt = "only in g"\nduration = 1.0\n' >> "$G/manifests/ep.toml"
out=$(foley -C "$G" status 2>&1)
expect_eq "status: cues the team cache holds" 9 "$(count_lines '^ep:.* team cache$' "$out")"
expect_contains "status prices only the rest" "1 generation(s) to run, estimated 40 credits; 9 more on the team cache" "$out"
out=$(foley -C "$G" cache pull 2>&1); rc=$?
expect_eq "pull" 0 "$rc"
expect_contains "pull says what it fetched" "pulled 9 of 10 missing object(s)" "$out"
expect_eq "pulled objects" 9 "$(objects_in "$G")"
expect_eq "pull called no API" 2 "$(api_calls)"

# --- push seeds the team cache from a cache that had none ------------------------
H=$(new_clone h)
printf '[cue.api_h]\nengine = "sfx"\nprompt = "only in h"\nduration = 1.0\n\n[cue.tone_h]\nprompt = "tone h"\nduration = 0.5\nseed = 777\n' >> "$H/manifests/ep.toml"
foley -C "$H" build >/dev/null 2>&1
expect_eq "H, without a remote, paid for its 3 API cues" 5 "$(api_calls)"
before=$(remote_objects "$STORE/team")
out=$(FOLEY_REMOTE_URL="$RW" foley -C "$H" cache push --paid-only 2>&1); rc=$?
expect_eq "push --paid-only" 0 "$rc"
expect_contains "push --paid-only says" "pushed 1 of 3 object(s)" "$out"
expect_eq "one paid object pushed" $((before + 1)) "$(remote_objects "$STORE/team")"
out=$(FOLEY_REMOTE_URL="$RW" foley -C "$H" cache push tone_h 2>&1)
expect_contains "push of one cue" "pushed 1 of 1 object(s)" "$out"
out=$(FOLEY_REMOTE_URL="$RW" foley -C "$H" cache push 2>&1)
expect_contains "push of everything: all there already" "pushed 0 of 11 object(s)" "$out"
expect_eq "nothing replaced" $((before + 2)) "$(remote_objects "$STORE/team")"

# --- damaged entries: each a miss with a warning, regenerated, never used -------
# Flipped bytes, a truncated object, a record without its object, an object
# without its record, and bytes that are not audio under a matching record.
# The keys of A's exec objects (the generator the test counts).
key_of() { foley -C "$A" cache ls | awk '$2 == "exec" { print $1 }' | sed -n "${1}p"; }
k1=$(key_of 1); k2=$(key_of 2); k3=$(key_of 3); k4=$(key_of 4); k5=$(key_of 5)
o() { echo "$STORE/team/objects/${1:0:2}/$1.wav"; }
python3 - "$(o "$k1")" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0xFF
open(p, "wb").write(bytes(b))
PY
flipped_sum=$(md5sum < "$(o "$k1")")
truncate -s 100 "$(o "$k2")"
rm "$(o "$k3")"
rm "$STORE/team/meta/$k4.json"
# Bytes that are not audio under a record that vouches for them (size and checksum match).
head -c 3000 /dev/urandom > "$(o "$k5")"
python3 - "$STORE/team/meta/$k5.json" "$(stat -c %s "$(o "$k5")")" "$(xxhsum -H2 "$(o "$k5")" | cut -d' ' -f1)" <<'PY'
import json, sys
path, size, checksum = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rec = json.load(open(path))
rec["size"], rec["checksum"] = size, checksum
json.dump(rec, open(path, "w"))
PY
D=$(new_clone d "$REMOTE_RW")
before=$(gens)
out=$(foley -C "$D" build 2>&1); rc=$?
expect_eq "D builds" 0 "$rc"
expect_eq "D regenerated the 5 damaged entries" $((before + 5)) "$(gens)"
expect_eq "a warning per damaged entry" 5 "$(count_lines 'not used' "$out")"
expect_contains "flipped bytes" "checksum does not match" "$out"
expect_contains "truncated" "bytes, its record says" "$out"
expect_contains "meta without object" "record is there but its object is not" "$out"
expect_contains "object without meta" "object without its record" "$out"
expect_contains "bytes that are not audio" "does not open as audio" "$out"
same=0
for k in "$k1" "$k2" "$k3" "$k4" "$k5"; do
  cmp -s "$A/cache/objects/${k:0:2}/$k.wav" "$D/cache/objects/${k:0:2}/$k.wav" && same=$((same + 1))
done
expect_eq "the regenerated objects are right" 5 "$same"
expect_eq "no damaged byte kept" 0 "$(find "$D/cache/objects" -name '.tmp-*' | wc -l | tr -d ' ')"
st=$(foley -C "$D" cache stats)
expect_eq "D's corrupt entries" 5 "$(stat_value 'Corrupt entries' "$st")"
expect_eq "D's errors" 0 "$(stat_value Errors "$st")"
# An entry is never replaced; a lost half is put back when the other half
# describes (or is) exactly D's bytes.
expect_eq "flipped object left as it was" "$flipped_sum" "$(md5sum < "$(o "$k1")")"
expect_file "record of the orphaned object restored" "$STORE/team/meta/$k4.json"
cmp -s "$(o "$k3")" "$A/cache/objects/${k3:0:2}/$k3.wav" && pass || fail "the lost object under its record was not put back"

# --- the remote dies mid-build: local build, one warning, counted --------------
E=$(new_clone e "$REMOTE_RW")
for i in 1 2 3 4; do printf '[cue.new%s]\nprompt = "new %s"\nduration = 0.5\nseed = %s\n' "$i" "$i" "$((500 + i))"; done >> "$E/manifests/ep.toml"
echo "$NGINX_PID" > "$WORK/kill-remote"   # the first generation kills nginx
out=$(foley -C "$E" build 2>&1); rc=$?
rm -f "$WORK/kill-remote"
NGINX_PID=""
expect_eq "E builds without its remote" 0 "$rc"
expect_eq "E's outputs" 13 "$(find "$E/out" -name '*.wav' | wc -l | tr -d ' ')"
expect_eq "one warning for the dead remote" 1 "$(count_lines 'remote is off' "$out")"
expect_eq "the dead remote is counted" 1 "$(stat_value Errors "$(foley -C "$E" cache stats)")"

# --- a remote that accepts connections and never answers -----------------------
STALL_PORT=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$STALL_PORT" &
STALL_PID=$!
sleep 0.3
F=$(new_clone f "$(printf '[cache.remote]\nurl = "http://127.0.0.1:%s/team"\ndata_timeout = 1\nrequest_timeout = 3' "$STALL_PORT")")
before=$(gens)
start=$(date +%s)
out=$(foley -C "$F" build 2>&1); rc=$?
took=$(( $(date +%s) - start ))
expect_eq "F builds past a stalling remote" 0 "$rc"
expect_eq "F generated everything itself" $((before + 6)) "$(gens)"
expect_eq "one warning for the stall" 1 "$(count_lines 'remote is off' "$out")"
expect_eq "the stall is counted as a timeout" 1 "$(stat_value Timeouts "$(foley -C "$F" cache stats)")"
[ "$took" -lt 30 ] && pass || fail "a stalling remote held the build for ${took}s"
kill "$STALL_PID"; STALL_PID=""

finish
