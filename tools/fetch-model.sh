#!/usr/bin/env bash
# Downloads an official AudioLDM 2 checkpoint from the Hugging Face hub in the
# diffusers folder layout foley's `audioldm2` engine loads — safetensors
# weights only. Pickle weights (.bin/.pt/.ckpt/.pkl) can run arbitrary code
# when loaded, so they are never fetched, and a component that has no
# safetensors file makes the whole download refuse.
#
#   tools/fetch-model.sh [--dest DIR] [--revision REV] [--dry-run] MODEL
#
#   MODEL       audioldm2 | audioldm2-large | audioldm2-music (or cvssp/<name>)
#   --dest      target folder (default: models/<name>); files land there atomically
#   --revision  hub branch, tag, commit or PR ref (default: main)
#   --dry-run   list what would be downloaded, fetch no weights
#
# Environment: HF_ENDPOINT (default https://huggingface.co), HF_TOKEN (sent as
# a bearer token through curl's config on stdin, never on a command line).
# Needs curl and python3 (to read the hub's JSON) and sha256sum.
set -euo pipefail

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "fetch-model: error: $*" >&2; exit 2; }
fail() { echo "fetch-model: error: $*" >&2; exit 1; }

dest="" revision="main" dry_run=0 model=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --dest) [ $# -ge 2 ] || die "--dest needs a folder"; dest="$2"; shift 2 ;;
    --dest=*) dest="${1#--dest=}"; shift ;;
    --revision) [ $# -ge 2 ] || die "--revision needs a value"; revision="$2"; shift 2 ;;
    --revision=*) revision="${1#--revision=}"; shift ;;
    --dry-run) dry_run=1; shift ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$model" ] || die "one model at a time (got '$model' and '$1')"; model="$1"; shift ;;
  esac
done
[ -n "$model" ] || { usage >&2; exit 2; }

case "$model" in
  audioldm2|audioldm2-large|audioldm2-music) repo="cvssp/$model" ;;
  cvssp/audioldm2|cvssp/audioldm2-large|cvssp/audioldm2-music) repo="$model" ;;
  *) die "'$model' is not an AudioLDM 2 checkpoint this engine loads; choose audioldm2, audioldm2-large or audioldm2-music" ;;
esac
case "$revision" in
  *[!A-Za-z0-9._/-]*|"") die "revision '$revision' has characters a hub revision cannot have" ;;
esac
name="${repo#cvssp/}"
dest="${dest:-models/$name}"
endpoint="${HF_ENDPOINT:-https://huggingface.co}"
endpoint="${endpoint%/}"
for tool in curl python3 sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is required"
done

# curl with the token (if any) read from a config on stdin: not visible in ps.
hub_curl() {
  if [ -n "${HF_TOKEN:-}" ]; then
    printf 'header = "Authorization: Bearer %s"\n' "$HF_TOKEN" | curl --config - "$@"
  else
    curl "$@"
  fi
}

encoded_rev=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$revision")
if [ "$revision" = "main" ]; then api="$endpoint/api/models/$repo?blobs=true"
else api="$endpoint/api/models/$repo/revision/$encoded_rev?blobs=true"; fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fetch-model.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
hub_curl -fsSL --retry 3 "$api" -o "$tmp/info.json" \
  || fail "cannot list $repo@$revision from $endpoint (no network, or a wrong revision?)"

# Picks the files to fetch: configs, tokenizer files and safetensors weights,
# one "path<TAB>size<TAB>sha256" line each. Exits 3 naming the components
# whose weights exist only as pickle.
set +e
python3 - "$tmp/info.json" > "$tmp/plan.tsv" <<'PY'
import json, sys, posixpath
info = json.load(open(sys.argv[1]))
siblings = info.get("siblings")
if not isinstance(siblings, list) or not siblings:
    sys.exit(1)
files = {s["rfilename"]: s for s in siblings if isinstance(s, dict) and "rfilename" in s}
if "model_index.json" not in files:
    sys.exit(1)
PICKLE = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
META = (".json", ".txt", ".model")
components = {}
for path in files:
    parts = path.split("/")
    if len(parts) == 2:
        components.setdefault(parts[0], []).append(path)
pickle_only = []
chosen = ["model_index.json"]
for comp, paths in sorted(components.items()):
    safetensors = [p for p in paths if p.endswith(".safetensors") and ".fp16." not in p]
    pickles = [p for p in paths if p.endswith(PICKLE)]
    if pickles and not safetensors:
        pickle_only.append(f"{comp} ({', '.join(posixpath.basename(p) for p in pickles)})")
    chosen += [p for p in paths if p.endswith(META)] + safetensors
if pickle_only:
    print("refusing: these components have pickle weights only: " + "; ".join(pickle_only), file=sys.stderr)
    sys.exit(3)
for p in sorted(set(chosen)):
    s = files[p]
    lfs = s.get("lfs") or {}
    size = lfs.get("size", s.get("size", ""))
    print(f"{p}\t{size}\t{lfs.get('sha256', '')}")
PY
status=$?
set -e
case $status in
  0) ;;
  3) fail "$repo@$revision: safetensors weights are missing; pickle files are never downloaded (try a --revision whose weights were converted, e.g. a refs/pr/N safetensors conversion)" ;;
  *) fail "the hub's file list for $repo@$revision is not what was expected (no model_index.json?)" ;;
esac

total=$(awk -F'\t' '{ s += $2 } END { printf "%.0f", s }' "$tmp/plan.tsv")
echo "fetch-model: $repo@$revision: $(wc -l < "$tmp/plan.tsv") files, $((total / 1000000)) MB -> $dest"
if [ $dry_run -eq 1 ]; then
  cut -f1,2 "$tmp/plan.tsv" | awk -F'\t' '{ printf "  %-60s %12s\n", $1, $2 }'
  exit 0
fi

mkdir -p "$dest"
while IFS=$'\t' read -r path size sha; do
  case "$path" in /*|*..*) fail "refusing a hub path outside the model folder: $path" ;; esac
  out="$dest/$path"
  if [ -f "$out" ] && [ -n "$size" ] && [ "$(stat -c %s "$out")" = "$size" ]; then
    if [ -z "$sha" ] || [ "$(sha256sum "$out" | cut -d' ' -f1)" = "$sha" ]; then
      echo "  have $path"; continue
    fi
  fi
  mkdir -p "$(dirname "$out")"
  part="$out.part"
  echo "  get  $path"
  hub_curl -fL --retry 5 --retry-delay 2 -C - -o "$part" "$endpoint/$repo/resolve/$encoded_rev/$path" \
    || hub_curl -fL --retry 5 --retry-delay 2 -o "$part" "$endpoint/$repo/resolve/$encoded_rev/$path" \
    || fail "download of $path failed (kept $part to resume)"
  if [ -n "$size" ] && [ "$(stat -c %s "$part")" != "$size" ]; then
    got=$(stat -c %s "$part"); rm -f "$part"; fail "$path: $got bytes, the hub says $size"
  fi
  if [ -n "$sha" ] && [ "$(sha256sum "$part" | cut -d' ' -f1)" != "$sha" ]; then
    rm -f "$part"; fail "$path: sha256 does not match the hub's"
  fi
  mv -f "$part" "$out"
done < "$tmp/plan.tsv"
echo "fetch-model: done. Point a profile at it: [engines.local] engine = \"audioldm2\", model = \"$dest\""
