#!/usr/bin/env bash
# One request per failing API call, whoever makes it: a full `foley build`
# (which hands its calls to the resident server before ninja runs), plain
# `ninja`, `foley build <cue>` and `foley build` with the server off must send
# the same number of requests for an answer that fails: an undecodable 200
# (paid once, never twice), 401, 422, and 5xx until the retries run out.
. "$(dirname "$0")/lib.sh"

SERVER="$FOLEY_SOURCE_DIR/tools/fake_elevenlabs/server.py"
P="$WORK/proj"
mkdir -p "$P/manifests"
cd "$P"
export ELEVENLABS_API_KEY="sk-one-call-test"
printf '%s' "$ELEVENLABS_API_KEY" > "$WORK/key"
SERVER_PID=
stop_fake() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; SERVER_PID=; }
trap 'foley -C "$P" server stop >/dev/null 2>&1; stop_fake; rm -rf "$WORK"' EXIT

printf '[cue.door]\nprompt = "a heavy door that fails"\nduration = 1.0\n' > manifests/ep1.toml

# start_fake SCRIPT_JSON LOG — a fresh fake API answering from SCRIPT_JSON,
# with foley.toml pointing at it (the port is no part of the gen key).
start_fake() {
  stop_fake
  printf '%s' "$1" > "$WORK/script.json"
  rm -f "$WORK/port"
  python3 "$SERVER" --expect-key-file "$WORK/key" --script "$WORK/script.json" --log "$2" \
    --port-file "$WORK/port" >"$WORK/server.out" 2>&1 &
  SERVER_PID=$!
  wait_for_port "$WORK/port"
  cat > foley.toml <<TOML
[project]
name = "onecall"
default_engine = "sfx"
[engines.sfx]
engine = "elevenlabs"
base_url = "http://127.0.0.1:$(cat "$WORK/port")"
max_attempts = 5
backoff_seconds = 0.05
jitter_seconds = 0
TOML
}
requests_in() { fake_requests "$1"; }

# scenario NAME EXPECTED_REQUESTS RESPONSE_JSON: the fake answers every request
# with RESPONSE_JSON (repeated well past the expected count, so that a second
# call would be answered the same way and counted).
scenario() {
  local name=$1 expected=$2 response=$3 script mode log out rc
  script="[$(for _ in $(seq 12); do printf '%s,' "$response"; done | sed 's/,$//')]"
  for mode in build ninja build-cue no-server; do
    log="$WORK/$name-$mode.jsonl"
    # An unusable answer is kept and refuses its key until asked
    # (e2e_unusable_answer_test): each mode starts without the last one's.
    rm -rf cache/quarantine
    start_fake "$script" "$log"
    case $mode in
      build) out=$(foley build 2>&1); rc=$? ;;
      ninja) foley plan >/dev/null 2>&1; out=$(ninja 2>&1); rc=$? ;;
      build-cue) out=$(foley build door 2>&1); rc=$? ;;
      no-server) out=$(FOLEY_SERVER=0 foley build 2>&1); rc=$? ;;
    esac
    expect_eq "$name, $mode: the build fails" 1 "$rc"
    expect_eq "$name, $mode: requests sent" "$expected" "$(requests_in "$log")"
    expect_no_file "$name, $mode: no object" "$(find cache/objects -type f -name '*.*' ! -name '*.json' 2>/dev/null | head -1)"
    if [ "$expected" -gt 1 ]; then
      # The retries' warnings reach the build's own output, whoever retried.
      expect_eq "$name, $mode: each retry warned in the build output" "$((expected - 1))" \
        "$(count_lines 'ElevenLabs attempt [0-9]/5' "$out")"
    fi
  done
}

scenario undecodable 1 '{"status": 200, "audio": "garbage", "cost": 40}'
scenario unauthorized 1 '{"status": 401, "body": {"detail": {"status": "invalid_api_key", "message": "bad key"}}}'
scenario unprocessable 1 '{"status": 422, "body": {"detail": [{"msg": "bad text"}]}}'
scenario unavailable 5 '{"status": 503, "body": "busy"}'

# A call that succeeds after retries: one object, its warnings in the output of
# the full build (the resident server made the call before ninja ran).
start_fake '[{"status": 503, "body": "busy"}, {"status": 503, "body": "busy"}]' "$WORK/recover.jsonl"
out=$(foley build 2>&1); rc=$?
expect_eq "recovering call: build succeeds" 0 "$rc"
expect_eq "recovering call: three requests" 3 "$(requests_in "$WORK/recover.jsonl")"
expect_eq "recovering call: two warnings in the build output" 2 "$(count_lines 'ElevenLabs attempt [0-9]/5' "$out")"
expect_file "recovering call: delivered" out/ep1/door.wav
finish
