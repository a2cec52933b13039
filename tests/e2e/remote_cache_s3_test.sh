#!/usr/bin/env bash
# The team cache's S3 dialect (SigV4 by libcurl) against a real S3-compatible
# server, `rclone serve s3` (pinned, tools/remote_cache/install-rclone.sh), on
# loopback: A builds and uploads, B builds with zero generations and zero API
# calls and the same bytes, and sees the credits saved; unsigned requests are
# refused (one warning, counted); the keys reach no file, log or argv.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/remote_lib.sh"

RCLONE=$(bash "$FOLEY_SOURCE_DIR/tools/remote_cache/install-rclone.sh") || { fail "cannot install rclone"; finish; exit 1; }
SERVER="$FOLEY_SOURCE_DIR/tools/fake_elevenlabs/server.py"
S3_PID=""; API_PID=""
trap 'for p in "$WORK"/a "$WORK"/b; do foley -C "$p" server stop >/dev/null 2>&1; done
      [ -n "$S3_PID" ] && kill "$S3_PID" 2>/dev/null; [ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

ACCESS="AKIDFOLEY$RANDOM"
SECRET="s3-planted-$(date +%s%N)-secret"
S3_PORT=$(free_port)
mkdir -p "$WORK/s3/sounds"
# The key pair goes through the environment (as CSV), not the server's argv.
RCLONE_AUTH_KEY="\"$ACCESS,$SECRET\"" "$RCLONE" serve s3 --addr "127.0.0.1:$S3_PORT" "$WORK/s3" >"$WORK/s3.log" 2>&1 &
S3_PID=$!
for _ in $(seq 100); do
  python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$S3_PORT" 2>/dev/null && break
  sleep 0.1
done
STORE="$WORK/s3/sounds/team"

API_KEY="sk-s3-$(date +%s%N)-api"
printf '%s' "$API_KEY" > "$WORK/key"
python3 "$SERVER" --expect-key-file "$WORK/key" --log "$WORK/api.jsonl" --port-file "$WORK/api_port" >"$WORK/api.out" 2>&1 &
API_PID=$!
wait_for_port "$WORK/api_port"
API_PORT=$(cat "$WORK/api_port")
api_calls() { fake_requests "$WORK/api.jsonl"; }
export ELEVENLABS_API_KEY="$API_KEY"

counting_generator

new_clone() {
  local dir="$WORK/$1"
  mkdir -p "$dir/manifests"
  {
    synth_project
    sfx_engine
    cat <<TOML
[cache.remote]
url = "s3://sounds/team"
endpoint = "http://127.0.0.1:$S3_PORT"
region = "us-east-1"
data_timeout = 5
TOML
  } > "$dir/foley.toml"
  {
    tone_cues 4 300
    printf '[cue.api1]\nengine = "sfx"\nprompt = "s3 api sound"\nduration = 1.0\n'
  } > "$dir/manifests/ep.toml"
  echo "$dir"
}

( while :; do cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' ' ' >> "$WORK/argv.txt"; echo >> "$WORK/argv.txt"; sleep 0.05; done ) &
SAMPLER=$!

export AWS_ACCESS_KEY_ID="$ACCESS" AWS_SECRET_ACCESS_KEY="$SECRET"
A=$(new_clone a)
out=$(foley -C "$A" build 2>&1); rc=$?
expect_eq "A builds" 0 "$rc"
expect_eq "A generated" 4 "$(gens)"
expect_eq "A paid" 1 "$(api_calls)"
expect_contains "A uploaded" "uploaded 5 new object(s)" "$out"
expect_eq "objects in the bucket" 5 "$(find "$STORE/objects" -type f | wc -l | tr -d ' ')"
expect_eq "records in the bucket" 5 "$(find "$STORE/meta" -type f | wc -l | tr -d ' ')"

B=$(new_clone b)
out=$(foley -C "$B" build 2>&1); rc=$?
expect_eq "B builds" 0 "$rc"
expect_eq "B generated nothing" 4 "$(gens)"
expect_eq "B called no API" 1 "$(api_calls)"
same=0
for f in $(cd "$A/cache/objects" && find . -type f ! -name '.tmp-*'); do
  cmp -s "$A/cache/objects/$f" "$B/cache/objects/$f" && same=$((same + 1))
done
expect_eq "B's objects are A's" 5 "$same"
st=$(foley -C "$B" cache stats)
team=$(printf '%s\n' "$st" | sed -n '/^Team cache:/,/^Credits:/p')
expect_eq "B's remote hits" "5 / 5 (100.00%)" "$(stat_value Hits "$team")"
expect_eq "B's credits saved by the team cache" 40 "$(stat_value 'Credits saved' "$team")"

# Unsigned: refused, one warning, counted; built locally.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
C=$(new_clone c)
out=$(foley -C "$C" build 2>&1); rc=$?
expect_eq "C builds unsigned" 0 "$rc"
expect_eq "one warning" 1 "$(count_lines 'remote is off' "$out")"
expect_eq "counted" 1 "$(stat_value Errors "$(foley -C "$C" cache stats)")"

kill "$SAMPLER"; wait "$SAMPLER" 2>/dev/null
expect_not_contains "argv" "$SECRET" "$(cat "$WORK/argv.txt")"
hits=$(grep -r -l -a -- "$SECRET" "$WORK" 2>/dev/null | grep -v -e "^$WORK/argv.txt$" | tr '\n' ' ')
expect_eq "files holding the secret key" "" "$hits"
finish
