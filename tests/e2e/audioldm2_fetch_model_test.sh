#!/usr/bin/env bash
# tools/fetch-model.sh offline, against a fake Hugging Face hub served from a
# local folder: argument checks, safetensors-only selection, refusal of
# pickle-only components, checksum verification.
. "$(dirname "$0")/lib.sh"
FETCH="$FOLEY_SOURCE_DIR/tools/fetch-model.sh"
HUB="$WORK/hub"

# add_repo NAME FILE... — files with generated contents, and the API listing with sizes and sha256.
add_repo() {
  local name=$1; shift
  local root="$HUB/cvssp/$name/resolve/main"
  mkdir -p "$root" "$HUB/api/models/cvssp"
  for f in "$@"; do mkdir -p "$root/$(dirname "$f")"; printf 'contents of %s in %s\n' "$f" "$name" > "$root/$f"; done
  python3 - "$root" "$HUB/api/models/cvssp/$name" "$@" <<'PY'
import hashlib, json, os, sys
root, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
sib = []
for f in files:
    data = open(os.path.join(root, f), "rb").read()
    entry = {"rfilename": f, "size": len(data)}
    if f.endswith((".safetensors", ".bin")):
        entry["lfs"] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    sib.append(entry)
json.dump({"id": "cvssp/x", "siblings": sib}, open(out, "w"))
PY
}

add_repo audioldm2 model_index.json scheduler/scheduler_config.json unet/config.json \
  unet/diffusion_pytorch_model.safetensors unet/diffusion_pytorch_model.bin text_encoder/config.json \
  text_encoder/model.safetensors text_encoder/pytorch_model.bin tokenizer/vocab.json tokenizer/merges.txt \
  tokenizer_2/spiece.model vae/diffusion_pytorch_model.fp16.safetensors vae/diffusion_pytorch_model.safetensors
add_repo audioldm2-large model_index.json unet/config.json unet/diffusion_pytorch_model.safetensors \
  text_encoder/config.json text_encoder/pytorch_model.bin
add_repo audioldm2-music model_index.json unet/config.json unet/diffusion_pytorch_model.safetensors
echo "tampered" > "$HUB/cvssp/audioldm2-music/resolve/main/unet/diffusion_pytorch_model.safetensors"

# A static server on a free port.
python3 - "$HUB" "$WORK/port" 2>/dev/null <<'PY' &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
open(sys.argv[2], "w").write(str(srv.server_address[1]))
srv.serve_forever()
PY
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
export HF_ENDPOINT="http://127.0.0.1:$(cat "$WORK/port")"
cd "$WORK"

# 1. Arguments.
out=$("$FETCH" 2>&1); expect_eq "no model: usage exit" 2 "$?"
expect_contains "usage text" "audioldm2-large" "$out"
out=$("$FETCH" stable-audio 2>&1); expect_eq "unknown model" 2 "$?"
expect_contains "names the choices" "audioldm2, audioldm2-large or audioldm2-music" "$out"
out=$("$FETCH" --bogus audioldm2 2>&1); expect_eq "unknown option" 2 "$?"
out=$("$FETCH" audioldm2 audioldm2-large 2>&1); expect_eq "two models" 2 "$?"
out=$("$FETCH" --revision 'main;rm' audioldm2 2>&1); expect_eq "bad revision" 2 "$?"
"$FETCH" --help >/dev/null; expect_eq "--help" 0 "$?"

# 2. Dry run: safetensors and configs only.
out=$("$FETCH" --dry-run audioldm2 2>&1); expect_eq "dry run" 0 "$?"
expect_contains "lists weights" "unet/diffusion_pytorch_model.safetensors" "$out"
expect_not_contains "no pickle" "pytorch_model.bin" "$out"
expect_not_contains "no fp16 variant" "fp16" "$out"
expect_no_file "dry run downloads nothing" "models/audioldm2"

# 3. A real download into --dest.
out=$("$FETCH" --dest "$WORK/m" cvssp/audioldm2 2>&1); rc=$?
expect_eq "download exit" 0 "$rc"
for f in model_index.json scheduler/scheduler_config.json unet/config.json unet/diffusion_pytorch_model.safetensors \
         text_encoder/model.safetensors tokenizer/vocab.json tokenizer/merges.txt tokenizer_2/spiece.model \
         vae/diffusion_pytorch_model.safetensors; do
  expect_file "fetched $f" "$WORK/m/$f"
done
expect_no_file "no pickle fetched" "$WORK/m/unet/diffusion_pytorch_model.bin"
expect_no_file "no pickle fetched (text_encoder)" "$WORK/m/text_encoder/pytorch_model.bin"
expect_eq "no .part left" 0 "$(find "$WORK/m" -name '*.part' | wc -l | tr -d ' ')"
expect_eq "contents" "contents of unet/diffusion_pytorch_model.safetensors in audioldm2" \
  "$(cat "$WORK/m/unet/diffusion_pytorch_model.safetensors")"
out=$("$FETCH" --dest "$WORK/m" audioldm2 2>&1)
expect_contains "second run keeps verified files" "have unet/diffusion_pytorch_model.safetensors" "$out"

# 4. A component with pickle weights only: refuse, download nothing.
out=$("$FETCH" --dest "$WORK/large" audioldm2-large 2>&1); expect_eq "pickle-only refused" 1 "$?"
expect_contains "names the component" "text_encoder (pytorch_model.bin)" "$out"
expect_no_file "nothing downloaded" "$WORK/large"

# 5. A file whose checksum does not match the listing is not kept.
out=$("$FETCH" --dest "$WORK/music" audioldm2-music 2>&1); expect_eq "bad checksum" 1 "$?"
expect_no_file "no corrupt weights" "$WORK/music/unet/diffusion_pytorch_model.safetensors"

# 6. No hub: a clear failure.
out=$(HF_ENDPOINT=http://127.0.0.1:9 "$FETCH" audioldm2 2>&1); expect_eq "unreachable hub" 1 "$?"
expect_contains "says why" "cannot list cvssp/audioldm2" "$out"

finish
