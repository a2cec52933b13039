#!/usr/bin/env bash
# A bare `ninja` run asks the team cache for its ElevenLabs cues too: those
# calls run in the resident server, which gets the team cache's settings and
# the edge's credentials over its private socket. Clone A builds with
# `foley build`; clone B runs plain ninja and pays for nothing (the fake API
# counts no request), with A's bytes; a new ElevenLabs cue of a bare run is
# uploaded by the server. The remote sits behind basic auth on a real nginx:
# the planted password reaches no file, log, argv or the server's environment.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/remote_lib.sh"

SECRET="pw-planted-$(date +%s%N)-secret"
NGINX_PASSWORD="$SECRET"
SAMPLER_PID=""
cleanup() {
  for p in "$WORK"/a "$WORK"/b "$WORK"/c; do foley -C "$p" server stop >/dev/null 2>&1; done
  stop_nginx
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null
  [ -n "${API_PID:-}" ] && kill "$API_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
start_nginx "$WORK/nginx" || { fail "nginx did not start"; finish; exit 1; }
STORE="$WORK/nginx/authstore/team"

API_KEY="sk-ninja-$(date +%s%N)-planted"
printf '%s' "$API_KEY" > "$WORK/key"
python3 "$FAKE_API" --expect-key-file "$WORK/key" --log "$WORK/api.jsonl" --port-file "$WORK/api_port" \
  >"$WORK/api.out" 2>&1 &
API_PID=$!
wait_for_port "$WORK/api_port" || { fail "the fake API did not start"; finish; exit 1; }
API_PORT=$(cat "$WORK/api_port")
api_calls() { fake_requests "$WORK/api.jsonl"; }
export ELEVENLABS_API_KEY="$API_KEY"
export FOLEY_REMOTE_USER=team FOLEY_REMOTE_PASSWORD="$SECRET"
# API edges go through the resident server (the default; lib.sh only keeps
# AudioLDM 2 in-process).
unset FOLEY_SERVER

counting_generator

# new_clone NAME — 2 exec cues and 2 ElevenLabs cues sharing one remote.
new_clone() {
  local dir="$WORK/$1"
  mkdir -p "$dir/manifests"
  {
    synth_project
    sfx_engine
    cat <<TOML
[cache.remote]
url = "http://127.0.0.1:$NGINX_PORT/auth/team"
data_timeout = 2
TOML
  } > "$dir/foley.toml"
  {
    tone_cues 2 300
    for i in 1 2; do printf '[cue.api%s]\nengine = "sfx"\nprompt = "ninja api %s"\nduration = 1.0\n\n' "$i" "$i"; done
  } > "$dir/manifests/ep.toml"
  echo "$dir"
}

# Every process's argv, sampled while the builds run.
( while :; do cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' ' ' >> "$WORK/argv.txt"; echo >> "$WORK/argv.txt"; sleep 0.05; done ) &
SAMPLER_PID=$!

# --- A builds with foley build and fills the remote ---------------------------
A=$(new_clone a)
out=$(foley -C "$A" build 2>&1); rc=$?
expect_eq "A builds" 0 "$rc"
expect_eq "A paid for its 2 API cues" 2 "$(api_calls)"
expect_eq "remote objects after A" 4 "$(remote_objects "$STORE")"

# --- B runs plain ninja: no API call, no generation, A's bytes ----------------
B=$(new_clone b)
foley -C "$B" plan >/dev/null 2>&1 || fail "B plans"
out=$(cd "$B" && ninja 2>&1); rc=$?
expect_eq "B's bare ninja run" 0 "$rc"
expect_eq "B's bare ninja run called no API" 2 "$(api_calls)"
expect_eq "B generated nothing" 2 "$(gens)"
expect_eq "each edge says it fetched" 4 "$(count_lines 'fetched from the team cache' "$out")"
same=0
for f in $(cd "$A/cache/objects" && find . -type f ! -name '.tmp-*'); do
  cmp -s "$A/cache/objects/$f" "$B/cache/objects/$f" && same=$((same + 1))
done
expect_eq "B's objects are A's, byte for byte" 4 "$same"
st=$(foley -C "$B" cache stats)
expect_eq "B's remote hits" "4 / 4 (100.00%)" "$(stat_value Hits "$(printf '%s\n' "$st" | sed -n '/^Team cache:/,$p')")"
expect_eq "B's credits saved by the team cache" 80 "$(printf '%s\n' "$st" | sed -n '/^Team cache:/,/^Credits:/p' | sed -n 's/^ *Credits saved: *//p')"
prov=$(foley -C "$B" cache ls 2>&1)
expect_contains "B's index knows the paid objects" "elevenlabs" "$prov"

# --- C's bare ninja run pays for a new cue once and the server uploads it ------
C=$(new_clone c)
printf '[cue.api3]\nengine = "sfx"\nprompt = "only in c"\nduration = 1.0\n' >> "$C/manifests/ep.toml"
foley -C "$C" plan >/dev/null 2>&1 || fail "C plans"
out=$(cd "$C" && ninja 2>&1); rc=$?
expect_eq "C's bare ninja run" 0 "$rc"
expect_eq "C paid only for its new cue" 3 "$(api_calls)"
expect_eq "the server uploaded C's new object" 5 "$(remote_objects "$STORE")"
expect_eq "and its record" 5 "$(remote_metas "$STORE")"
expect_eq "C's uploads" 1 "$(stat_value Uploads "$(foley -C "$C" cache stats)")"

# --- the credentials reached the server only through its socket --------------
server_pid=$(foley -C "$C" server status 2>/dev/null | sed -n 's/^resident server pid \([0-9]*\) .*/\1/p')
if [ -n "$server_pid" ] && [ -r "/proc/$server_pid/environ" ]; then
  expect_not_contains "the server's environment" "$SECRET" "$(tr '\0' '\n' < "/proc/$server_pid/environ")"
  pass
else
  fail "no resident server of C to inspect"
fi
kill "$SAMPLER_PID"; wait "$SAMPLER_PID" 2>/dev/null; SAMPLER_PID=""
expect_not_contains "argv" "$SECRET" "$(cat "$WORK/argv.txt")"
logs="$out$(foley -C "$C" cache stats 2>&1)$(foley -C "$C" cache ls 2>&1)$(foley -C "$B" status 2>&1)"
expect_not_contains "logs" "$SECRET" "$logs"
hits=$(grep -r -l -a -- "$SECRET" "$WORK" 2>/dev/null | grep -v -e "^$WORK/argv.txt$" | tr '\n' ' ')
expect_eq "files holding the password" "" "$hits"
finish
