#!/usr/bin/env bash
# The README's production Makefile, extracted from the README as a user would
# paste it: the first make builds the sounds and mixes; another make mixes
# nothing; an edited cue mixes again; `make check-sounds` passes on a fresh
# clone (no out/, no cache/) and on one whose cache CI kept.
. "$(dirname "$0")/lib.sh"

command -v make >/dev/null || { skip "no make"; finish; exit; }
D="$WORK/production"
mkdir -p "$D"
awk '/^## Calling foley from a production Makefile/ {on=1} on && /^```make$/ {grab=1; next}
     grab && /^```$/ {exit} grab {print}' "$FOLEY_SOURCE_DIR/README.md" > "$D/Makefile"
expect_contains "the Makefile was extracted" "check-sounds:" "$(cat "$D/Makefile")"

# sounds/: the demo's exec, source and silence cues (the tiny AudioLDM 2 cues
# only slow this test down).
S=$(new_project sounds)
sed -i '/^\[engines.ldm\]/,$d' "$S/foley.toml"
rm "$S/manifests/generated.toml"
mv "$S" "$D/sounds"
cat > "$D/mix.sh" <<'SH'
#!/bin/sh
echo mixed >> mixes.log
cat "$@" | wc -c
SH
chmod +x "$D/mix.sh"
cd "$D"
mixes() { wc -l < mixes.log 2>/dev/null | tr -d ' ' || echo 0; }

out=$(make build/episode1.mp3 2>&1); expect_eq "first make" 0 "$?"
expect_file "sounds built" sounds/out/episode1/door_creak.wav
expect_file "mixed" build/episode1.mp3
expect_eq "one mix" 1 "$(mixes)"
out=$(make build/episode1.mp3 2>&1); expect_eq "second make" 0 "$?"
expect_eq "nothing changed: no mix" 1 "$(mixes)"
sed -i 's/^seed = 196/seed = 197/' sounds/manifests/episode1.toml
make build/episode1.mp3 >/dev/null 2>&1; expect_eq "make after an edit" 0 "$?"
expect_eq "an edited cue: one more mix" 2 "$(mixes)"
make build/episode1.mp3 >/dev/null 2>&1
expect_eq "then none" 2 "$(mixes)"

make check-sounds >/dev/null 2>&1; expect_eq "check-sounds on the built tree" 0 "$?"
# A fresh clone has no out/, no cache/, no .foley/ and no build.ninja (all in
# foley init's .gitignore); CI that kept the cache renders only.
cp -a sounds/cache "$WORK/ci-cache"
rm -rf sounds/out sounds/cache sounds/.foley sounds/build.ninja sounds/.foley-built
make check-sounds >/dev/null 2>&1; expect_eq "check-sounds on a fresh clone" 0 "$?"
rm -rf sounds/out sounds/cache sounds/.foley sounds/build.ninja
cp -a "$WORK/ci-cache" sounds/cache
out=$(make check-sounds 2>&1); expect_eq "check-sounds with the kept cache" 0 "$?"
expect_eq "it generated nothing" 0 "$(count_lines 'generated ' "$out")"
finish
