#!/usr/bin/env bash
# No ninja cleaning tool deletes a cache object: `ninja -t clean`, with a
# target, with -g, with -r RULE, and `ninja -t cleandead` after a cue changed.
# The project has paid objects (ElevenLabs, through the fake API and the
# resident server) and local ones (exec); after each tool every object is
# still there, the paid ones still paid, and the next build makes no request
# and generates nothing.
. "$(dirname "$0")/lib.sh"

SERVER="$FOLEY_SOURCE_DIR/tools/fake_elevenlabs/server.py"
P="$WORK/clean"
mkdir -p "$P/manifests"
cd "$P"

printf '%s' "sk-clean-test" > "$WORK/key"
export ELEVENLABS_API_KEY="sk-clean-test"
python3 "$SERVER" --expect-key-file "$WORK/key" --log "$WORK/log.jsonl" --port-file "$WORK/port" \
  >"$WORK/server.out" 2>&1 &
SERVER_PID=$!
trap 'foley -C "$P" server stop >/dev/null 2>&1; kill $SERVER_PID 2>/dev/null; rm -rf "$WORK"' EXIT
wait_for_port "$WORK/port"
PORT=$(cat "$WORK/port")
requests() { fake_requests "$WORK/log.jsonl"; }

cat > foley.toml <<TOML
[project]
name = "clean"
default_engine = "sfx"
[engines.sfx]
engine = "elevenlabs"
base_url = "http://127.0.0.1:$PORT"
tier = "free"
credits_per_second = 40
[engines.synth]
engine = "exec"
command = ["sox", "-R", "-n", "-r", "16000", "-c", "1", "{out}", "synth", "{duration}", "sine", "{seed}"]
TOML
{
  for i in 1 2 3; do printf '[cue.api%d]\nprompt = "door slam number %d"\nduration = 1.0\n' "$i" "$i"; done
  printf '[cue.local1]\nengine = "synth"\nprompt = "tone"\nduration = 0.5\nseed = 440\n'
} > manifests/ep1.toml

out=$(foley build 2>&1); expect_eq "first build" 0 "$?"
expect_eq "three requests" 3 "$(requests)"
expect_eq "four objects" 4 "$(objects_in "$P")"
paid() { foley cache ls 2>/dev/null | grep -c paid || true; }
expect_eq "three paid objects" 3 "$(paid)"
# ninja sees links, not objects: one per object, made by foley-gen and by
# foley-gen-client after the resident server's call.
expect_eq "one link per object" 4 "$(find .foley/objects -type l | wc -l | tr -d ' ')"
expect_contains "nothing left for ninja" "no work to do" "$(ninja 2>&1)"
cp -a cache "$WORK/cache-before"
checksums() { (cd "$1" && find objects -type f ! -name '.tmp-*' -exec sha256sum {} + | sort); }
before_sums=$(checksums "$WORK/cache-before")

# after_clean WHAT: every object byte-identical, paid ones still paid; the next
# build makes no request, generates nothing, and leaves the project fresh.
after_clean() {
  expect_eq "$1: every object kept" "$before_sums" "$(checksums cache)"
  expect_eq "$1: paid objects still paid" 3 "$(paid)"
  local out
  out=$(foley build 2>&1); expect_eq "$1: build after it" 0 "$?"
  expect_eq "$1: no request" 3 "$(requests)"
  expect_eq "$1: nothing generated" 0 "$(cue_lines "$out" generated)"
  foley status -q; expect_eq "$1: fresh after the build" 0 "$?"
  expect_contains "$1: ninja agrees" "no work to do" "$(ninja 2>&1)"
}

out=$(ninja -t clean 2>&1)
expect_eq "clean removed the delivered files" 0 "$(find out -type f ! -name '*.json' | wc -l | tr -d ' ')"
after_clean "ninja -t clean"

# A target: ninja removes it and everything it was built from, generator or not.
out=$(ninja -t clean all 2>&1)
expect_contains "clean all removed files" "Cleaning..." "$out"
expect_eq "clean all removed the links" 0 "$(find .foley/objects -type l | wc -l | tr -d ' ')"
after_clean "ninja -t clean all"
ninja -t clean out/ep1/api1.wav >/dev/null 2>&1
expect_no_file "clean TARGET removed the output" out/ep1/api1.wav
after_clean "ninja -t clean out/ep1/api1.wav"

# -g: generator outputs too (build.ninja among them: foley build plans again).
ninja -t clean -g >/dev/null 2>&1
expect_no_file "clean -g removed build.ninja" build.ninja
after_clean "ninja -t clean -g"

for rule in gen_sfx gen_synth render; do
  ninja -t clean -r "$rule" >/dev/null 2>&1
  after_clean "ninja -t clean -r $rule"
done

# cleandead: outputs in ninja's log that the graph no longer has. Renaming a
# paid cue's prompt leaves its old object dead to ninja — and paid.
sed -i 's/door slam number 3/a door slams hard/' manifests/ep1.toml
foley build >/dev/null 2>&1; expect_eq "the edited cue made one request" 4 "$(requests)"
before_sums=$(checksums cache)
expect_eq "five objects, four paid" "5 4" "$(objects_in "$P") $(paid)"
out=$(ninja -t cleandead 2>&1)
expect_contains "cleandead removed the dead link" "Cleaning... 1 files" "$out"
expect_eq "cleandead: every object kept" "$before_sums" "$(checksums cache)"
expect_eq "cleandead: paid objects still paid" 4 "$(paid)"
sed -i 's/a door slams hard/door slam number 3/' manifests/ep1.toml
out=$(foley build 2>&1); expect_eq "going back to the old prompt" 0 "$?"
expect_eq "its paid object is used again: no request" 4 "$(requests)"
expect_eq "nothing generated" 0 "$(cue_lines "$out" generated)"
finish
