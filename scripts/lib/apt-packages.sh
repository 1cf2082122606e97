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
    echo "== installing Debian package '$package' (apt-get; needed by the OpenBLAS baseline or the plots)"
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
