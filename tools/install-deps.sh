#!/usr/bin/env bash
# Installs every Debian package foley needs to build and test. Idempotent: only
# missing packages are installed, so a second run is a no-op that asks nothing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev libomp-dev # libFuzzer targets (the tensor ops use OpenMP)
  libtomlplusplus-dev libcli11-dev libsqlite3-dev sqlite3 libxxhash-dev
  libcurl4-openssl-dev nlohmann-json3-dev
  libsndfile1-dev libmpg123-dev libsoxr-dev libebur128-dev
  libsentencepiece-dev libutf8proc-dev libopenblas-dev libdnnl-dev
  libjemalloc-dev                     # the `foley` CLI's allocator (planning allocates per cue)
  catch2 sox python3                  # sox: the demo's exec generator; python3: the fake API server in tests
  nginx                               # the team cache's tests: a WebDAV (PUT) server the tests start on loopback
  xxhash                              # xxhsum: the team cache's tests forge a record that matches its bytes
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
