#!/usr/bin/env bash
# Regenerates every fixture made by tools/golden (tiny models, goldens, randn, official configs).
# Usage: tools/golden/regenerate.sh            (creates tools/golden/.venv from requirements.txt if missing)
# The output is deterministic: on a clean checkout `git status tests/fixtures` shows no change afterwards.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$here/requirements.txt"
fi
py="$venv/bin/python"
cd "$here"
"$py" make_randn.py
"$py" make_tiny.py
"$py" dump_goldens.py --stages all
"$py" make_clap.py
"$py" make_timestep_table.py
"$py" make_scheduler_options.py
"$py" make_unet_per_block.py
"$py" make_takes_golden.py
"$py" write_official_configs.py
du -sh "$root/tests/fixtures/tiny-audioldm2" "$root/tests/fixtures/tiny-audioldm2-large" "$root/tests/fixtures/tiny-clap" \
       "$root/tests/fixtures/golden" "$root/tests/fixtures/randn" "$root/tests/fixtures/configs"
du -ch "$root/tests/fixtures/tiny-audioldm2" "$root/tests/fixtures/tiny-audioldm2-large" "$root/tests/fixtures/tiny-clap" \
       "$root/tests/fixtures/golden" "$root/tests/fixtures/randn" "$root/tests/fixtures/configs" | tail -1
