#!/usr/bin/env bash
# Mynah's GPU benchmark kit (built by `npm run bench:gpu:kit`, scripts/gpu-kit.ts). Needs nothing
# but this folder, a Linux x64 userland and a GPU with a Vulkan driver: no network, npm or browser.
#   ./run.sh [--tokens N] [--runs N] [--precisions fp32,fp16] [--quality-steps N]
# Unpacks payload.tar.xz into ./root (once), generates the random real-size v2 pack into ./pack
# (once, ~1 min), runs the measurement (onnxruntime-web's WebGPU backend over Dawn, in Node) and
# writes ./result/gpu-result.json, ./result/gpu-result.md and ./result/run.log.
# Environment: VK_ICD_FILENAMES (or VK_DRIVER_FILES) = the GPU's Vulkan ICD json; LD_LIBRARY_PATH
# for a Vulkan loader elsewhere; DAWN_FLAGS (e.g. 'backend=vulkan', 'adapter=NAME'); OUT, PACK.
# Exit status: 0 measured, 3 no WebGPU adapter, 2 the kit cannot run here, 1 a run failed.
set -uo pipefail
KIT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$KIT/root"
OUT="${OUT:-$KIT/result}"
PACK="${PACK:-$KIT/pack}"
say() { printf 'run.sh: %s\n' "$*" >&2; }

# 1. Unpack (xz, or Python's lzma where xz-utils is missing).
if [ ! -f "$ROOT/.unpacked" ]; then
  rm -rf "$ROOT" && mkdir -p "$ROOT"
  if command -v xz >/dev/null 2>&1; then
    xz -dc "$KIT/payload.tar.xz" | tar -x -C "$ROOT" || { say "unpacking payload.tar.xz failed"; exit 2; }
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$KIT/payload.tar.xz" | tar -x -C "$ROOT" || { say "unpacking payload.tar.xz failed"; exit 2; }
  else
    say "cannot unpack payload.tar.xz: install xz-utils (or python3), or unpack it elsewhere into $ROOT"; exit 2
  fi
  touch "$ROOT/.unpacked"
fi
NODE="$ROOT/node"
if ! "$NODE" --version >/dev/null 2>&1; then
  say "the bundled Node ($(cat "$ROOT/VERSION" 2>/dev/null)) does not run on this machine:"; "$NODE" --version; exit 2
fi
say "kit: $(cat "$ROOT/VERSION")"

# 2. Vulkan: the loader (libvulkan.so.1) and the GPU driver's ICD.
has_loader() {
  local ldc; ldc="$(command -v ldconfig || echo /sbin/ldconfig)"
  local f d dirs
  # Listed in the loader cache and not an empty stand-in.
  for f in $("$ldc" -p 2>/dev/null | grep 'libvulkan\.so\.1 ' | grep -o '/[^ ]*$'); do [ -s "$f" ] && return 0; done
  IFS=: read -ra dirs <<<"${LD_LIBRARY_PATH:-}"
  for d in "${dirs[@]}" /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/lib; do [ -n "$d" ] && [ -s "$d/libvulkan.so.1" ] && return 0; done
  return 1
}
if ! has_loader; then
  if [ -e "$ROOT/lib/libvulkan.so.1" ]; then
    say "this machine has no Vulkan loader (libvulkan.so.1, package libvulkan1): using the kit's copy"
    export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$ROOT/lib"
  else
    say "hint: no Vulkan loader (libvulkan.so.1) found. Install libvulkan1, or put libvulkan.so.1 in a folder named by LD_LIBRARY_PATH."
  fi
fi
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
  icd=""
  for d in /etc/vulkan/icd.d /usr/share/vulkan/icd.d /usr/local/share/vulkan/icd.d; do
    [ -d "$d" ] && icd="$icd $(ls "$d"/*.json 2>/dev/null | tr '\n' ' ')"
  done
  if ! grep -qi nvidia <<<"$icd"; then
    # Container images often mount the NVIDIA driver's files here, outside the loader's search path.
    for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/icd.d/nvidia_icd.json; do
      if [ -e "$f" ]; then export VK_ICD_FILENAMES="$f"; say "using the NVIDIA Vulkan ICD at $f"; break; fi
    done
  fi
  [ -z "${VK_ICD_FILENAMES:-}" ] && say "Vulkan ICDs found:${icd:- none} (set VK_ICD_FILENAMES to the GPU's ICD json if Dawn finds no adapter)"
else
  say "VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-} VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"
fi
command -v nvidia-smi >/dev/null 2>&1 && say "GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)"

# 3. The random real-size v2 pack (no BERT: the bench speaks English).
if [ ! -f "$PACK/pack.json" ]; then
  say "generating the real-size random v2 pack into $PACK"
  "$NODE" "$ROOT/generate.mjs" full --no-bert --out "$PACK" || { say "pack generation failed"; exit 1; }
fi

# 4. The measurement.
mkdir -p "$OUT"
"$NODE" "$ROOT/bench.mjs" --pack "$PACK" --ort "$ROOT/ort" --dawn "$ROOT/dawn.node" --wav "$ROOT/reference.wav" --out "$OUT" "$@" 2>&1 | tee "$OUT/run.log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
  if grep -q "Couldn't load Vulkan" "$OUT/run.log"; then
    say "hint: Dawn could not load the Vulkan loader (libvulkan.so.1). Install libvulkan1 (apt-get install libvulkan1, or dpkg -x a downloaded .deb), or export LD_LIBRARY_PATH=<folder with libvulkan.so.1>, then run again."
  fi
  if [ "$rc" -eq 3 ]; then
    say "no WebGPU adapter: check that the GPU's Vulkan ICD is visible (VK_ICD_FILENAMES=/path/to/nvidia_icd.json; vulkaninfo --summary if installed) and that the NVIDIA driver's libGLX_nvidia/libnvidia-* libraries are on the loader path."
  fi
  say "exit status $rc; log in $OUT/run.log"
  exit "$rc"
fi
say "results: $OUT/gpu-result.json and $OUT/gpu-result.md"
