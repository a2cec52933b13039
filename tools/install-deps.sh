#!/usr/bin/env bash
# Installs every Debian package foley needs to build and test. Idempotent: only
# missing packages are installed, so a second run is a no-op that asks nothing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev libomp-dev # libFuzzer targets (the tensor ops use OpenMP)
  libtomlplusplus-dev libcli11-dev libsqlite3-dev sqlite3 libxxhash-dev
  libcurl4-openssl-dev nlohmann-json3-dev
  libssl-dev                          # libcrypto: S3 payload hashes, the farm's HMAC handshake
  libsndfile1-dev libmpg123-dev libogg-dev libsoxr-dev libebur128-dev
  libsentencepiece-dev libutf8proc-dev libopenblas-dev libdnnl-dev
  libjemalloc-dev                     # the `foley` CLI's allocator (planning allocates per cue)
  libkissfft-dev libpng-dev           # `foley report`: spectrograms (FFT) and their PNG files
  catch2 sox python3                  # sox: the demo's exec generator; python3: the fake API server in tests
  python3-venv                        # the pinned tools some tests install from PyPI (rclone for the S3 test)
  nginx                               # the team cache's tests: a WebDAV (PUT) server the tests start on loopback
  ffmpeg                              # ffmpeg/ffprobe: an independent loudness meter and decoder in the delivery tests
  chromium                            # the report's page is tested in headless Chromium (tests/e2e/report_test.sh)
  procps                              # pgrep in the e2e tests
  # The farm's tests start a one-machine Slurm cluster (tests/e2e/slurm_lib.sh);
  # installing must start no daemon (see below).
  slurmctld slurmd slurm-client slurm-wlm-basic-plugins munge
  xxhash                              # xxhsum: the team cache's tests forge a record that matches its bytes
  openssl                             # the team cache's tests: htpasswd entries, and a CA and certificate for HTTPS
)
# Services these packages would start on install: the tests start their own, on
# loopback, with a temporary configuration.
daemons=(munge slurmctld slurmd)

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
# invoke-rc.d and deb-systemd-invoke ask policy-rc.d before starting a service;
# exit 101 forbids it. A policy already there (a container's) is left alone.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  trap '$SUDO rm -f "$policy"' EXIT
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Under systemd the units are still enabled for the next boot: disable those
# just installed, so that no Slurm daemon with the packaged configuration runs.
if [ -d /run/systemd/system ]; then
  for d in "${daemons[@]}"; do
    case " ${missing[*]} " in *" $d "*) $SUDO systemctl disable --now "$d" >/dev/null 2>&1 || true ;; esac
  done
fi
