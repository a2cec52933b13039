#!/usr/bin/env bash
# Takes end to end with the real ninja: each take its own generation, cached
# like any object; more takes generate only the new ones; a pick re-renders
# only and lives in foley.lock, which no plan rewrites; a stale pick is
# reported and never replaced; --all-takes renders every take; an ElevenLabs
# cue with takes makes exactly one paid call per take, priced by `foley status`
# first. (Ranking with the native CLAP model is checked where that model is built.)
. "$(dirname "$0")/lib.sh"

P="$WORK/takes"
mkdir -p "$P/manifests"
cd "$P"
# A tone whose pitch is the take: 400, 410, 420 ... Hz.
cat > foley.toml <<'TOML'
[project]
name = "takes"
default_engine = "synth"
[engines.synth]
engine = "exec"
command = ["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", "{out}", "synth", "{duration}", "sine", "4{take}0"]
TOML
printf '[cue.door]\nprompt = "a door"\nduration = 0.3\n' > manifests/ep1.toml
gen_key() { foley status --json | python3 -c 'import json,sys; print([c for c in json.load(sys.stdin)["cues"] if c["cue"] == "ep1:door"][0]["gen_key"])'; }

# 1. One take: the key a cue always had.
out=$(foley build 2>&1); rc=$?
expect_eq "one take builds" 0 "$rc"
expect_eq "one object" 1 "$(objects_in "$P")"
key1=$(gen_key)

# 2. takes = 3: exactly two more generations; take 0 keeps its key.
printf '[cue.door]\nprompt = "a door"\nduration = 0.3\ntakes = 3\n' > manifests/ep1.toml
status=$(foley status)
expect_contains "status counts the two new takes" "2 generation(s) to run" "$status"
out=$(foley build 2>&1); rc=$?
expect_eq "three takes build" 0 "$rc"
# (its delivered file reads take 0, already there: the new takes are built beside it, a line each)
expect_eq "two new generations" 2 "$(cue_lines "$out" generated)"
expect_eq "take 2 and take 3 named" "ep1:door take 2 ep1:door take 3" \
  "$(printf '%s\n' "$out" | grep -o '^ep1:door take [0-9]' | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "three objects" 3 "$(objects_in "$P")"
expect_eq "take 0 keeps the one-take key" "$key1" "$(gen_key)"

# 3. A rebuild generates nothing and renders nothing.
out=$(foley build 2>&1)
expect_contains "rebuild is a no-op" "no work to do" "$out"
expect_contains "status fresh" "1 fresh, 0 stale" "$(foley status)"

# 4. takes = 5: exactly two more.
sed -i 's/^takes = 3/takes = 5/' manifests/ep1.toml
out=$(ninja 2>&1); rc=$?
expect_eq "five takes build through plain ninja" 0 "$rc"
expect_eq "two more generations" 2 "$(count_lines 'GEN ' "$out")"
expect_eq "five objects" 5 "$(objects_in "$P")"
out=$(foley build 2>&1)
expect_contains "rebuild after five is a no-op" "no work to do" "$out"

# 5. `foley takes` lists them; without a rank model take 0 is rendered.
takes=$(foley takes door); rc=$?
expect_eq "takes exit code" 0 "$rc"
expect_eq "five take rows" 5 "$(count_lines 'ep1-\|cache/objects' "$takes")"
expect_contains "unranked without a rank model" "unranked" "$takes"
tj=$(foley takes door --json)
take_key() { printf '%s' "$tj" | python3 -c "import json,sys; print(json.load(sys.stdin)['takes'][$1]['gen_key'])"; }
expect_eq "take 0 is rendered" "$(take_key 0)" \
  "$(python3 -c 'import json; print(json.load(open("out/ep1/door.wav.json"))["provenance"]["gen_key"])')"

# 6. foley pick: re-renders only, locks the take in foley.lock.
out=$(foley pick door 3 2>&1); rc=$?
expect_eq "pick exit code" 0 "$rc"
expect_file "foley.lock written" foley.lock
expect_contains "lock names the cue" '[picks."ep1:door"]' "$(cat foley.lock)"
expect_contains "lock names the take's key" "$(take_key 3)" "$(cat foley.lock)"
before=$(objects_in "$P")
out=$(ninja 2>&1); rc=$?
expect_eq "ninja after pick" 0 "$rc"
expect_eq "a pick generates nothing" 0 "$(count_lines 'GEN ' "$out")"
expect_eq "a pick renders once" 1 "$(count_lines 'RENDER ' "$out")"
expect_eq "no new object" "$before" "$(objects_in "$P")"
expect_eq "take 3 is rendered" "$(take_key 3)" \
  "$(python3 -c 'import json; print(json.load(open("out/ep1/door.wav.json"))["provenance"]["gen_key"])')"
expect_contains "takes marks the pick" "picked" "$(foley takes door | grep '^  3 ')"
expect_contains "status JSON has the pick" '"picked_take": 3' "$(foley status --json)"

# 7. foley.lock survives a re-plan and a no-op build.
cp foley.lock "$WORK/lock.before"
foley plan >/dev/null 2>&1
out=$(foley build 2>&1)
expect_contains "no-op after pick" "no work to do" "$out"
if cmp -s foley.lock "$WORK/lock.before"; then pass; else fail "foley.lock changed by a re-plan"; fi
# A lock changed outside foley (a pull of a teammate's pick) re-plans plain ninja.
sed -i "s/$(take_key 3)/$(take_key 4)/; s/^take = 3/take = 4/" foley.lock
out=$(ninja 2>&1); rc=$?
expect_eq "ninja after a changed lock" 0 "$rc"
expect_contains "a changed lock re-plans" "PLAN build.ninja" "$out"
expect_eq "a changed lock generates nothing" 0 "$(count_lines 'GEN ' "$out")"
expect_eq "a changed lock renders once" 1 "$(count_lines 'RENDER ' "$out")"
expect_eq "take 4 is rendered" "$(take_key 4)" \
  "$(python3 -c 'import json; print(json.load(open("out/ep1/door.wav.json"))["provenance"]["gen_key"])')"
out=$(ninja -n 2>&1)
expect_contains "then nothing to do" "no work to do" "$out"
foley pick door 3 >/dev/null
foley build >/dev/null 2>&1

# 8. --all-takes renders every take, generating nothing.
out=$(foley build --all-takes 2>&1); rc=$?
expect_eq "all-takes exit code" 0 "$rc"
expect_eq "all-takes generates nothing" 0 "$(cue_lines "$out" generated)"
for n in 0 1 2 3 4; do expect_file "take $n rendered" "out/ep1/door.$n.wav"; done
expect_eq "each take render reads its own take" "$(take_key 4)" \
  "$(python3 -c 'import json; print(json.load(open("out/ep1/door.4.wav.json"))["provenance"]["gen_key"])')"
expect_contains "take renders leave the cue fresh" "1 fresh, 0 stale" "$(foley status)"
# The report shows every take, the picked one (take 3) first and marked.
expect_eq "the report lists the five takes, take 3 first and picked" "5 $(take_key 3) True 1" \
  "$(foley report --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
takes = [c for m in r["manifests"] for c in m["cues"] if c["cue"] == "ep1:door"][0]["takes"]
print(len(takes), takes[0]["gen_key"], takes[0]["picked"], sum(t["picked"] for t in takes))')"

# 9. ninja's clean tools never remove an object.
ninja -t clean >/dev/null 2>&1
ninja -t clean all_takes >/dev/null 2>&1
expect_eq "objects survive ninja -t clean" 5 "$(objects_in "$P")"
out=$(foley build 2>&1)
expect_eq "rebuild after clean generates nothing" 0 "$(cue_lines "$out" generated)"
# (its object links went with the clean: every take is found in the cache again, a line each)
expect_eq "the cue and its four other takes, all found in the cache" 5 "$(cue_lines "$out" cached)"
expect_eq "the cue delivered again" 1 "$(count_lines '^ep1:door  .*  out/ep1/door.wav$' "$out")"

# 10. A stale pick (the takes' inputs changed): reported, the render fails, the lock stays.
sed -i 's/^duration = 0.3/duration = 0.4/' manifests/ep1.toml
status=$(foley status)
expect_contains "status reports the stale pick" "no longer one of its 5 take(s)" "$status"
expect_contains "explain reports the stale pick" "no longer one of its 5 take(s)" "$(foley explain door)"
out=$(foley build 2>&1); rc=$?
expect_eq "a stale pick fails the build" 1 "$rc"
expect_contains "the build says why" "foley.lock picks take 3" "$out"
expect_eq "the new takes are still generated" 10 "$(objects_in "$P")"
if cmp -s foley.lock "$WORK/lock.before"; then pass; else fail "a stale pick was rewritten"; fi
foley pick door 1 >/dev/null
out=$(foley build 2>&1); rc=$?
expect_eq "picking again builds" 0 "$rc"
expect_eq "picking again generates nothing" 0 "$(cue_lines "$out" generated)"
foley pick door --clear >/dev/null
expect_not_contains "--clear removes the pick" "ep1:door" "$(cat foley.lock)"

# 10b. Fewer takes: the --all-takes files of the takes that are gone are
# removed by the next build (output hygiene); the others and every object stay.
grep -q '^takes = 5' manifests/ep1.toml || fail "the manifest should hold takes = 5 here"
foley build --all-takes >/dev/null 2>&1
for n in 0 1 2 3 4; do expect_file "take $n's file there" "out/ep1/door.$n.wav"; done
sed -i 's/^takes = 5/takes = 2/' manifests/ep1.toml
expect_contains "status lists the take files it would remove" "door.4.wav" "$(foley status --json)"
out=$(foley build 2>&1); rc=$?
expect_eq "fewer takes build" 0 "$rc"
for n in 2 3 4; do expect_no_file "take $n's file removed" "out/ep1/door.$n.wav"; done
for n in 0 1; do expect_file "take $n's file kept" "out/ep1/door.$n.wav"; done
expect_eq "objects stay" 10 "$(objects_in "$P")"
sed -i 's/^takes = 2/takes = 5/' manifests/ep1.toml

# 11. Bad takes are errors naming file, line and field (exit 2).
printf '[cue.door]\nprompt = "a door"\nduration = 0.3\ntakes = 0\n' > manifests/ep1.toml
out=$(foley plan 2>&1); rc=$?
expect_eq "takes = 0 exit code" 2 "$rc"
expect_contains "takes = 0 message" 'manifests/ep1.toml:4:9: cue "door": field "takes": must be ≥ 1' "$out"
printf '[cue.door]\nprompt = "a door"\nduration = 0.3\ntakes = 65\n' > manifests/ep1.toml
out=$(foley plan 2>&1); rc=$?
expect_eq "too many takes exit code" 2 "$rc"
expect_contains "the engine's bound" "at most 64" "$out"
printf '[cue.door]\nprompt = "a door"\nduration = 0.3\ntype = "silence"\nclip = 1.0\ntakes = 2\n' > manifests/ep1.toml
out=$(foley plan 2>&1)
expect_contains "takes on a silence cue" "only generated cues have takes" "$out"

# 12. Takes from the profile and [defaults]; `rank_model` must be a folder.
takes_of() {
  foley status --json | python3 -c "import json,sys; print([len(c['takes']) for c in json.load(sys.stdin)['cues'] if c['cue'] == 'ep1:$1'][0])"
}
printf '[defaults]\ntakes = 2\n[cue.door]\nprompt = "a door"\nduration = 0.3\n[cue.bell]\nprompt = "a bell"\nduration = 0.3\ntakes = 1\n' > manifests/ep1.toml
expect_eq "[defaults] takes" 2 "$(takes_of door)"
expect_eq "a cue's own takes win" 1 "$(takes_of bell)"
printf 'takes = 3\n' >> foley.toml
printf '[cue.door]\nprompt = "a door"\nduration = 0.3\n[cue.bell]\nprompt = "a bell"\nduration = 0.3\ntakes = 1\n' > manifests/ep1.toml
expect_eq "profile takes" 3 "$(takes_of door)"
expect_eq "a cue's takes win over its profile's" 1 "$(takes_of bell)"
sed -i 's/^takes = 3/takes = 65/' foley.toml
out=$(foley status 2>&1); rc=$?
expect_eq "too many profile takes exit code" 2 "$rc"
expect_contains "too many profile takes" 'field "engines.synth.takes"' "$out"
sed -i 's/^takes = 65/takes = 3/' foley.toml
printf 'rank_model = "no-such-clap"\n' >> foley.toml
out=$(foley status 2>&1)
expect_contains "a missing rank model is named" "CLAP folder \`no-such-clap\` does not exist" "$out"

# 13. ElevenLabs: N takes are N paid calls, priced before anything is spent.
SERVER="$FOLEY_SOURCE_DIR/tools/fake_elevenlabs/server.py"
A="$WORK/api"
mkdir -p "$A/manifests"
cd "$A"
export ELEVENLABS_API_KEY="sk-takes-test"
printf '%s' "$ELEVENLABS_API_KEY" > "$WORK/key"
python3 "$SERVER" --expect-key-file "$WORK/key" --log "$WORK/log.jsonl" --port-file "$WORK/port" \
  >"$WORK/server.out" 2>&1 &
SERVER_PID=$!
trap 'foley -C "$A" server stop >/dev/null 2>&1; kill $SERVER_PID 2>/dev/null; rm -rf "$WORK"' EXIT
wait_for_port "$WORK/port"
cat > foley.toml <<TOML
[project]
name = "api-takes"
default_engine = "sfx"
[engines.sfx]
engine = "elevenlabs"
base_url = "http://127.0.0.1:$(cat "$WORK/port")"
credits_per_second = 40
rank_model = "$FOLEY_SOURCE_DIR/tests/fixtures/tiny-clap/unfused"
TOML
printf '[cue.slam]\nprompt = "a door slams"\nduration = 1.0\ntakes = 3\n' > manifests/ep1.toml
status=$(foley status)
expect_contains "status prices three paid takes" "~120 credits (3 takes)" "$status"
expect_contains "status totals" "3 generation(s) to run, estimated 120 credits" "$status"
expect_eq "pricing calls nothing" 0 "$(fake_requests "$WORK/log.jsonl")"
out=$(foley build 2>&1); rc=$?
expect_eq "ElevenLabs takes build" 0 "$rc"
expect_eq "exactly three calls" 3 "$(fake_requests "$WORK/log.jsonl")"
expect_eq "three paid objects" 3 "$(objects_in "$A")"
# Ranked by the native CLAP model of rank_model (the tiny random-weight fixture):
# three scores, one rendered take, no call for the ranking.
ranked=$(foley takes slam --json)
expect_contains "the paid takes are ranked" "ranked by" "$(foley takes slam)"
expect_eq "each take has a score, one is rendered" "3 1" "$(printf '%s' "$ranked" | python3 -c '
import json, sys
t = json.load(sys.stdin)["takes"]
print(sum(r.get("score") is not None for r in t), sum(bool(r["rendered"]) for r in t))')"
out=$(foley build 2>&1)
expect_eq "a rebuild calls nothing" 3 "$(fake_requests "$WORK/log.jsonl")"
sed -i 's/^takes = 3/takes = 4/' manifests/ep1.toml
expect_contains "one more take priced" "~40 credits (1 takes)" "$(foley status)"
out=$(foley build 2>&1); rc=$?
expect_eq "four takes build" 0 "$rc"
expect_eq "exactly one more call" 4 "$(fake_requests "$WORK/log.jsonl")"
printf '[cue.slam]\nprompt = "a door slams"\nduration = 1.0\ntakes = 9\n' > manifests/ep1.toml
out=$(foley status 2>&1); rc=$?
expect_eq "nine paid takes refused" 2 "$rc"
expect_contains "the paid bound" "at most 8" "$out"
expect_eq "a refused plan calls nothing" 4 "$(fake_requests "$WORK/log.jsonl")"

finish
