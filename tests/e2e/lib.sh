# Shared helpers of the end-to-end tests. Source it; then call `finish` last.
set -u
: "${FOLEY_BIN_DIR:?set by CTest}" "${FOLEY_SOURCE_DIR:?set by CTest}"
export PATH="$FOLEY_BIN_DIR:$PATH"
export FOLEY_LOG=info
unset ELEVENLABS_API_KEY FOLEY_BUILD_ID
# AudioLDM 2 cues run in-process, so no resident server outlives a test; the
# tests of the server itself unset this.
export FOLEY_AUDIOLDM2_SERVER=0

E2E_PASSED=0
E2E_FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/foley-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

pass() { E2E_PASSED=$((E2E_PASSED + 1)); }
fail() { E2E_FAILED=$((E2E_FAILED + 1)); echo "FAIL: $*" >&2; }
skip() { echo "SKIP: $*" >&2; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
  if [ "$2" = "$3" ]; then pass; else fail "$1: expected '$2', got '$3'"; fi
}
# expect_contains WHAT NEEDLE HAYSTACK
expect_contains() {
  case "$3" in *"$2"*) pass ;; *) fail "$1: '$2' not found in:"$'\n'"$3" ;; esac
}
expect_not_contains() {
  case "$3" in *"$2"*) fail "$1: '$2' unexpectedly found in:"$'\n'"$3" ;; *) pass ;; esac
}
expect_file() { if [ -s "$2" ]; then pass; else fail "$1: $2 missing or empty"; fi; }
expect_no_file() { if [ ! -e "$2" ]; then pass; else fail "$1: $2 should not exist"; fi; }

# count_lines PATTERN TEXT — lines of TEXT matching the grep pattern.
count_lines() { printf '%s\n' "$2" | grep -c -- "$1" || true; }

# cue_lines OUT [OUTCOME] — how many finished-cue lines `foley build` printed
# off a terminal in OUT ("ep1:door  exec (synth)  generated  0.4s  out/ep1/door.wav"),
# or only those whose outcome is OUTCOME (generated, cached, team cache, rendered).
cue_lines() {
  printf '%s\n' "$1" |
    grep -cE "^[^ ]+:[^ ]+( take [0-9]+)?  .+  (${2:-generated|cached|team cache|rendered})  [0-9]+\.[0-9]s  [^ ]" || true
}

# new_project NAME — copies the demo project into $WORK/NAME and prints its path.
new_project() {
  local dir="$WORK/$1"
  mkdir -p "$dir/tests/fixtures"
  cp -r "$FOLEY_SOURCE_DIR/foley.toml" "$FOLEY_SOURCE_DIR/manifests" "$FOLEY_SOURCE_DIR/assets" "$dir/"
  ln -s "$FOLEY_SOURCE_DIR/tests/fixtures/tiny-audioldm2" "$dir/tests/fixtures/tiny-audioldm2"
  echo "$dir"
}

# The stand-in ElevenLabs API (tools/fake_elevenlabs/server.py).
FAKE_API="$FOLEY_SOURCE_DIR/tools/fake_elevenlabs/server.py"
# wait_for_port FILE — waits up to 10 s for the fake API to write its port to FILE.
wait_for_port() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }
# fake_requests LOG — how many requests the fake API has logged in LOG (0 before the first).
fake_requests() {
  python3 "$FAKE_API" --summarize "$1" 2>/dev/null |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["requests"]))' 2>/dev/null || echo 0
}

objects_in() { find "$1/cache/objects" -type f ! -name '.tmp-*' 2>/dev/null | wc -l | tr -d ' '; }

finish() {
  echo "$E2E_PASSED passed, $E2E_FAILED failed"
  [ "$E2E_FAILED" -eq 0 ]
}
