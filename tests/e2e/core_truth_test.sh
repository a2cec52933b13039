#!/usr/bin/env bash
# The incremental core tells the truth: statistics count what a build used,
# status and build agree after the cache is deleted, a copied project builds
# itself, `ninja -t clean` keeps every cache object, and the CLI follows
# ninja's and git's habits.
. "$(dirname "$0")/lib.sh"

P=$(new_project truth)
cd "$P"
foley build >/dev/null 2>&1; expect_eq "first build" 0 "$?"
objects=$(objects_in "$P")

# The foley version that made them: in the delivered file's tags and sidecar,
# and in the generated object's record.
version=$(foley --version | cut -d' ' -f2)
expect_contains "the sidecar names the foley version" "\"foley_version\": \"$version\"" "$(cat out/episode1/door_creak.wav.json)"
expect_contains "the software tag names it" "foley $version" "$(strings out/episode1/door_creak.wav)"
expect_contains "the object record names it" "\"foley_version\": \"$version\"" "$(foley cache show door_creak)"

# Ten no-op builds count no hit and save no time: nothing was used.
hits() { foley cache stats | grep -m1 'Hits:' | tr -s ' '; }
saved() { foley cache stats | grep 'Saved by hits' | tr -s ' ' | tr '\n' ' '; }
hits_before=$(hits); saved_before=$(saved)
for _ in $(seq 10); do foley build >/dev/null 2>&1; done
expect_eq "no-op builds leave the hit counter" "$hits_before" "$(hits)"
expect_eq "no-op builds save nothing" "$saved_before" "$(saved)"
# A render-only change uses its object: exactly one hit.
sed -i 's/^loudness = -20.0/loudness = -19.0/' manifests/episode1.toml
foley build >/dev/null 2>&1
expect_contains "a re-render of a cached object is one hit" "Hits: 1 /" "$(hits)"
out=$(foley cache stats -z)
expect_eq "stats -z says so" "Statistics zeroed" "$(head -1 <<<"$out")"
expect_contains "stats -z zeroed the hits" "Hits: 0 / 0" "$(hits)"
expect_eq "stats -z keeps the objects" "$objects" "$(objects_in "$P")"

# `ninja -t clean` removes delivered files, never a cache object.
ninja -t clean >/dev/null 2>&1
expect_eq "clean keeps every object" "$objects" "$(objects_in "$P")"
expect_eq "clean removes the delivered files" 0 "$(find out -type f ! -name '*.json' | wc -l | tr -d ' ')"
out=$(foley build 2>&1); expect_eq "build after clean" 0 "$?"
expect_eq "no generation after clean" 0 "$(cue_lines "$out" generated)"
expect_eq "every cue delivered again" 8 "$(cue_lines "$out")"

# rm -rf cache: the build regenerates what it must, then status and ninja agree.
rm -rf cache
foley build >/dev/null 2>&1; expect_eq "build after rm -rf cache" 0 "$?"
foley status -q; expect_eq "status -q after rm -rf cache and a build" 0 "$?"
expect_contains "ninja agrees" "no work to do" "$(ninja 2>&1)"

# A copied project re-plans and builds itself with plain ninja, not the original.
cp -a "$P" "$WORK/moved"
cd "$WORK/moved"
sed -i 's/an old wooden door creaks open slowly/a door in the copy creaks/' manifests/episode1.toml
out=$(ninja 2>&1); expect_eq "ninja in the copy" 0 "$?"
expect_contains "the copy re-planned" "PLAN build.ninja" "$out"
expect_contains "the copy's output has the edit" "a door in the copy creaks" "$(cat out/episode1/door_creak.wav.json)"
expect_not_contains "the original is untouched" "a door in the copy creaks" "$(cat "$P/out/episode1/door_creak.wav.json")"
foley status -q; expect_eq "the copy is fresh" 0 "$?"
(cd "$P" && foley status -q); expect_eq "the original is fresh" 0 "$?"
cd "$P"

# A damaged object is never rendered silently: the build refuses it and says
# what to do; `foley cache verify` quarantines it; the next build regenerates it.
obj=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["input"])' out/episode1/door_creak.wav.json)
before_out=$(sha256sum out/episode1/door_creak.wav)
printf '\xde\xad\xbe\xef\xde\xad\xbe\xef\xde\xad\xbe\xef\xde\xad\xbe\xef' | dd of="$obj" bs=1 seek=200 conv=notrunc 2>/dev/null
out=$(foley build 2>&1); rc=$?
expect_eq "a damaged object fails the build" 1 "$rc"
expect_contains "it names the remedy" "foley cache verify" "$out"
expect_eq "the delivered file was not overwritten" "$before_out" "$(sha256sum out/episode1/door_creak.wav)"
foley cache verify >/dev/null 2>&1
expect_eq "verify quarantined it" 1 "$(find cache/quarantine -type f | wc -l | tr -d ' ')"
out=$(foley build 2>&1); expect_eq "the build after verify" 0 "$?"
expect_eq "it regenerated the object" 1 "$(count_lines '^episode1:door_creak  .*  generated  ' "$out")"

# Two projects sharing one cache folder: gc --unreferenced in one never
# removes what the other uses.
for name in one two; do
  mkdir -p "$WORK/$name/manifests"
  cat > "$WORK/$name/foley.toml" <<TOML
[project]
name = "$name"
cache_dir = "$WORK/shared-cache"
[engines.synth]
engine = "exec"
command = ["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", "{out}", "synth", "{duration}", "pluck", "{seed}"]
TOML
done
printf '[cue.a]\nprompt = "one"\nduration = 0.2\nseed = 300\n' > "$WORK/one/manifests/m.toml"
printf '[cue.b]\nprompt = "two"\nduration = 0.2\nseed = 400\n' > "$WORK/two/manifests/m.toml"
(cd "$WORK/one" && foley build >/dev/null 2>&1); (cd "$WORK/two" && foley build >/dev/null 2>&1)
shared_before=$(find "$WORK/shared-cache/objects" -type f | wc -l | tr -d ' ')
expect_eq "two projects, two objects in the shared cache" 2 "$shared_before"
out=$(cd "$WORK/one" && foley cache gc --unreferenced 2>&1)
expect_eq "gc --unreferenced in one keeps the other's object" 2 "$(find "$WORK/shared-cache/objects" -type f | wc -l | tr -d ' ')"
expect_contains "gc names the other project" "keeping the 1 object(s) of project $WORK/two" "$out"
(cd "$WORK/two" && foley status -q); expect_eq "the other project is still fresh" 0 "$?"
# The same cue id in both: each project's history is its own.
printf '[cue.first_cue]\nprompt = "one"\nduration = 0.2\nseed = 300\n' > "$WORK/one/manifests/main.toml"
printf '[cue.first_cue]\nprompt = "two"\nduration = 0.2\nseed = 400\n' > "$WORK/two/manifests/main.toml"
(cd "$WORK/one" && foley build >/dev/null 2>&1); (cd "$WORK/two" && foley build >/dev/null 2>&1)
(cd "$WORK/one" && foley status -q); expect_eq "one is fresh after two built the same cue id" 0 "$?"
(cd "$WORK/two" && foley status -q); expect_eq "two is fresh too" 0 "$?"
out=$(cd "$WORK/one" && foley explain first_cue 2>&1)
expect_contains "one's explain reads its own history" "fresh: built from exactly these inputs" "$out"
expect_not_contains "and never the other's seed" "400" "$out"

# Two projects that happen to share a [project] name and a cache: their
# histories still stay apart (a project is its name and .foley/project-id).
for name in three four; do
  mkdir -p "$WORK/$name/manifests"
  sed 's/^name = .*/name = "same"/' "$WORK/one/foley.toml" > "$WORK/$name/foley.toml"
done
printf '[cue.first_cue]\nprompt = "three"\nduration = 0.2\nseed = 500\n' > "$WORK/three/manifests/main.toml"
printf '[cue.first_cue]\nprompt = "four"\nduration = 0.2\nseed = 600\n' > "$WORK/four/manifests/main.toml"
(cd "$WORK/three" && foley build >/dev/null 2>&1); (cd "$WORK/four" && foley build >/dev/null 2>&1)
(cd "$WORK/three" && foley status -q); expect_eq "a project is fresh after a same-named one built the same cue id" 0 "$?"
out=$(cd "$WORK/three" && foley explain first_cue 2>&1)
expect_contains "its explain reads its own history" "fresh: built from exactly these inputs" "$out"
expect_not_contains "never the same-named project's seed" "600" "$out"
printf '[cue.first_cue]\nprompt = "three"\nduration = 0.2\nseed = 501\n' > "$WORK/three/manifests/main.toml"
out=$(cd "$WORK/three" && foley explain first_cue 2>&1)
expect_contains "an edit is diffed against its own last build" "500 -> 501" "$out"
# The id moves with the folder: a moved project keeps its history.
mv "$WORK/four" "$WORK/four-moved"
out=$(cd "$WORK/four-moved" && foley explain first_cue 2>&1)
expect_contains "a moved project keeps its history" "fresh: built from exactly these inputs" "$out"

# CLI habits.
out=$(foley biuld 2>&1); rc=$?
expect_eq "unknown command exits 2" 2 "$rc"
expect_contains "did you mean" "did you mean \`build\`" "$out"
expect_contains "--version" "foley " "$(foley --version)"
expect_eq "--version exits 0" 0 "$(foley --version >/dev/null 2>&1; echo $?)"
expect_contains "foley-gen --version" "foley-gen " "$(foley-gen --version)"
expect_contains "-C after the subcommand" "fresh" "$(cd / && foley status -C "$P")"
mkdir -p "$P/manifests/deeper"
expect_contains "upward search for foley.toml" "fresh" "$(cd "$P/manifests/deeper" && foley status)"
rmdir "$P/manifests/deeper"
out=$(foley explain door_creek 2>&1); rc=$?
expect_eq "explain of an unknown cue is bad input" 2 "$rc"
expect_contains "explain suggests" "did you mean \`door_creak\`" "$out"
expect_contains "cache show suggests" "did you mean \`door_creak\`" "$(foley cache show door_creek 2>&1)"
key=$(find cache/objects -name '*.wav' | head -1 | xargs basename | cut -d. -f1)
expect_contains "cache show takes a unique key prefix" "\"gen_key\": \"$key\"" "$(foley cache show "${key:0:8}")"
out=$(foley cache gc --max-size banana 2>&1); rc=$?
expect_eq "a bad size is bad usage" 2 "$rc"
expect_contains "it says why" "\`banana\` is not a size" "$out"
sed -i 's/a heavy/an/; s/^loudness = -19.0/loudness = -18.5/' manifests/episode1.toml
before=$(objects_in "$P")
out=$(foley build -n 2>&1); rc=$?
expect_eq "build -n" 0 "$rc"
expect_contains "build -n shows the render" "RENDER" "$out"
foley status -q; expect_eq "build -n built nothing" 1 "$?"
expect_eq "build -n generated nothing" "$before" "$(objects_in "$P")"
out=$(foley build -v 2>&1)
expect_contains "build -v shows commands" "foley-render" "$out"
out=$(PATH=/nonexistent "$FOLEY_BIN_DIR/foley" build 2>&1); rc=$?
expect_eq "no ninja: a failure" 1 "$rc"
expect_contains "no ninja: how to install it" "apt install ninja-build" "$out"
finish
