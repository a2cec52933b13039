#!/usr/bin/env bash
# Delivery end to end with the real ninja and sox-generated cues: loudness
# presets checked by an independent meter (ffmpeg's ebur128 filter), loops
# with their smpl points read back by another reader (a RIFF walk in Python),
# padding said by `foley status`, and delivery changes that re-render only.
. "$(dirname "$0")/lib.sh"

if ! command -v ffmpeg >/dev/null; then
  fail "ffmpeg is missing: tools/install-deps.sh installs it"
  finish; exit
fi

P="$WORK/delivery"
mkdir -p "$P/manifests"
cd "$P"
cat > foley.toml <<'TOML'
[project]
name = "delivery"
default_engine = "noise"

[render]
sample_rate = 48000
bit_depth = 24

[engines.noise]
engine = "exec"
command = ["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", "{out}", "synth", "{duration}", "pinknoise",
           "vol", "0.1"]

[engines.pluck]
engine = "exec"
command = ["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", "{out}", "synth", "{duration}", "pluck", "{seed}"]
TOML
cat > manifests/mix.toml <<'TOML'
[cue.pod]
prompt = "room tone"
duration = 4.0
loudness = "podcast"

[cue.tv]
engine = "pluck"
prompt = "a plucked string"
duration = 3.0
seed = 262
loudness = "ebu-r128"

[cue.web]
engine = "pluck"
prompt = "a plucked string, loud"
duration = 3.0
seed = 330
loudness = "streaming"

[cue.hit]
engine = "pluck"
prompt = "a short pluck"
duration = 0.3
seed = 440
clip = 1.0
loudness = "game-sfx"

[cue.bed]
prompt = "a noise bed"
duration = 3.0
loop = true
clip = 10.0
TOML
cat > manifests/web.toml <<'TOML'
[defaults]
engine = "pluck"
duration = 2.0
clip = 2.5
loudness = "streaming"

[cue.ping_mp3]
prompt = "a ping for the web"
seed = 523
format = "mp3"
bitrate = 128
sample_rate = 44100

[cue.ping_ogg]
prompt = "a ping for the game"
seed = 523
format = "ogg"
quality = 5

[cue.ping_opus]
prompt = "a ping for the app"
seed = 523
format = "opus"
bitrate = 64
TOML

out=$(foley build 2>&1); rc=$?
expect_eq "first build" 0 "$rc"
[ "$rc" = 0 ] || echo "$out" >&2

# ebur128 VALUE FILE: a value of ffmpeg's ebur128 summary (I, LRA, Peak), or
# "M" for the loudest momentary loudness of its 100 ms log.
ebur128() {
  local log
  log=$(ffmpeg -nostats -hide_banner -loglevel verbose -i "$2" -af ebur128=peak=true -f null - 2>&1)
  if [ "$1" = M ]; then
    printf '%s\n' "$log" | sed -n 's/.* M: *\(-\{0,1\}[0-9.]*\) S:.*/\1/p' | sort -g | tail -1
  else
    printf '%s\n' "$log" | sed -n "s/^ *$1: *\(-\{0,1\}[0-9.]*\) .*/\1/p" | tail -1
  fi
}
# within WHAT TARGET VALUE TOLERANCE
within() {
  echo "measured $1: $3 (want $2 ± $4)"
  if awk -v t="$2" -v v="$3" -v d="$4" 'BEGIN { exit !(v >= t - d && v <= t + d) }'; then pass
  else fail "$1: $3 is not within $4 of $2"; fi
}
below() {
  echo "measured $1: $3 (want < $2)"
  if awk -v c="$2" -v v="$3" 'BEGIN { exit !(v != "" && v < c) }'; then pass; else fail "$1: '$3' is not below $2"; fi
}

# 1. Every preset, measured by ffmpeg: within 0.5 LU, true peak under -1 dBTP.
for spec in "pod I -16" "tv I -23" "web I -14" "hit M -18"; do
  set -- $spec
  f="out/mix/$1.wav"
  expect_file "$1 rendered" "$f"
  within "$1 loudness ($2) by ffmpeg" "$3" "$(ebur128 "$2" "$f")" 0.5
  below "$1 true peak by ffmpeg" -1.0 "$(ebur128 Peak "$f")"
done
# The loud pluck needed the limiter to reach -14 LUFS under the ceiling.
limited=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["limiter_reduction_db"] > 0)' out/mix/web.wav.json)
expect_eq "streaming pluck went through the limiter" True "$limited"

# 2. status --json shows what was measured; status says which one-shot was padded.
status=$(foley status --json)
python3 - "$status" <<'PY' && pass || fail "status --json lacks the delivered measurements"
import json, sys
cues = {c["cue"]: c for c in json.loads(sys.argv[1])["cues"]}
pod = cues["mix:pod"]["delivered"]
assert abs(pod["integrated_lufs"] + 16) < 0.5, pod
assert pod["true_peak_dbtp"] <= -1.0, pod
assert "loudness_range_lu" in pod, pod
assert cues["mix:hit"]["delivered"]["padded_seconds"] > 0.6, cues["mix:hit"]
assert cues["mix:bed"]["delivered"]["loop"]["end"] > 0, cues["mix:bed"]
PY
expect_contains "status says the one-shot was padded" "mix:hit: padded with 0.70 s of silence" "$(foley status)"

# 3. The loop: one body repeated to ~10 s, smpl loop points read by a RIFF
# walk in Python, its length by Python's wave module and by sox, and a wrap from the last frame to the first no bigger
# than the body's own sample-to-sample steps.
python3 - out/mix/bed.wav <<'PY' && pass || fail "loop points or seam of bed.wav"
import struct, sys, wave
path = sys.argv[1]
data = open(path, "rb").read()
assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
chunks, at = {}, 12
while at + 8 <= len(data):
    name, size = struct.unpack_from("<4sI", data, at)
    chunks[name] = data[at + 8:at + 8 + size]
    at += 8 + size + (size & 1)
assert b"smpl" in chunks, "no smpl chunk in " + str(list(chunks))
smpl = chunks[b"smpl"]
loops = struct.unpack_from("<I", smpl, 28)[0]
ident, kind, start, end = struct.unpack_from("<IIII", smpl, 36)
w = wave.open(path)
frames = w.getnframes()
assert loops == 1 and kind == 0 and start == 0 and end == frames - 1, (loops, kind, start, end, frames)
assert 10 * 48000 - 4 < frames <= 10 * 48000, frames
raw = w.readframes(frames)
x = [int.from_bytes(raw[i:i + 3], "little", signed=True) for i in range(0, len(raw), 3)]
body = max(abs(x[i + 1] - x[i]) for i in range(len(x) - 1))
assert abs(x[0] - x[-1]) <= body, (x[0], x[-1], body)
PY
# sox reads the loop as one file of the expected length.
expect_eq "sox sees the loop's length" "$(python3 -c 'import wave; print(wave.open("out/mix/bed.wav").getnframes())')" \
  "$(sox --i -s out/mix/bed.wav)"

# 4. MP3, Ogg Vorbis and Opus: ffmpeg decodes each at the clip's length, and
# ffprobe reads the provenance from the ID3 / Vorbis comment tags.
for f in out/web/ping_mp3.mp3 out/web/ping_ogg.ogg out/web/ping_opus.opus; do
  expect_file "lossy render" "$f"
  bytes=$(ffmpeg -nostats -hide_banner -i "$f" -ac 1 -ar 48000 -f s16le - 2>/dev/null | wc -c)
  decoded=$(awk -v b="$bytes" 'BEGIN { print b / 2 / 48000 }')
  within "$f decoded length by ffmpeg" 2.5 "$decoded" 0.06
  tags=$(ffprobe -v error -show_entries format_tags:stream_tags -of default=nw=1 "$f")
  expect_contains "$f title tag" "a ping for the" "$(printf '%s' "$tags" | tr 'A-Z' 'a-z')"
  expect_contains "$f provenance comment" "gen_key=" "$tags"
  within "$f loudness by ffmpeg" -14 "$(ebur128 I "$f")" 0.5
done
expect_eq "ffprobe sees the mp3 at 44.1 kHz" 44100 \
  "$(ffprobe -v error -show_entries stream=sample_rate -of default=nw=1:nk=1 out/web/ping_mp3.mp3)"

# 5. BWF: ffprobe reads the bext chunk (description = prompt, originator =
# foley, origination date, coding history); the iXML chunk, found by a RIFF
# walk, parses as XML with the project, scene, take, note and keys.
bext=$(ffprobe -v error -show_entries format_tags -of default=nw=1 out/mix/tv.wav)
expect_contains "bext description" "TAG:comment=a plucked string" "$bext"
expect_contains "bext originator" "TAG:encoded_by=foley" "$bext"
expect_contains "bext origination date" "TAG:date=$(date -u +%Y-)" "$bext"
expect_contains "bext coding history" "TAG:coding_history=A=PCM,F=48000,W=24,M=mono,T=foley" "$bext"
gen_key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["provenance"]["gen_key"])' out/mix/tv.wav.json)
python3 - out/mix/tv.wav "$gen_key" <<'PY' && pass || fail "iXML chunk of tv.wav"
import struct, sys, xml.etree.ElementTree as ET
data = open(sys.argv[1], "rb").read()
chunks, at = {}, 12
while at + 8 <= len(data):
    name, size = struct.unpack_from("<4sI", data, at)
    chunks[name] = data[at + 8:at + 8 + size]
    at += 8 + size + (size & 1)
root = ET.fromstring(chunks[b"iXML"].rstrip(b"\0"))
assert root.tag == "BWFXML", root.tag
values = {e.tag: e.text for e in root}
assert values["PROJECT"] == "delivery" and values["SCENE"] == "mix" and values["TAKE"] == "1", values
assert values["NOTE"] == "a plucked string", values
assert root.find("FOLEY/GEN_KEY").text == sys.argv[2], ET.tostring(root)
assert "gen_key=" + sys.argv[2] in values["USER"], values
PY

# 6. Delivery changes re-render only: a preset, a ceiling, the loop flag.
objects=$(objects_in "$P")
sed -i 's/loudness = "podcast"/loudness = "ebu-r128"/' manifests/mix.toml
sed -i 's/^loop = true/loop = false/' manifests/mix.toml
sed -i 's/^format = "ogg"/format = "flac"/; s/^quality = 5//' manifests/web.toml
# status lists the render the new format orphans; build removes it (and its sidecar).
expect_contains "status lists what build would remove" "would remove $P/out/web/ping_ogg.ogg" "$(foley status)"
expect_contains "status --json lists it too" "out/web/ping_ogg.ogg" \
  "$(foley status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["would_remove"])')"
out=$(foley build 2>&1); rc=$?
expect_contains "build says what it removed" "removed $P/out/web/ping_ogg.ogg" "$out"
expect_no_file "the old format is gone" out/web/ping_ogg.ogg
expect_no_file "its sidecar too" out/web/ping_ogg.ogg.json
expect_eq "rebuild after delivery changes" 0 "$rc"
expect_eq "no generation for delivery changes" 0 "$(cue_lines "$out" generated)"
expect_eq "three renders" 3 "$(cue_lines "$out" rendered)"
expect_file "the new format" out/web/ping_ogg.flac
expect_eq "no new object" "$objects" "$(objects_in "$P")"
within "pod now at -23 by ffmpeg" -23 "$(ebur128 I out/mix/pod.wav)" 0.5
expect_contains "bed is a one-shot now" '"loop": null' "$(cat out/mix/bed.wav.json)"

# 7. A renamed cue leaves no orphan; the cache keeps every object.
sed -i 's/^\[cue.ping_mp3\]/[cue.chime_mp3]/' manifests/web.toml
out=$(foley build 2>&1); rc=$?
expect_eq "build after a rename" 0 "$rc"
expect_file "the renamed cue's render" out/web/chime_mp3.mp3
expect_no_file "no orphan of the old name" out/web/ping_mp3.mp3
expect_no_file "no orphan sidecar" out/web/ping_mp3.mp3.json
expect_eq "no generation for a rename" 0 "$(cue_lines "$out" generated)"
expect_eq "objects kept" "$objects" "$(objects_in "$P")"
expect_eq "out/ holds exactly the planned renders and their sidecars" \
  "chime_mp3.mp3 chime_mp3.mp3.json ping_ogg.flac ping_ogg.flac.json ping_opus.opus ping_opus.opus.json" \
  "$(ls out/web | tr '\n' ' ' | sed 's/ $//')"
expect_not_contains "nothing left to remove" "would remove" "$(foley status)"

# 8. Loops outside WAV: FLAC, Ogg Vorbis and Ogg Opus carry LOOPSTART / LOOPLENGTH
# Vorbis comments, read back by ffprobe; the loop spans the whole file.
cat > manifests/loops.toml <<'TOML'
[defaults]
engine = "noise"
prompt = "a noise bed"
duration = 3.0
loop = true
clip = 6.0
category = "ambience"

[cue.bed_flac]
format = "flac"

[cue.bed_ogg]
format = "ogg"

[cue.bed_opus]
format = "opus"
TOML
out=$(foley build 2>&1); rc=$?
expect_eq "build with the lossy and FLAC loops" 0 "$rc"
for f in out/loops/bed_flac.flac out/loops/bed_ogg.ogg out/loops/bed_opus.opus; do
  expect_file "loop render" "$f"
  tags=$(ffprobe -v error -show_entries format_tags:stream_tags -of default=nw=1 "$f" | tr 'a-z' 'A-Z')
  length=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["loop"]["end"] + 1)' "$f.json")
  expect_contains "$f LOOPSTART read by ffprobe" "TAG:LOOPSTART=0" "$tags"
  expect_contains "$f LOOPLENGTH read by ffprobe" "TAG:LOOPLENGTH=$length" "$tags"
  expect_contains "$f keeps its provenance comment" "GEN_KEY=" "$tags"
done
expect_eq "the FLAC loop is the whole file (ffprobe's frame count)" \
  "$(ffprobe -v error -show_entries stream=duration_ts -of default=nw=1:nk=1 out/loops/bed_flac.flac)" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["loop"]["end"] + 1)' out/loops/bed_flac.flac.json)"

# 9. UCS: categories from the UCS list, and naming = "ucs" re-renders under
# CatID_FXName_CreatorID_SourceID without generating; the old names are removed.
cat > manifests/lib.toml <<'TOML'
[defaults]
engine = "pluck"
duration = 1.0
naming = "cue"

[cue.door_slam]
prompt = "a wooden door slams"
seed = 392
category = "doors-wood"

[cue.cloth]
prompt = "cloth rustle"
seed = 494
category = "Foley"
TOML
out=$(foley build 2>&1); rc=$?
expect_eq "UCS categories accepted" 0 "$rc"
[ "$rc" = 0 ] || echo "$out" >&2
expect_file "named by id first" out/lib/door_slam.wav
objects=$(objects_in "$P")
sed -i 's/^naming = "cue"/naming = "ucs"\ncreator_id = "JD"\nsource_id = "EP1"/' manifests/lib.toml
expect_contains "status lists the files the new names replace" "would remove $P/out/lib/door_slam.wav" "$(foley status)"
out=$(foley build 2>&1); rc=$?
expect_eq "build after naming = ucs" 0 "$rc"
[ "$rc" = 0 ] || echo "$out" >&2
expect_eq "no generation for a naming change" 0 "$(cue_lines "$out" generated)"
expect_eq "two renders for a naming change" 2 "$(cue_lines "$out" rendered)"
expect_eq "no new object" "$objects" "$(objects_in "$P")"
expect_file "the UCS name" "out/lib/DOORWood_door slam_JD_EP1.wav"
expect_file "a category alone names its MISC CatID" "out/lib/FOLYMisc_cloth_JD_EP1.wav"
expect_no_file "the old name is removed" out/lib/door_slam.wav
expect_no_file "its sidecar too" out/lib/door_slam.wav.json
expect_eq "out/lib holds exactly the UCS-named renders and their sidecars" \
  "DOORWood_door slam_JD_EP1.wav|DOORWood_door slam_JD_EP1.wav.json|FOLYMisc_cloth_JD_EP1.wav|FOLYMisc_cloth_JD_EP1.wav.json" \
  "$(ls out/lib | tr '\n' '|' | sed 's/|$//')"
bext=$(ffprobe -v error -show_entries format_tags -of default=nw=1 "out/lib/DOORWood_door slam_JD_EP1.wav")
expect_contains "bext originator is the CreatorID" "TAG:encoded_by=JD" "$bext"
python3 - "out/lib/DOORWood_door slam_JD_EP1.wav" <<'PY' && pass || fail "UCS fields in the iXML of the UCS-named file"
import struct, sys, xml.etree.ElementTree as ET
data = open(sys.argv[1], "rb").read()
chunks, at = {}, 12
while at + 8 <= len(data):
    name, size = struct.unpack_from("<4sI", data, at)
    chunks[name] = data[at + 8:at + 8 + size]
    at += 8 + size + (size & 1)
user = ET.fromstring(chunks[b"iXML"].rstrip(b"\0")).find("USER")
values = {e.tag: e.text for e in user}
assert values == {"CATID": "DOORWood", "CATEGORY": "DOORS", "SUBCATEGORY": "WOOD", "CATEGORYFULL": "DOORS-WOOD",
                  "FXNAME": "door slam", "CREATORID": "JD", "SOURCEID": "EP1"}, values
assert "gen_key=" in user.text, user.text
PY
out=$(foley build 2>&1)
expect_eq "a second build renders nothing" 0 "$(cue_lines "$out")"

finish
