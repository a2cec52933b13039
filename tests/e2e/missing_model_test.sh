#!/usr/bin/env bash
# A missing model folder fails only the cues that use it: the plan goes on,
# every other cue builds, the build exits 1 naming the cues and how to fetch
# the model, status agrees; once the folder exists the same build finishes.
. "$(dirname "$0")/lib.sh"

P=$(new_project missing)
cd "$P"
sed -i 's|^model = "tests/fixtures/tiny-audioldm2"|model = "models/audioldm2"|' foley.toml
expect_contains "the demo's ldm profile now names an absent folder" 'model = "models/audioldm2"' "$(cat foley.toml)"

out=$(foley plan 2>&1); expect_eq "plan succeeds" 0 "$?"
expect_contains "plan warns about the profile" "profile \`ldm\` cannot run here" "$out"

out=$(foley build 2>&1); rc=$?
expect_eq "build exits 1: something was not built" 1 "$rc"
expect_contains "it names the cues" "2 cue(s) of profile \`ldm\` not built (generated:distant_thunder, generated:wind_gust)" "$out"
expect_contains "it names the folder" "model folder \`models/audioldm2\` does not exist" "$out"
expect_contains "it says how to fetch one" "tools/fetch-model.sh audioldm2" "$out"
for f in episode1/door_creak.wav episode1/footsteps.wav episode1/footsteps_quiet.wav episode1/bell.wav \
         episode1/pause.wav ambience/rain_bed.flac; do
  expect_file "the other cues build: $f" "out/$f"
done
expect_no_file "no wind_gust" out/generated/wind_gust.wav
expect_no_file "no distant_thunder" out/generated/distant_thunder.wav

status=$(foley status 2>&1)
expect_eq "only the ldm cues are stale" 2 "$(count_lines ' stale ' "$status")"
expect_contains "status says why" "unavailable: profile \`ldm\` cannot run here" "$status"
expect_contains "and how to fix it" "tools/fetch-model.sh audioldm2" "$status"
foley status -q; expect_eq "status -q exits 1" 1 "$?"
out=$(foley build 2>&1); expect_eq "a second build fails the same way" 1 "$?"
expect_eq "and rebuilds nothing else" 0 "$(cue_lines "$out")"

# Plain ninja: those edges fail with the message; -k 0 builds past them.
rm out/episode1/door_creak.wav
out=$(ninja -k 0 2>&1); expect_eq "ninja -k 0 fails" 1 "$?"
expect_contains "ninja prints the reason" "tools/fetch-model.sh audioldm2" "$out"
expect_file "ninja -k 0 built the rest" out/episode1/door_creak.wav

# The folder arrives: the same build finishes.
mkdir -p models
ln -s "$FOLEY_SOURCE_DIR/tests/fixtures/tiny-audioldm2" models/audioldm2
out=$(foley build 2>&1); expect_eq "build with the model" 0 "$?"
expect_file "wind_gust now" out/generated/wind_gust.wav
expect_file "distant_thunder now" out/generated/distant_thunder.wav
foley status -q; expect_eq "everything fresh" 0 "$?"
finish
