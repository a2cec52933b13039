#!/usr/bin/env bash
# Packs what tools/gpu/check.sh needs on a bare GPU machine (no Debian libraries, no network): the test and
# benchmark binaries of BUILD_DIR (debug info stripped) and every shared library they load that such a machine
# lacks, as DEST/foley-gpu.tar.xz, with DEST/MANIFEST.txt saying what is in it and what the target must provide.
# check.sh unpacks the archive into DEST (bin/, lib/, lib/compat/) before its first step.
#
# usage: tools/gpu/pack.sh [BUILD_DIR=build] [DEST=.gpu]
#
# Not packed, relied on from the target: glibc (libc, libm, libpthread, libdl, librt, the loader) and the CUDA
# toolkit's libraries (libcublasLt, libcublas; cudart is linked statically). libstdc++ and libgcc_s are expected
# there too, but copies go into lib/compat/, which check.sh puts on the path only when the target's are too old.
# Tracked files (tests/fixtures: the tiny models and goldens) travel with the working tree and are not packed.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build}"
dest="${2:-$root/.gpu}"
[ -d "$build/bin" ] || { echo "pack.sh: $build/bin does not exist (build first)" >&2; exit 2; }
build="$(cd "$build" && pwd)"

# The binaries check.sh runs, in its order. foley-gen is not among them: it has no device option, and it
# would bring SQLite, curl, libsndfile and their dependencies.
binaries=(cuda_device_tests op_table_tests cuda_ops_tests models_generation_tests bench_foley_gpu)
system_libs='^(linux-vdso|libc|libm|libpthread|libdl|librt|ld-linux-x86-64|libstdc\+\+|libgcc_s)\.so'
toolkit_libs='^(libcublasLt|libcublas|libcudart|libcudnn[a-z_]*|libnvrtc|libnvJitLink)\.so'

stage="$(mktemp -d "${TMPDIR:-/tmp}/foley-gpu-pack-XXXXXX")"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib/compat"
manifest="$stage/MANIFEST.txt"
{
  echo "foley GPU pack: $(git -C "$root" rev-parse --short HEAD 2>/dev/null)$(git -C "$root" diff --quiet 2>/dev/null || echo '+dirty') built in $build"
  echo "made $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"
  grep -E '^(CMAKE_BUILD_TYPE|FOLEY_CUDA|CMAKE_CUDA_ARCHITECTURES):' "$build/CMakeCache.txt" 2>/dev/null | sed 's/^/cmake: /'
} > "$manifest"

missing=() packed=() failed=0
declare -A libs=() target_needs=()
for b in "${binaries[@]}"; do
  if [ ! -x "$build/bin/$b" ]; then missing+=("$b"); continue; fi
  cp "$build/bin/$b" "$stage/bin/$b" && strip --strip-debug "$stage/bin/$b"
  packed+=("$b")
  while read -r name _ path _; do
    [ -n "$name" ] || continue
    if [ "$path" = "not" ]; then
      if [[ "$name" =~ $toolkit_libs ]]; then target_needs["$name"]=1; continue; fi
      echo "pack.sh: $b needs $name, which does not resolve here" >&2; failed=1; continue
    fi
    if [[ "$name" =~ $system_libs ]]; then continue; fi
    if [[ "$name" =~ $toolkit_libs ]]; then target_needs["$name"]=1; continue; fi
    [[ "$path" = /* ]] && libs["$name"]="$path"
  done < <(ldd "$build/bin/$b" | awk '/=>/ {print $1, $2, $3, $4} !/=>/ {print $1, "=>", $1, ""}' | grep -v '^/')
done

{
  echo
  echo "binaries packed: ${packed[*]:-none}"
  echo "binaries missing from $build/bin (check.sh reports their steps as SKIP): ${missing[*]:-none}"
  echo
  echo "libraries packed (lib/), with the Debian package each comes from:"
} >> "$manifest"
for name in $(printf '%s\n' "${!libs[@]}" | sort); do
  path="${libs[$name]}"
  cp -L "$path" "$stage/lib/$name"
  real="$(readlink -f "$path")"
  pkg="$(dpkg -S "$real" 2>/dev/null || dpkg -S "$path" 2>/dev/null || dpkg -S "/usr$real" 2>/dev/null || echo "?: $real")"
  printf '  %-28s %8s KiB  %s\n' "$name" "$(( $(stat -c %s "$stage/lib/$name") / 1024 ))" "${pkg%%:*} ($(dpkg-query -W -f='${Version}' "${pkg%%:*}" 2>/dev/null))" >> "$manifest"
done
for name in libstdc++.so.6 libgcc_s.so.1; do
  path="$(ldconfig -p | awk -v n="$name" '$1 == n && /x86-64/ {print $NF; exit}')"
  [ -n "$path" ] && cp -L "$path" "$stage/lib/compat/$name"
done

# What the target must have: glibc and libstdc++ at least as new as the newest symbol versions used.
glibc="$(for f in "$stage"/bin/* "$stage"/lib/*.so*; do objdump -T "$f" 2>/dev/null; done | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)"
glibcxx="$(for f in "$stage"/bin/* "$stage"/lib/*.so*; do objdump -T "$f" 2>/dev/null; done | grep -o 'GLIBCXX_[0-9.]*' | sort -uV | tail -1)"
toolkit_needs="$(printf '%s\n' "${!target_needs[@]}" | sort | tr '\n' ' ' | sed 's/ $//')"
{
  echo "  compat/ (used only when the target's are older): libstdc++.so.6 libgcc_s.so.1"
  echo
  echo "relied on from the target: glibc >= ${glibc#GLIBC_} (libc, libm, libpthread, libdl, librt, ld-linux), libstdc++ with ${glibcxx:-?} (else compat/), libgcc_s"
  echo "relied on from the target's CUDA toolkit: ${toolkit_needs:-nothing}${toolkit_needs:+ (check.sh finds its lib folder)}"
  echo "and a driver new enough for the toolkit the binaries were built with ($(nvcc --version 2>/dev/null | grep -o 'release [0-9.]*' || echo 'nvcc not found here'))"
} >> "$manifest"
if command -v cuobjdump > /dev/null && [ -x "$stage/bin/cuda_ops_tests" ]; then
  echo "kernels for: $(cuobjdump --list-elf "$stage/bin/cuda_ops_tests" 2>/dev/null | grep -o 'sm_[0-9]*' | sort -u | tr '\n' ' ')" >> "$manifest"
fi

mkdir -p "$dest"
rm -rf "$dest/bin" "$dest/lib" "$dest/foley-gpu.tar.xz" "$dest/MANIFEST.txt"
cp "$manifest" "$dest/MANIFEST.txt"
raw_kib="$(du -sk "$stage" | cut -f1)"
echo "compressing $((raw_kib / 1024)) MiB (xz -6, a minute or two)..." >&2
if ! tar -C "$stage" -cf - bin lib MANIFEST.txt | nice -n 15 xz -T2 -6 > "$dest/foley-gpu.tar.xz"; then
  echo "pack.sh: compressing failed" >&2; exit 1
fi
cat "$dest/MANIFEST.txt"
echo
echo "packed: $((raw_kib / 1024)) MiB -> $dest/foley-gpu.tar.xz $(( $(stat -c %s "$dest/foley-gpu.tar.xz") / 1048576 )) MiB"
echo "with the wheels ($(du -sh "$root/.whl" 2>/dev/null | cut -f1 || echo none)) and the tracked tree ($(git -C "$root" ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | awk '{printf "%d MiB", $1/1048576}')) that travels too"
if [ "$failed" -ne 0 ]; then echo "pack.sh: some libraries did not resolve (above)" >&2; exit 1; fi
[ ${#missing[@]} -eq 0 ] || echo "pack.sh: note: not built, so not packed: ${missing[*]}" >&2
exit 0
