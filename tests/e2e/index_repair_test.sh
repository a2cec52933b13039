#!/usr/bin/env bash
# The index is a cache of facts, not their only copy: every object carries its
# record (cache/meta/), so a truncated, emptied or deleted index is rebuilt by
# `foley cache repair` with provenance and pins, and status and ninja agree again.
. "$(dirname "$0")/lib.sh"

P=$(new_project repair)
cd "$P"
foley build >/dev/null 2>&1; expect_eq "first build" 0 "$?"
objects=$(objects_in "$P")
expect_eq "every object has its record" "$objects" "$(find cache/meta -name '*.json' | wc -l | tr -d ' ')"
foley cache pin door_creak >/dev/null
key=$(foley cache show door_creak | python3 -c 'import json,sys; print(json.load(sys.stdin)["gen_key"])')
expect_contains "the pin reaches the record" '"pinned": true' "$(cat cache/meta/${key:0:2}/$key.json)"

# 1. Truncated to half: the next command moves it aside and rebuilds it from
# the records by itself, with a warning; no "malformed" dead end.
size=$(stat -c %s cache/index.sqlite)
truncate -s $((size / 2)) cache/index.sqlite
out=$(foley status 2>&1); rc=$?
expect_eq "status does not dead-end on a damaged index" 0 "$rc"
expect_contains "it warns that the index was damaged" "was damaged" "$out"
expect_contains "and says where the damaged file went" "index.sqlite.damaged-" "$out"
expect_contains "and what was recovered" "$objects adopted from their records" "$out"
expect_eq "the damaged file is kept" 1 "$(ls cache | grep -c 'index.sqlite.damaged-[0-9]*$')"
expect_contains "the pin is back" '"pinned": true' "$(foley cache show door_creak)"
expect_contains "the provenance is back" '"prompt": "an old wooden door creaks open slowly"' "$(foley cache show door_creak)"
expect_contains "stats count the objects" "Objects:                  $objects" "$(foley cache stats)"
# The cue history lives in the delivered files' sidecars: repair brings it back.
out=$(foley cache repair 2>&1); rc=$?
expect_eq "repair after the automatic rebuild" 0 "$rc"
expect_contains "repair finds every object already known" "$objects known to the index" "$out"
foley status -q; expect_eq "status -q after repair" 0 "$?"
expect_contains "ninja agrees" "no work to do" "$(ninja 2>&1)"

# 1b. `foley cache repair` on a damaged index moves it aside itself and reports.
size=$(stat -c %s cache/index.sqlite)
truncate -s $((size / 2)) cache/index.sqlite
out=$(foley cache repair 2>&1); rc=$?
expect_eq "repair of a truncated index" 0 "$rc"
expect_contains "repair moved the damaged index aside" "index.sqlite.damaged-" "$out"
expect_contains "repair adopted every object from its record" "$objects adopted from their records" "$out"
foley status -q; expect_eq "status -q after repair" 0 "$?"

# 2. Deleted: the same from nothing.
rm -f cache/index.sqlite*
out=$(foley cache repair 2>&1); expect_eq "repair of a deleted index" 0 "$?"
expect_contains "all adopted" "$objects adopted from their records" "$out"
foley status -q; expect_eq "status -q after rebuilding a deleted index" 0 "$?"
expect_contains "stats count the objects" "Objects:                  $objects" "$(foley cache stats)"

# 3. An object without a record (from an older foley) is adopted pinned.
rm -f cache/index.sqlite* "cache/meta/${key:0:2}/$key.json"
out=$(foley cache repair 2>&1)
expect_contains "an object without record is adopted from its bytes" "1 from their bytes alone" "$out"
expect_contains "and pinned" '"pinned": true' "$(foley cache show "$key")"

# 4. A record that does not match its object's bytes: not adopted, reported.
other=$(find cache/objects -name '*.wav' ! -name "$key.wav" | head -1)
printf 'XXXX' | dd of="$other" bs=1 seek=100 conv=notrunc 2>/dev/null
rm -f cache/index.sqlite*
out=$(foley cache repair 2>&1); rc=$?
expect_eq "a damaged object makes repair exit 1" 1 "$rc"
expect_contains "it is named" "damaged, not adopted: $(basename "$other")" "$out"
finish
