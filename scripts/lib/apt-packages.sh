# Sourced by the scripts: installs Debian packages when a file they provide is missing.
# ensure_package PACKAGE TEST-COMMAND...: runs the test; when it fails, installs PACKAGE with apt-get as root
# (saying so), or, when not root, prints the command to run and returns 1.
ensure_package() {
    local package="$1"
    shift
    if "$@" >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "error: Debian package '$package' is missing; install it with: sudo apt-get install -y $package" >&2
        return 1
    fi
    echo "== installing Debian package '$package' (apt-get)"
    if [ -z "${APT_UPDATED:-}" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null || return 1
    "$@" >/dev/null 2>&1
}

# Not "grep -q": it would stop reading early, and under pipefail the SIGPIPE of ldconfig fails the test.
has_openblas() { ldconfig -p | grep 'libopenblas\.so\.0' >/dev/null; }

# ScottPlot (through SkiaSharp) draws no text without a font; DejaVu is the one it finds on Debian.
has_dejavu_fonts() { [ -n "$(find /usr/share/fonts -iname 'DejaVuSans*.ttf' -print -quit 2>/dev/null)" ]; }

# The Vulkan backend's tests and conformance run on lavapipe (Mesa's CPU Vulkan driver) with the Khronos
# validation layer; scripts/build-shaders.sh --check needs glslc.
has_vulkan_loader() { ldconfig -p | grep 'libvulkan\.so\.1' >/dev/null; }
has_lavapipe() { [ -n "$(find /usr/share/vulkan/icd.d -name 'lvp_icd*.json' -print -quit 2>/dev/null)" ]; }
has_glslc() { command -v glslc; }
has_vulkan_validation_layer() { [ -n "$(find /usr/share/vulkan/explicit_layer.d -iname 'VkLayer_khronos_validation.json' -print -quit 2>/dev/null)" ]; }
