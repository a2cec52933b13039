#!/usr/bin/env bash
# A secret in the environment never reaches build.ninja, specs, the index,
# the outputs' metadata or the logs.
. "$(dirname "$0")/lib.sh"

P=$(new_project secrets)
cd "$P"
SECRET="sk-planted-$(date +%s%N)-secret"
export ELEVENLABS_API_KEY="$SECRET"
export FOLEY_TEST_TOKEN="$SECRET"
out=$(foley build 2>&1); rc=$?
expect_eq "build" 0 "$rc"
out="$out$(foley status 2>&1)$(foley cache stats 2>&1)$(foley cache ls 2>&1)$(foley explain door_creak 2>&1)"
expect_not_contains "logs" "$SECRET" "$out"
hits=$(grep -r -l -a -- "$SECRET" . 2>/dev/null | tr '\n' ' ')
expect_eq "files holding the secret" "" "$hits"
finish
