#!/usr/bin/env bash
# What a person sees during `foley build`: under a pseudo-terminal, one line
# per running cue with its name, engine, denoising step and elapsed time (a
# 2-cue AudioLDM 2 build on the tiny model), GEN lines naming cues instead of
# objects, colour unless NO_COLOR; off a terminal, plain lines; -q, only
# what failed.
. "$(dirname "$0")/lib.sh"

MODEL="$FOLEY_SOURCE_DIR/tests/fixtures/tiny-audioldm2"
PTY="$FOLEY_SOURCE_DIR/tests/e2e/pty_run.py"
P="$WORK/progress"
mkdir -p "$P/manifests"
cd "$P"
cat > foley.toml <<TOML
[project]
name = "progress-e2e"
cache_dir = "cache"
output_dir = "out"
default_engine = "local"

[render]
sample_rate = 16000
bit_depth = 16
format = "wav"
channels = 1

[engines.local]
engine = "audioldm2"
model = "$MODEL"
device = "auto"
steps = 3
scheduler = "dpmsolver++"

[engines.synth]
engine = "exec"
command = ["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", "--comment", "{prompt}", "{out}", "synth", "{duration}", "sine", "{seed}"]
TOML
cat > manifests/sfx.toml <<'TOML'
[cue.rain]
prompt = "rain on a tin roof"
duration = 1.0
seed = 1

[cue.dog]
prompt = "a dog barks twice"
duration = 1.0
seed = 2
TOML
cat > manifests/tones.toml <<'TOML'
[defaults]
engine = "synth"

[cue.low]
prompt = "a low tone"
duration = 0.3
seed = 200

[cue.high]
prompt = "a high tone"
duration = 0.3
seed = 2000
TOML

# plain TEXT — the text without its escape sequences (colours, cursor moves).
plain() { printf '%s' "$1" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g'; }

# 1. A terminal: a running line per cue, with its step counter and elapsed time.
raw=$(env -u NO_COLOR python3 "$PTY" --columns 120 -- foley build tones sfx); rc=$?
expect_eq "build under a terminal" 0 "$rc"
[ "$rc" -eq 0 ] || echo "$raw" >&2
text=$(plain "$raw" | tr -d '\r')
for cue in sfx:rain sfx:dog; do
  expect_contains "$cue shown running with its step and time" "yes" \
    "$(printf '%s\n' "$text" | grep -Eq "^  $cue  audioldm2 \(local\)  step [1-3]/3  [0-9]+\.[0-9]s\$" && echo yes)"
  expect_contains "$cue: its last step shown" "yes" \
    "$(printf '%s\n' "$text" | grep -Eq "^  $cue  audioldm2 \(local\)  step 3/3  " && echo yes)"
  expect_contains "GEN line names $cue" "GEN $cue (local)" "$text"
done
expect_contains "exec cues run too" "tones:low  exec (synth)" "$text"
expect_not_contains "no object path in GEN lines" "GEN .foley/objects" "$text"
expect_contains "the block is redrawn in place" $'\x1b[J' "$raw"
expect_contains "cue names in bold" $'\x1b[1msfx:rain\x1b[0m' "$raw"

# 2. NO_COLOR: the same lines, no colour.
sed -i 's/seed = 200$/seed = 210/' manifests/tones.toml
raw=$(NO_COLOR=1 python3 "$PTY" -- foley build tones)
expect_contains "running line without colour" "  tones:low  exec (synth)  " "$(printf '%s' "$raw" | tr -d '\r')"
expect_not_contains "no colour codes" $'\x1b[1m' "$raw"

# 3. Not a terminal: one plain line per finished edge, no running block.
sed -i 's/seed = 210$/seed = 220/' manifests/tones.toml
out=$(foley build tones 2>&1)
expect_contains "plain GEN line with the cue" "GEN tones:low (synth)" "$out"
expect_not_contains "no escape codes off a terminal" $'\x1b[' "$out"
expect_not_contains "no running block off a terminal" "exec (synth)  starting" "$out"

# 4. -q: nothing but failures, even on a terminal.
sed -i 's/seed = 220$/seed = 230/' manifests/tones.toml
raw=$(python3 "$PTY" -- foley build -q tones); rc=$?
expect_eq "quiet build" 0 "$rc"
expect_eq "quiet build prints nothing" "" "$(printf '%s' "$raw" | tr -d '\r\n')"
expect_file "it built" out/tones/low.wav
sed -i 's/duration = 0.3$/duration = -1.0/' manifests/tones.toml
out=$(foley build -q tones 2>&1); rc=$?
expect_eq "quiet build of a bad manifest fails" 2 "$rc"
expect_contains "and says why" "duration" "$out"

finish
