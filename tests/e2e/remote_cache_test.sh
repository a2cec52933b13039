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
GENS="$WORK/gens.log"
cat > "$WORK/gen.sh" <<'SH'
#!/bin/sh
# gen.sh OUT DURATION SEED
echo "$3" >> "$(dirname "$0")/gens.log"
[ -f "$(dirname "$0")/kill-remote" ] && kill "$(cat "$(dirname "$0")/kill-remote")" 2>/dev/null
exec sox -R -n -r 16000 -c 1 -b 16 "$1" synth "$2" pluck "$3"
SH
chmod +x "$WORK/gen.sh"
gens() { if [ -f "$GENS" ]; then wc -l < "$GENS" | tr -d ' '; else echo 0; fi; }

# new_clone NAME [REMOTE_TOML] — a project with 6 exec cues and 2 ElevenLabs cues.
new_clone() {
  local dir="$WORK/$1"
  mkdir -p "$dir/manifests"
  cat > "$dir/foley.toml" <<TOML
[project]
name = "team"
default_engine = "synth"
[engines.synth]
engine = "exec"
command = ["$WORK/gen.sh", "{out}", "{duration}", "{seed}"]
[engines.sfx]
engine = "elevenlabs"
base_url = "http://127.0.0.1:$API_PORT"
tier = "free"
credits_per_second = 40
${2:-}
TOML
  {
    for i in 1 2 3 4 5 6; do printf '[cue.tone%s]\nprompt = "tone %s"\nduration = 0.5\nseed = %s\n\n' "$i" "$i" "$((100 + i))"; done
    for i in 1 2; do printf '[cue.api%s]\nengine = "sfx"\nprompt = "api sound %s"\nduration = 1.0\n\n' "$i" "$i"; done
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
expect_eq "remote objects after A" 8 "$(remote_objects "$STORE/team")"
expect_eq "remote metas after A" 8 "$(remote_metas "$STORE/team")"
expect_contains "A says it uploaded" "uploaded 8 new object(s)" "$out"
st=$(foley -C "$A" cache stats)
expect_eq "A's uploads" 8 "$(stat_value Uploads "$st")"
expect_eq "A's errors" 0 "$(stat_value Errors "$st")"

# --- B, a second clone, generates nothing and calls nothing --------------------
B=$(new_clone b "$REMOTE_RW")
out=$(foley -C "$B" build 2>&1); rc=$?
expect_eq "B builds" 0 "$rc"
expect_eq "B generated nothing" 6 "$(gens)"
expect_eq "B called no API" 2 "$(api_calls)"
expect_contains "B says it fetched" "fetched 8 of 8 missing object(s)" "$out"
same=0
for f in $(cd "$A/cache/objects" && find . -type f ! -name '.tmp-*'); do
  cmp -s "$A/cache/objects/$f" "$B/cache/objects/$f" && same=$((same + 1))
done
expect_eq "B's objects are A's, byte for byte" 8 "$same"
expect_eq "B's outputs" 8 "$(find "$B/out" -name '*.wav' | wc -l | tr -d ' ')"
st=$(foley -C "$B" cache stats)
expect_eq "B's remote hits" "8 / 8 (100.00%)" "$(stat_value Hits "$(printf '%s\n' "$st" | sed -n '/^Team cache:/,$p')")"
expect_eq "B's credits saved by the team cache" 80 "$(printf '%s\n' "$st" | sed -n '/^Team cache:/,/^Credits:/p' | sed -n 's/^ *Credits saved: *//p')"
expect_eq "B uploaded nothing" 0 "$(stat_value Uploads "$st")"
prov=$(foley -C "$B" cache ls 2>&1)
expect_contains "B's index knows the paid objects" "elevenlabs" "$prov"
# A rebuild touches nothing.
out=$(foley -C "$B" build 2>&1)
expect_not_contains "no-op rebuild fetches nothing" "fetched" "$out"

finish
