#!/usr/bin/env bash
# The incremental core end to end with the real ninja.
. "$(dirname "$0")/lib.sh"

P=$(new_project demo)
cd "$P"

# 1. A first build makes every output; identical generation inputs generate once.
out=$(foley build 2>&1); rc=$?
expect_eq "first build exit code" 0 "$rc"
for f in out/episode1/door_creak.wav out/episode1/footsteps.wav out/episode1/footsteps_quiet.wav \
         out/episode1/bell.wav out/episode1/pause.wav out/ambience/rain_bed.flac \
         out/generated/wind_gust.wav out/generated/distant_thunder.wav; do
  expect_file "output" "$f"
  expect_file "sidecar" "$f.json"
done
expect_eq "generations (footsteps and footsteps_quiet share one)" 5 "$(objects_in "$P")"
expect_eq "cues generated (footsteps_quiet shares footsteps' object)" 6 "$(cue_lines "$out" generated)"
expect_eq "one line per cue delivered" 8 "$(cue_lines "$out")"
expect_contains "sidecar provenance" '"prompt": "an old wooden door creaks open slowly"' "$(cat out/episode1/door_creak.wav.json)"
status=$(foley status); rc=$?
expect_eq "status exit" 0 "$rc"
expect_contains "status after build" "8 cue(s): 8 fresh, 0 stale" "$status"
foley status -q; expect_eq "status -q when fresh" 0 "$?"

# 2. A second build runs nothing: no edge is dirty, foley-gen is not started.
out=$(ninja -n 2>&1)
expect_contains "ninja -n after build" "no work to do" "$out"
out=$(foley build 2>&1)
expect_contains "rebuild" "no work to do" "$out"
expect_eq "rebuild finishes no cue" 0 "$(cue_lines "$out")"
stats=$(foley cache stats)
expect_contains "cache stats counts the objects" "Objects:                  5" "$stats"

# 3. Edit one prompt: plain ninja re-plans by itself; exactly that cue regenerates and re-renders.
sed -i 's/an old wooden door creaks open slowly/a heavy oak door creaks open/' manifests/episode1.toml
foley status -q; expect_eq "status -q when stale" 1 "$?"
status=$(foley status)
expect_contains "status reason" "changed: prompt" "$status"
explain=$(foley explain door_creak)
expect_contains "explain old value" '"an old wooden door creaks open slowly"' "$explain"
expect_contains "explain new value" '"a heavy oak door creaks open"' "$explain"
out=$(ninja 2>&1); rc=$?
expect_eq "ninja after prompt edit" 0 "$rc"
expect_contains "re-plan ran first" "PLAN build.ninja" "$out"
expect_eq "one generation" 1 "$(count_lines 'GEN ' "$out")"
expect_contains "the edited cue" "generated episode1:door_creak" "$out"
expect_eq "one render" 1 "$(count_lines 'RENDER ' "$out")"
expect_contains "sidecar has the new prompt" "a heavy oak door creaks open" "$(cat out/episode1/door_creak.wav.json)"
expect_contains "fresh again" "8 fresh, 0 stale" "$(foley status)"

# 4. Edit a render setting: only the render runs, nothing regenerates.
sed -i 's/^loudness = -20.0/loudness = -18.0/' manifests/episode1.toml
expect_contains "status names the render field" "changed: render.loudness" "$(foley status)"
before=$(objects_in "$P")
out=$(ninja 2>&1)
expect_eq "no generation for a render change" 0 "$(count_lines 'GEN ' "$out")"
expect_eq "one render for a render change" 1 "$(count_lines 'RENDER ' "$out")"
expect_contains "the re-rendered cue" "RENDER out/episode1/footsteps.wav" "$out"
expect_eq "no new object" "$before" "$(objects_in "$P")"

# 5. Delete one object: only it is regenerated.
obj=$(find cache/objects -name '*.wav' | head -n 1)
key=$(basename "$obj" .wav)
rm "$obj"
out=$(ninja 2>&1)
expect_eq "one regeneration" 1 "$(count_lines 'GEN ' "$out")"
expect_file "object back" "$obj"
expect_contains "index knows it" "$key" "$(foley cache ls)"

# 6. The last build's counters: a no-op `foley build` counts every generation as a hit.
foley build >/dev/null 2>&1
stats=$(foley cache stats)
expect_contains "stats layout" "Hits" "$stats"

finish
