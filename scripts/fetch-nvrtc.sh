#!/usr/bin/env bash
# Fetches NVIDIA's NVRTC (the CUDA run-time compiler) from Debian's non-free component so that the CUDA backend's
# kernels can be compiled, and their tests run, on a machine without a GPU or a CUDA toolkit.
#   scripts/fetch-nvrtc.sh [DIR]     DIR defaults to $PIXELFLY_NVRTC_DIR, else ~/.cache/pixelfly/nvrtc
# Result: DIR/lib/libnvrtc.so.11.2 and DIR/lib/libnvrtc-builtins.so.11.8 (the CUDA backend looks in
# ~/.cache/pixelfly/nvrtc/lib by itself; for another DIR set PIXELFLY_NVRTC_PATH=DIR/lib), plus DIR/bin/ptxas
# when nvidia-cuda-toolkit's download is small (it usually is not, and is then skipped).
# apt-get runs with a private sources list, package lists and cache under DIR/apt: nothing is installed on the
# system and the machine's own apt configuration is not touched. Idempotent: a second run only says where it is.
# NVIDIA's licence allows this for CI use; the binaries must never be committed (DIR lies outside the repository).
# Exits non-zero with a message when apt-get is missing or the registry does not serve the packages.
set -euo pipefail

dir="${1:-${PIXELFLY_NVRTC_DIR:-$HOME/.cache/pixelfly/nvrtc}}"
lib="$dir/lib"
packages=(libnvrtc11.2 libnvrtc-builtins11.8)
ptxas_package=nvidia-cuda-toolkit
ptxas_limit_bytes=$((30 * 1024 * 1024))

have_libs() { [ -e "$lib/libnvrtc.so.11.2" ] && [ -e "$lib/libnvrtc-builtins.so.11.8" ]; }

if have_libs; then
    echo "fetch-nvrtc: NVRTC is already in $lib"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
    echo "fetch-nvrtc: apt-get and dpkg-deb are needed (a Debian-based machine); install NVRTC from the CUDA toolkit instead and set PIXELFLY_NVRTC_PATH to its lib folder" >&2
    exit 2
fi

# The same Debian mirror the machine already uses, with non-free added (Debian 12 "bookworm" carries NVRTC 11.8).
# Only active entries: "deb URL ..." lines and deb822 "URIs: URL" fields (comments may name other mirrors).
mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | sed -nE 's/^[[:space:]]*(deb[[:space:]]+(\[[^]]*\][[:space:]]+)?|URIs:[[:space:]]*)(https?:\/\/[^[:space:]]*debian[^[:space:]]*).*/\3/p' \
    | grep -v -- '-security' | head -n 1 || true)"
mirror="${mirror:-http://deb.debian.org/debian}"
suite="bookworm"
if [ -r /etc/os-release ]; then
    # shellcheck disable=SC1091
    codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
    [ -n "$codename" ] && suite="$codename"
fi

apt_dir="$dir/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/etc" "$lib"
echo "deb $mirror $suite main contrib non-free" >"$apt_dir/etc/sources.list"
apt_options=(
    -o "Dir::Etc::sourcelist=$apt_dir/etc/sources.list"
    -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::Cache=$apt_dir/cache"
    -o "Debug::NoLocking=1"
    -o "APT::Sandbox::User=root"
)

echo "fetch-nvrtc: reading the package lists of $mirror $suite (non-free) into $apt_dir"
if ! apt-get "${apt_options[@]}" update -qq >"$apt_dir/update.log" 2>&1; then
    echo "fetch-nvrtc: apt-get update failed for $mirror $suite non-free (see $apt_dir/update.log)" >&2
    exit 3
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
if ! apt-get "${apt_options[@]}" download "${packages[@]}" >"$apt_dir/download.log" 2>&1; then
    echo "fetch-nvrtc: the registry does not serve ${packages[*]} from $mirror $suite non-free (see $apt_dir/download.log)" >&2
    exit 4
fi
for deb in ./*.deb; do
    dpkg-deb -x "$deb" "$work/root"
    echo "fetch-nvrtc: unpacked $(basename "$deb")"
done
# Copy the shared objects (and their soname links) out of usr/lib/<triplet>/ into one flat folder.
find "$work/root" \( -name 'libnvrtc*.so*' \) \( -type f -o -type l \) -exec cp -P {} "$lib/" \;
if ! have_libs; then
    echo "fetch-nvrtc: the packages did not contain libnvrtc.so.11.2 and libnvrtc-builtins.so.11.8 (found: $(ls "$lib"))" >&2
    exit 5
fi

# ptxas (an extra check of the generated PTX) only when its package is cheap to download.
size="$(apt-cache "${apt_options[@]}" show "$ptxas_package" 2>/dev/null | sed -n 's/^Size: //p' | head -n 1 || true)"
if [ -n "$size" ] && [ "$size" -lt "$ptxas_limit_bytes" ]; then
    if apt-get "${apt_options[@]}" download "$ptxas_package" >>"$apt_dir/download.log" 2>&1; then
        dpkg-deb -x ./"$ptxas_package"_*.deb "$work/toolkit"
        if [ -e "$work/toolkit/usr/bin/ptxas" ]; then
            mkdir -p "$dir/bin"
            cp "$work/toolkit/usr/bin/ptxas" "$dir/bin/"
            echo "fetch-nvrtc: ptxas in $dir/bin"
        fi
    fi
else
    echo "fetch-nvrtc: skipped $ptxas_package (ptxas): its download is ${size:-of unknown size} bytes, over the $ptxas_limit_bytes-byte limit"
fi

# The package lists and downloaded archives are only needed during the fetch.
rm -rf "$apt_dir/lists" "$apt_dir/cache"
echo "fetch-nvrtc: NVRTC is in $lib:"
ls -1 "$lib" | sed 's/^/  /'
