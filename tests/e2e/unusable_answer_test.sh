#!/usr/bin/env bash
# A paid but unusable answer (an undecodable 200) is recorded in the ledger
# with the character-cost the API charged, its bytes are kept in
# cache/quarantine/unusable/<key>/, and the key is not paid for again — by a
# full `foley build`, `foley build <cue>`, plain ninja or with the server off —
# until `foley build --retry-unusable` (or FOLEY_RETRY_UNUSABLE=1) asks.
. "$(dirname "$0")/lib.sh"

SERVER="$FOLEY_SOURCE_DIR/tools/fake_elevenlabs/server.py"
P="$WORK/proj"
mkdir -p "$P/manifests"
cd "$P"
export ELEVENLABS_API_KEY="sk-unusable-test"
printf '%s' "$ELEVENLABS_API_KEY" > "$WORK/key"
SERVER_PID=
trap 'foley -C "$P" server stop >/dev/null 2>&1; [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

printf '[cue.door]\nprompt = "a heavy door"\nduration = 1.0\n' > manifests/ep1.toml
# Two undecodable answers charged 170 each (not the 40/s a default answer
# costs: the ledger must hold what the API said), then good answers.
G='{"status": 200, "audio": "garbage", "cost": 170, "request_id": "req-bad"}'
printf '[%s, %s]' "$G" "$G" > "$WORK/script.json"
python3 "$SERVER" --expect-key-file "$WORK/key" --script "$WORK/script.json" --log "$WORK/log.jsonl" \
  --port-file "$WORK/port" >"$WORK/server.out" 2>&1 &
SERVER_PID=$!
wait_for_port "$WORK/port"
cat > foley.toml <<TOML
[project]
name = "unusable"
default_engine = "sfx"
[engines.sfx]
engine = "elevenlabs"
base_url = "http://127.0.0.1:$(cat "$WORK/port")"
max_attempts = 3
backoff_seconds = 0.05
jitter_seconds = 0
TOML
requests() { fake_requests "$WORK/log.jsonl"; }
spent() { foley cache stats | sed -n 's/^ *Spent: *\([0-9.]*\)$/\1/p' | head -1; }

foley plan >/dev/null
key=$(cut -f1 .foley/requests/*.specs | head -1)
kept="cache/quarantine/unusable/$key"

# 1. The paid, unusable answer: one request, its cost in the ledger, its bytes kept.
out=$(foley build 2>&1); rc=$?
expect_eq "unusable answer: the build fails" 1 "$rc"
expect_eq "unusable answer: one request" 1 "$(requests)"
expect_contains "the message names the cue" "cue ep1:door" "$out"
expect_contains "the message names the key" "gen key $key" "$out"
expect_contains "the message says it was paid and what it cost" "It was paid (170 credits)" "$out"
expect_contains "the message says where the bytes are" "$kept/answer-1.mp3" "$out"
expect_contains "the message names the flag" "--retry-unusable" "$out"
expect_not_contains "no temp path" ".tmp-" "$out"
expect_not_contains "no misleading libsndfile text" "File does not exist" "$out"
expect_file "the bytes are kept" "$kept/answer-1.mp3"
expect_eq "exactly the bytes the API sent" "$(python3 -c 'print(len(b"this is not audio at all " * 40))')" \
  "$(stat -c %s "$kept/answer-1.mp3")"
expect_contains "the record holds the cost" '"credits": 170' "$(cat "$kept/answer-1.json")"
expect_contains "the record holds the request id" '"request_id": "req-bad"' "$(cat "$kept/answer-1.json")"
expect_eq "the ledger counts the cost" 170 "$(spent)"
expect_eq "no object" "" "$(find cache/objects -type f 2>/dev/null)"

# 2. Never paid again unasked, whoever would make the call.
for mode in build build-cue ninja no-server; do
  case $mode in
    build) out=$(foley build 2>&1); rc=$? ;;
    build-cue) out=$(foley build door 2>&1); rc=$? ;;
    ninja) out=$(ninja 2>&1); rc=$? ;;
    no-server) out=$(FOLEY_SERVER=0 foley build 2>&1); rc=$? ;;
  esac
  expect_eq "$mode: refused" 1 "$rc"
  expect_eq "$mode: no request" 1 "$(requests)"
  expect_contains "$mode: says why" "not requested again: an earlier answer was paid (170 credits, request-id req-bad) but unusable" "$out"
  expect_contains "$mode: where the bytes are" "$kept/answer-1.mp3" "$out"
  expect_contains "$mode: which flag retries" "foley build --retry-unusable" "$out"
done
expect_eq "the ledger is unchanged by refusals" 170 "$(spent)"

# 3. Asked: one more request (unusable again: kept beside the first, paid twice in all).
out=$(foley build --retry-unusable 2>&1); rc=$?
expect_eq "retry, unusable again: fails" 1 "$rc"
expect_eq "retry: exactly one more request" 2 "$(requests)"
expect_file "the second answer kept beside the first" "$kept/answer-2.mp3"
expect_file "the first still kept" "$kept/answer-1.mp3"
expect_eq "the ledger counts both" 340 "$(spent)"
out=$(foley build 2>&1)
expect_contains "the refusal counts both" "2 such answers, 340 credits in all" "$out"
expect_eq "no request" 2 "$(requests)"

# 4. Asked again through plain ninja's environment: a good answer this time.
foley plan >/dev/null
out=$(FOLEY_RETRY_UNUSABLE=1 ninja 2>&1); rc=$?
expect_eq "retry through ninja succeeds" 0 "$rc"
expect_eq "one request" 3 "$(requests)"
expect_file "delivered" out/ep1/door.wav
expect_eq "the ledger: two unusable answers and the object" 380 "$(spent)"
out=$(foley build 2>&1); rc=$?
expect_eq "then a build is a no-op" 0 "$rc"
expect_eq "and sends nothing" 3 "$(requests)"

# 5. The index lost: repair rebuilds the ledger of the unusable answers from
# quarantine/unusable (their cost included) beside the adopted object.
rm -f cache/index.sqlite cache/index.sqlite-wal cache/index.sqlite-shm
out=$(foley cache repair 2>&1); rc=$?
expect_eq "repair succeeds" 0 "$rc"
expect_contains "repair reports the answers" "paid but unusable answers recorded again from quarantine/unusable: 2 (340 credits)" "$out"
expect_eq "the ledger is whole again" 380 "$(spent)"
expect_eq "two unusable answers listed" 2 "$(sqlite3 cache/index.sqlite 'SELECT count(*) FROM unusable_answers')"
out=$(foley cache repair 2>&1)
expect_not_contains "a second repair records nothing twice" "recorded again" "$out"
expect_eq "the ledger unchanged" 380 "$(spent)"
finish
