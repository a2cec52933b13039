#!/usr/bin/env bash
# `foley report` end to end: a small project of sox-made cues is built, its
# report is loaded from a file:// URL in headless Chromium (Debian's, driven
# over the DevTools pipe by cdp_page.py): no console error, no request that is
# not a local file, one player per delivered file with the file's duration,
# every picture loaded at its declared size, filters that hide rows, and a
# screenshot kept as an artifact. Then one prompt edit: exactly one new
# spectrogram. The JSON export carries the same rows.
. "$(dirname "$0")/lib.sh"

CHROMIUM=$(command -v chromium || true)
ARTIFACTS="$FOLEY_BIN_DIR/../test-artifacts/report"
mkdir -p "$ARTIFACTS"

P="$WORK/report"
mkdir -p "$P/manifests" "$P/assets"
cd "$P"
cat > foley.toml <<'TOML'
[project]
name = "report-e2e"
cache_dir = "cache"
output_dir = "out"
default_engine = "synth"

[render]
sample_rate = 16000
bit_depth = 16
format = "wav"
channels = 1

[engines.synth]
engine = "exec"
command = ["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", "--comment", "{prompt}", "{out}",
           "synth", "{duration}", "sine", "{seed}", "fade", "0.01", "{duration}", "0.2"]
TOML
cat > manifests/sfx.toml <<'TOML'
[defaults]
category = "sfx"

[cue.beep]
prompt = "a short beep"
duration = 1.0
seed = 440
tags = ["ui"]

[cue.hum]
prompt = "a low hum"
duration = 2.0
seed = 120
loudness = -23.0
format = "flac"

[cue.gap]
type = "silence"
clip = 0.5

[cue.knock]
type = "source"
source = "assets/knock.wav"
TOML
cat > manifests/amb.toml <<'TOML'
[defaults]
category = "ambience"

[cue.whine]
prompt = "a high whine"
duration = 1.5
seed = 3000
tags = ["ui", "night"]
TOML
sox -n -r 22050 -c 2 -b 16 assets/knock.wav synth 0.7 square 200 fade 0 0.7 0.5

out=$(foley build 2>&1); rc=$?
expect_eq "build" 0 "$rc"
[ "$rc" -eq 0 ] || echo "$out" >&2

# 1. The page and its pictures: 4 objects/files pictured, nothing reused yet.
out=$(foley report 2>&1); rc=$?
expect_eq "report exit" 0 "$rc"
expect_contains "report summary line" "5 cue(s), 0 stale; 5 sound(s) pictured, 0 reused" "$out"
expect_file "page" out/report/index.html
expect_eq "spectrograms" 5 "$(ls out/report/img/*-spectrogram-v*.png | wc -l | tr -d ' ')"

# 2. In a real browser, from a file:// URL.
delivered=$(find out -type f \( -name '*.wav' -o -name '*.flac' \) ! -path 'out/report/*' | sort)
if [ -z "$CHROMIUM" ]; then
  fail "chromium is not installed (tools/install-deps.sh installs it)"
else
  start=$(date +%s.%N)
  page=$(python3 "$FOLEY_SOURCE_DIR/tests/e2e/cdp_page.py" "file://$P/out/report/index.html" \
         --script "$FOLEY_SOURCE_DIR/tests/e2e/report_page_check.js" --screenshot "$ARTIFACTS/screenshot.png"); rc=$?
  echo "chromium check took $(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo '?') s"
  expect_eq "page driven" 0 "$rc"
  printf '%s\n' "$page" > "$ARTIFACTS/page.json"
  expect_file "screenshot artifact" "$ARTIFACTS/screenshot.png"
  expect_eq "screenshot is a PNG" "PNG" "$(head -c 4 "$ARTIFACTS/screenshot.png" | tail -c 3)"
  # query PYTHON_EXPR — evaluates an expression over the page's JSON (bound to d).
  query() { printf '%s' "$page" | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
  expect_eq "no console error" "[]" "$(query 'd["console_errors"]')"
  expect_eq "no request but local files" "[]" \
    "$(query '[u for u in d["requests"] if not (u.startswith("file://") or u.startswith("data:"))]')"
  expect_eq "the page asked for its sounds" "$(printf '%s\n' "$delivered" | wc -l | tr -d ' ')" \
    "$(query 'len([u for u in d["requests"] if u.endswith((".wav", ".flac"))])')"
  expect_eq "one row per cue" 5 "$(query 'len(d["result"]["rows"])')"
  # One player per delivered file, each as long as the file.
  expect_eq "players = delivered files" "$(printf '%s\n' "$delivered" | sed "s|^|$P/|")" \
    "$(query '"\n".join(sorted(p["src"] for p in d["result"]["players"]))')"
  expect_eq "no player error" "[]" "$(query '[p for p in d["result"]["players"] if p["error"]]')"
  for f in $delivered; do
    want=$(soxi -D "$f")
    got=$(query "[p['duration'] for p in d['result']['players'] if p['src'] == '$P/$f'][0]")
    expect_eq "duration of $f (file $want s, player $got s)" "ok" \
      "$(python3 -c "print('ok' if abs($want - $got) < 0.01 else 'off')")"
  done
  # Every picture loaded, at the size the page declares.
  expect_eq "pictures on the page" 10 "$(query 'len(d["result"]["images"])')"
  expect_eq "every picture loaded at its size" "[]" \
    "$(query '[i["src"] for i in d["result"]["images"] if not i["complete"] or i["natural"] != i["declared"] or i["natural"][0] == 0]')"
  # The filters hide rows.
  f() { query "d['result']['filters']['$1']"; }
  expect_eq "manifest filter" "['cue-sfx:beep', 'cue-sfx:gap', 'cue-sfx:hum', 'cue-sfx:knock']" "$(f manifest_sfx)"
  expect_eq "manifest filter back to all" 5 "$(query 'len(d["result"]["filters"]["manifest_all"])')"
  expect_eq "category filter" "['cue-amb:whine']" "$(f category_ambience)"
  expect_eq "tag filter" "['cue-amb:whine', 'cue-sfx:beep']" "$(f tag_ui)"
  expect_eq "status filter (all fresh)" "[]" "$(f status_stale)"
fi

# 3. The JSON export carries the same data.
json=$(foley report --json); rc=$?
expect_eq "json exit" 0 "$rc"
jq_py() { printf '%s' "$json" | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
expect_eq "json cues" 5 "$(jq_py 'sum(len(m["cues"]) for m in d["manifests"])')"
expect_eq "json hum loudness" "-23.0" "$(jq_py '[round(c["delivered"]["integrated_lufs"], 1) for m in d["manifests"] for c in m["cues"] if c["id"] == "hum"][0]')"
expect_eq "json one picked take per generated cue" "[1, 1, 1]" \
  "$(jq_py '[sum(t["picked"] for t in c["takes"]) for m in d["manifests"] for c in m["cues"] if c["type"] == "generated"]')"

# 4. --open hands the page to the desktop's opener (a stand-in here); without one it fails, the page written.
mkdir -p "$WORK/bin"
printf '#!/bin/sh\necho "$1" > "%s/opened"\n' "$WORK" > "$WORK/bin/xdg-open"
chmod +x "$WORK/bin/xdg-open"
PATH="$WORK/bin:$PATH" foley report --open -o "$WORK/elsewhere" >/dev/null 2>&1; rc=$?
expect_eq "report --open" 0 "$rc"
expect_eq "the opener got the page" "$WORK/elsewhere/index.html" "$(cat "$WORK/opened" 2>/dev/null)"
expect_contains "-o elsewhere links the delivered files back" "src=\"../report/out/sfx/beep.wav\"" \
  "$(cat "$WORK/elsewhere/index.html")"
printf '#!/bin/sh\nexit 3\n' > "$WORK/bin/xdg-open"
out=$(PATH="$WORK/bin:$PATH" foley report --open 2>&1); rc=$?
expect_eq "a failing opener" 1 "$rc"
expect_contains "says so" "could not open" "$out"

# 5. One prompt edit: the report shows it stale with the pictures of its last
#    build, then after a build exactly one spectrogram is drawn (the new
#    object's), the old one removed, the rest untouched.
before=$(ls out/report/img/ | sort)
old_beep_key=$(foley report --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print([c for m in d["manifests"] for c in m["cues"] if c["id"] == "beep"][0]["takes"][0]["gen_key"])')
touch -d '2001-01-01' out/report/img/*.png
sed -i 's/a short beep/a longer beep/' manifests/sfx.toml
out=$(foley report 2>&1)
# Its new object is not made yet: it keeps the pictures of the take it last
# delivered (that object is still in the cache), marked stale.
expect_contains "stale before the build" "5 cue(s), 1 stale; 0 sound(s) pictured, 5 reused, 0 old picture(s) removed" "$out"
page=$(cat out/report/index.html)
expect_contains "stale reason in the page" "changed: prompt" "$page"
beep_row=$(printf '%s\n' "$page" | grep 'id="cue-sfx:beep"')
expect_contains "the stale row says its pictures are old" "pictures of the last build (stale)" "$beep_row"
expect_contains "the stale row shows the old take's spectrogram" "class=\"spectrogram stale\" src=\"img/$old_beep_key-spectrogram-v1.png\"" "$beep_row"
expect_contains "and its waveform" "class=\"waveform stale\" src=\"img/$old_beep_key-waveform-v1.png\"" "$beep_row"
expect_contains "it still plays the file delivered before" 'src="../sfx/beep.wav"' "$beep_row"
expect_eq "the JSON export names the last built take" "$old_beep_key True" \
  "$(foley report --json | python3 -c 'import json,sys; d=json.load(sys.stdin); c=[c for m in d["manifests"] for c in m["cues"] if c["id"] == "beep"][0]; print(c["last_built"]["gen_key"], c["last_built"]["present"])')"
foley build >/dev/null 2>&1
out=$(foley report 2>&1)
expect_contains "one sound pictured again, the old pictures removed" "5 cue(s), 0 stale; 1 sound(s) pictured, 4 reused, 2 old picture(s) removed" "$out"
expect_not_contains "no stale pictures once built" "pictures of the last build" "$(cat out/report/index.html)"
after=$(ls out/report/img/ | sort)
expect_eq "exactly one new spectrogram" 1 "$(comm -13 <(echo "$before") <(echo "$after") | grep -c -- '-spectrogram-')"
expect_eq "exactly one spectrogram gone" 1 "$(comm -23 <(echo "$before") <(echo "$after") | grep -c -- '-spectrogram-')"
expect_eq "the others untouched" 8 "$(find out/report/img -name '*.png' ! -newermt '2002-01-01' | wc -l | tr -d ' ')"

finish
