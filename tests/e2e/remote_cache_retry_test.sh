#!/usr/bin/env bash
# Retries against a remote that fails on demand (tests/e2e/flaky_remote.py):
# a few 500s are asked again and the build uses every hit (under `foley build`
# and under a bare ninja run); a remote that always fails costs the build a
# bounded number of requests (the retry budget), then is off with one warning
# and the build goes on locally. The marks that turn the remote off for a
# build are gone when it ends, and marks of builds that are over go at the
# start of the next.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/remote_lib.sh"

FLAKY="$FOLEY_SOURCE_DIR/tests/e2e/flaky_remote.py"
STUB_PID=""
stop_stub() { if [ -n "$STUB_PID" ]; then kill "$STUB_PID" 2>/dev/null; wait "$STUB_PID" 2>/dev/null; STUB_PID=""; fi; }
trap 'stop_stub; rm -rf "$WORK"' EXIT
STORE="$WORK/store"
mkdir -p "$STORE"
# start_stub FAIL_FIRST — the stub over $STORE, logging to $WORK/stub-FAIL_FIRST.jsonl; sets URL.
start_stub() {
  stop_stub
  rm -f "$WORK/stub_port"
  STUB_LOG="$WORK/stub-$1.jsonl"
  python3 "$FLAKY" --root "$STORE" --port-file "$WORK/stub_port" --log "$STUB_LOG" --fail-first "$1" \
    >"$WORK/stub.out" 2>&1 &
  STUB_PID=$!
  wait_for_port "$WORK/stub_port" || { fail "the stub remote did not start"; cat "$WORK/stub.out" >&2; }
  URL="http://127.0.0.1:$(cat "$WORK/stub_port")/team"
}
stub_requests() { if [ -f "$STUB_LOG" ]; then wc -l < "$STUB_LOG" | tr -d ' '; else echo 0; fi; }
stub_500s() { if [ -f "$STUB_LOG" ]; then grep -c '"status": 500' "$STUB_LOG"; else echo 0; fi; }

counting_generator

# new_clone NAME [FIRST_SEED] — 12 exec cues against the stub at $URL.
new_clone() {
  local dir="$WORK/$1"
  mkdir -p "$dir/manifests"
  { synth_project; printf '[cache.remote]\nurl = "%s"\ndata_timeout = 2\nrequest_timeout = 10\n' "$URL"; } \
    > "$dir/foley.toml"
  tone_cues 12 "${2:-400}" 0.3 > "$dir/manifests/ep.toml"
  echo "$dir"
}
off_marks() { find "$1/cache/remote" -name 'off-*' 2>/dev/null | wc -l | tr -d ' '; }

# --- A fills the remote through a healthy stub -------------------------------
start_stub 0
A=$(new_clone a)
out=$(foley -C "$A" build 2>&1); rc=$?
expect_eq "A builds" 0 "$rc"
expect_eq "remote objects after A" 12 "$(remote_objects "$STORE/team")"

# --- three 500s: asked again, every hit used ---------------------------------
start_stub 3
B=$(new_clone b)
before=$(gens)
out=$(foley -C "$B" build 2>&1); rc=$?
expect_eq "B builds" 0 "$rc"
expect_eq "the stub failed three requests" 3 "$(stub_500s)"
expect_eq "B generated nothing" "$before" "$(gens)"
expect_contains "B fetched all" "fetched 12 of 12 missing object(s)" "$out"
expect_not_contains "no warning: the retries worked" "remote is off" "$out"
expect_eq "B counts no error" 0 "$(stat_value Errors "$(foley -C "$B" cache stats)")"

# --- the same under a bare ninja run (each foley-gen edge retries alone) -----
start_stub 2
B2=$(new_clone b2)
foley -C "$B2" plan >/dev/null 2>&1 || fail "B2 plans"
out=$(cd "$B2" && ninja 2>&1); rc=$?
expect_eq "B2's bare ninja run" 0 "$rc"
expect_eq "the stub failed two requests" 2 "$(stub_500s)"
expect_eq "B2 generated nothing" "$before" "$(gens)"
expect_eq "every edge fetched" 12 "$(count_lines 'fetched from the team cache' "$out")"
expect_not_contains "B2 warns of nothing" "remote is off" "$out"

# --- a remote that always fails: bounded, one warning, local build -----------
start_stub 1000000
C=$(new_clone c 600)
mkdir -p "$C/cache/remote"
touch "$C/cache/remote/off-999999"   # a mark of a build that is not running
before=$(gens)
out=$(foley -C "$C" build 2>&1); rc=$?
expect_eq "C builds without its remote" 0 "$rc"
expect_eq "C generated everything itself" $((before + 12)) "$(gens)"
expect_eq "one warning" 1 "$(count_lines 'remote is off' "$out")"
expect_contains "the warning says why" "HTTP 500" "$out"
n=$(stub_requests)
# One request per cue in flight when the remote fails, plus at most the
# build's retry budget (6); without the budget, each of them is tried 3 times.
[ "$n" -ge 12 ] && [ "$n" -le 18 ] && pass || fail "a failing remote got $n requests (expected 12 to 18)"
expect_eq "counted once" 1 "$(stat_value Errors "$(foley -C "$C" cache stats)")"
expect_eq "no off-mark is left behind" 0 "$(off_marks "$C")"
stop_stub
finish
