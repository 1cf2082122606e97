#!/usr/bin/env bash
# Compiles the Vulkan backend's GLSL compute shaders (backends/vulkan/Shaders/*.comp) to SPIR-V in
# backends/vulkan/Shaders/spv/, which is committed so that a fresh clone builds with only the .NET SDK.
#   scripts/build-shaders.sh            rebuild the committed SPIR-V (needs glslc: apt-get install glslc)
#   scripts/build-shaders.sh --check    rebuild into a temporary folder and fail if anything differs from
#                                       what is committed (CI runs this)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/backends/vulkan/Shaders"
out="$src/spv"
check=0
[[ "${1:-}" == "--check" ]] && check=1
if ! command -v glslc >/dev/null; then
  echo "build-shaders: glslc not found; install it with: apt-get install glslc" >&2
  exit 3
fi
target="$out"
if (( check )); then target="$(mktemp -d)"; trap 'rm -rf "$target"' EXIT; fi
mkdir -p "$target"
shopt -s nullglob
for shader in "$src"/*.comp; do
  name="$(basename "$shader" .comp)"
  # Write through a temporary file so an interrupted build never leaves a truncated module.
  glslc --target-env=vulkan1.2 -O -I "$src/include" "$shader" -o "$target/$name.spv.tmp"
  mv "$target/$name.spv.tmp" "$target/$name.spv"
done
if (( check )); then
  if ! diff -r -q "$out" "$target" >/dev/null; then
    echo "build-shaders: the committed SPIR-V in backends/vulkan/Shaders/spv differs from the GLSL sources:" >&2
    diff -r -q "$out" "$target" >&2 || true
    echo "run scripts/build-shaders.sh and commit the result" >&2
    exit 1
  fi
  echo "build-shaders: committed SPIR-V matches the GLSL sources"
fi
