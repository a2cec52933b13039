#!/usr/bin/env bash
# What a person sees while an ElevenLabs answer streams in: the call runs in
# the cache's resident server, which reports it to the build's display over
# the progress channel. Under a pseudo-terminal, against the fake API
# answering slowly (the body in 8 KiB chunks), the running line of the cue
# shows the bytes received growing: through `foley build`'s hand-over
# (prefetch) and through a generate edge's own call (a named target).
. "$(dirname "$0")/lib.sh"

PTY="$FOLEY_SOURCE_DIR/tests/e2e/pty_run.py"
P="$WORK/api-progress"
mkdir -p "$P/manifests"
cd "$P"

SECRET="sk-e2e-$(date +%s%N)-progress"
printf '%s' "$SECRET" > "$WORK/key"
# 3 s of pcm_16000 is 96000 bytes: 12 chunks, one every 0.15 s.
slow='{"status": 200, "audio": "pcm", "stream": {"chunk": 8192, "interval": 0.15}}'
printf '[%s, %s]\n' "$slow" "$slow" > "$WORK/script.json"
python3 "$FAKE_API" --expect-key-file "$WORK/key" --script "$WORK/script.json" --log "$WORK/log.jsonl" \
  --port-file "$WORK/port" --record-clients "$WORK/clients.jsonl" >"$WORK/server.out" 2>&1 &
SERVER_PID=$!
trap 'foley -C "$P" server stop >/dev/null 2>&1; kill $SERVER_PID 2>/dev/null; rm -rf "$WORK"' EXIT
wait_for_port "$WORK/port"
PORT=$(cat "$WORK/port")

cat > foley.toml <<TOML
[project]
name = "api-progress"
default_engine = "sfx"
[engines.sfx]
engine = "elevenlabs"
base_url = "http://127.0.0.1:$PORT"
output_format = "pcm_16000"
credits_per_second = 40
TOML
printf '[cue.slow]\nprompt = "a slow door"\nduration = 3.0\n' > manifests/ep1.toml
printf '[cue.later]\nprompt = "a later door"\nduration = 3.0\n' > manifests/ep2.toml

plain() { printf '%s' "$1" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | tr -d '\r'; }
# received CUE TEXT — the distinct "N KiB received" counts shown for CUE, in order.
received() {
  printf '%s\n' "$2" | sed -n "s/^  $1  elevenlabs (sfx)  \([0-9]*\) KiB received  [0-9.]*s\$/\1/p" | uniq | tr '\n' ' '
}

export ELEVENLABS_API_KEY="$SECRET"
# 1. A full build hands the call to the server before ninja runs.
raw=$(python3 "$PTY" --columns 120 -- foley build); rc=$?
expect_eq "build under a terminal" 0 "$rc"
text=$(plain "$raw")
[ "$rc" -eq 0 ] || printf '%s\n' "$text" >&2
counts=$(received ep1:slow "$text")
expect_eq "ep1:slow: bytes received shown growing (KiB)" "16 32 48 64 80 " "$counts"
counts=$(received ep2:later "$text")
expect_eq "ep2:later: bytes received shown growing (KiB)" "16 32 48 64 80 " "$counts"
expect_eq "two requests" 2 "$(fake_requests "$WORK/log.jsonl")"
expect_eq "each made by the resident server" 2 "$(grep -c "foley-gen serve --cache $P/cache" "$WORK/clients.jsonl")"

# 2. A named target: no hand-over; the edge's client asks the server, which reports the same.
printf '[%s]\n' "$slow" > "$WORK/script.json"
kill "$SERVER_PID"
python3 "$FAKE_API" --expect-key-file "$WORK/key" --script "$WORK/script.json" --log "$WORK/log2.jsonl" \
  --port-file "$WORK/port2" --record-clients "$WORK/clients2.jsonl" >"$WORK/server2.out" 2>&1 &
SERVER_PID=$!
wait_for_port "$WORK/port2"
sed -i "s|127.0.0.1:$PORT|127.0.0.1:$(cat "$WORK/port2")|" foley.toml
sed -i 's/a slow door/a slower door/' manifests/ep1.toml
raw=$(python3 "$PTY" --columns 120 -- foley build ep1); rc=$?
expect_eq "build of a target under a terminal" 0 "$rc"
text=$(plain "$raw")
[ "$rc" -eq 0 ] || printf '%s\n' "$text" >&2
expect_eq "ep1:slow through its edge: bytes received growing (KiB)" "16 32 48 64 80 " "$(received ep1:slow "$text")"
expect_eq "one request, by the resident server" 1 "$(grep -c "foley-gen serve --cache $P/cache" "$WORK/clients2.jsonl")"

finish
