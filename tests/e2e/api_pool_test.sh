#!/usr/bin/env bash
# A profile's pool depth is a hard limit on the requests in flight across every
# build of one cache: three projects sharing a cache folder, built at once
# (with the resident server, and with it off, where each build's edges call
# the API themselves), never have more requests in flight at the fake API than
# `concurrency`; each build's own statistics add up to its cues.
. "$(dirname "$0")/lib.sh"

export ELEVENLABS_API_KEY="sk-pool-test"
printf '%s' "$ELEVENLABS_API_KEY" > "$WORK/key"
SERVER_PID=
trap 'for p in a b c; do foley -C "$WORK/$p" server stop >/dev/null 2>&1; done;
      [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

# start_fake LOG — every answer takes 0.4 s, so that requests overlap.
start_fake() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  python3 -c 'import json; print(json.dumps([{"status": 200, "audio": "auto", "cost": 40, "delay": 0.4}] * 40))' \
    > "$WORK/script.json"
  rm -f "$WORK/port"
  python3 "$FAKE_API" --expect-key-file "$WORK/key" --script "$WORK/script.json" --log "$1" \
    --port-file "$WORK/port" >"$WORK/fake.out" 2>&1 &
  SERVER_PID=$!
  wait_for_port "$WORK/port"
}

# make_projects TAG — three projects, 4 cues each (different prompts per
# project and per run), one shared cache, concurrency 2.
make_projects() {
  for p in a b c; do
    mkdir -p "$WORK/$p/manifests"
    cat > "$WORK/$p/foley.toml" <<TOML
[project]
name = "$p"
cache_dir = "$WORK/shared-cache"
default_engine = "sfx"
[engines.sfx]
engine = "elevenlabs"
base_url = "http://127.0.0.1:$(cat "$WORK/port")"
concurrency = 2
backoff_seconds = 0.05
jitter_seconds = 0
TOML
    : > "$WORK/$p/manifests/m.toml"
    for i in 1 2 3 4; do
      printf '[cue.c%s]\nprompt = "%s sound %s of project %s"\nduration = 1.0\n' "$i" "$1" "$i" "$p" \
        >> "$WORK/$p/manifests/m.toml"
    done
  done
}

max_in_flight() {
  python3 "$FAKE_API" --summarize "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["max_concurrency"])'
}

for mode in server no-server; do
  log="$WORK/$mode.jsonl"
  start_fake "$log"
  make_projects "$mode"
  pids=()
  for p in a b c; do
    if [ "$mode" = server ]; then
      foley -C "$WORK/$p" build > "$WORK/$p.$mode.out" 2>&1 &
    else
      FOLEY_SERVER=0 foley -C "$WORK/$p" build > "$WORK/$p.$mode.out" 2>&1 &
    fi
    pids+=($!)
  done
  rcs=""
  for pid in "${pids[@]}"; do wait "$pid"; rcs="$rcs$?"; done
  expect_eq "$mode: the three builds succeed" "000" "$rcs"
  expect_eq "$mode: one request per cue" 12 "$(fake_requests "$log")"
  in_flight=$(max_in_flight "$log")
  if [ "$in_flight" -le 2 ]; then pass; else fail "$mode: $in_flight requests in flight, concurrency is 2"; fi
  # Each of the three builds counted its own four generations, nothing of the others'.
  expect_eq "$mode: per-build rows (hits|misses|generated|credits) add up" \
    "0|4|4|160.0 0|4|4|160.0 0|4|4|160.0" \
    "$(sqlite3 "$WORK/shared-cache/index.sqlite" \
         'SELECT hits, misses, generated, credits_spent FROM builds ORDER BY id DESC LIMIT 3' | tr '\n' ' ' | sed 's/ $//')"
  for p in a b c; do foley -C "$WORK/$p" server stop >/dev/null 2>&1; done
done

finish
