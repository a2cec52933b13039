#!/usr/bin/env bash
# FFT libraries for the report's spectrograms: FFTW (single precision) beside
# KissFFT on one image's work (600 windowed 1024-point real FFTs).
# Needs libfftw3-dev and libkissfft-dev (installed here when missing).
# Usage: tools/bench/fft/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
missing=()
for p in libfftw3-dev libkissfft-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/foley-fft-bench-XXXXXX")"
trap 'rm -rf "$work"' EXIT
g++ -std=c++20 -O2 "$here/fft_bench.cc" -o "$work/fft_bench" $(pkg-config --cflags --libs fftw3f kissfft-float)
"$work/fft_bench"
