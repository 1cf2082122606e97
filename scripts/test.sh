#!/usr/bin/env bash
# Restores, builds (Release) and runs every test project of Pixelfly.sln, then prints, as its last line,
# "N passed, N failed, N skipped" summed over all test result (TRX) files.
# Exits non-zero when the restore, the build or any test fails.
# Needs the .NET SDK 10 (`dotnet` on PATH). The perf tests also need two Debian packages: libopenblas0 (the
# OpenBLAS baseline) and fonts-dejavu-core (text in plots); when one is missing this script installs it with
# apt-get if it runs as root (as in CI), and otherwise says what to install and lets those tests fail.
# The Vulkan backend is certified on lavapipe: the script installs libvulkan1 mesa-vulkan-drivers glslc
# vulkan-validationlayers the same way, checks that the committed SPIR-V matches the GLSL sources
# (scripts/build-shaders.sh --check), and runs every test with the Khronos validation layer on
# (PIXELFLY_VULKAN_VALIDATION=1; the Vulkan test fixtures enable it themselves and fail on any message).
# The CUDA backend's kernels are compiled with NVRTC fetched by scripts/fetch-nvrtc.sh (no GPU needed; its tests
# that need a GPU are ignored with the reason).
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/apt-packages.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

summary() { echo "$1 passed, $2 failed, $3 skipped"; }

if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: 'dotnet' is not on PATH; install the .NET SDK 10 (https://learn.microsoft.com/dotnet/core/install/linux)" >&2
    summary 0 0 0
    exit 1
fi

ensure_package libopenblas0 has_openblas || echo "warning: without libopenblas0 the OpenBLAS tests of tests/Pixelfly.Perf.Tests fail" >&2
ensure_package fonts-dejavu-core has_dejavu_fonts || echo "warning: without fonts-dejavu-core the plot font test of tests/Pixelfly.Perf.Tests fails (plots would have no text)" >&2
vulkan_note="the Vulkan tests and the vulkan:0 conformance fixture are ignored (not certified) without it"
ensure_package libvulkan1 has_vulkan_loader || echo "warning: without libvulkan1 (the Vulkan loader) $vulkan_note" >&2
ensure_package mesa-vulkan-drivers has_lavapipe || echo "warning: without mesa-vulkan-drivers (lavapipe) $vulkan_note" >&2
ensure_package vulkan-validationlayers has_vulkan_validation_layer || echo "warning: without vulkan-validationlayers the Vulkan tests fail (they require the validation layer)" >&2
ensure_package glslc has_glslc || echo "warning: without glslc the committed SPIR-V cannot be checked against the GLSL sources" >&2
export PIXELFLY_VULKAN_VALIDATION=1

# The CUDA backend's kernels are compiled by NVRTC in the tests (no GPU needed). NVRTC comes from Debian's non-free
# component (scripts/fetch-nvrtc.sh, cached in ~/.cache/pixelfly/nvrtc); when it cannot be fetched, the compile tests
# are ignored with the reason instead of failing.
if ! nvrtc_log=$(scripts/fetch-nvrtc.sh 2>&1); then
    echo "warning: NVRTC could not be fetched, so the CUDA kernel compile tests are ignored: $(tail -n 1 <<<"$nvrtc_log")" >&2
fi

results="artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

echo "== restore"
if ! dotnet restore Pixelfly.sln; then
    echo "error: restore failed" >&2
    summary 0 0 0
    exit 1
fi

echo "== build (Release)"
if ! dotnet build Pixelfly.sln -c Release --no-restore; then
    echo "error: build failed" >&2
    summary 0 0 0
    exit 1
fi

shaders_rc=0
echo "== shaders (scripts/build-shaders.sh --check)"
if command -v glslc >/dev/null 2>&1; then
    scripts/build-shaders.sh --check || { shaders_rc=1; echo "error: the committed SPIR-V does not match the GLSL sources; the run fails after the tests" >&2; }
else
    echo "error: glslc is missing, so the committed SPIR-V was not checked (apt-get install glslc); the run fails after the tests" >&2
    shaders_rc=1
fi

echo "== test"
# -m:1 runs the test projects one after another: TRX names carry a timestamp in seconds, and the logger only
# avoids a name taken by an earlier project, not one being written at the same moment by a parallel one.
dotnet test Pixelfly.sln -c Release --no-build -m:1 --logger "trx;LogFilePrefix=pixelfly" --results-directory "$results"
test_rc=$?

# Each test project writes one TRX file with <Counters total= executed= passed= failed= error= timeout= aborted= ...>.
attr() { sed -n "s/.*[[:space:]]$1=\"\([0-9]*\)\".*/\1/p" <<<"$2"; }
passed=0 failed=0 skipped=0 files=0
while IFS= read -r -d '' trx; do
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    [ -n "$counters" ] || { echo "error: $trx has no <Counters> element" >&2; test_rc=1; continue; }
    files=$((files + 1))
    total=$(attr total "$counters")
    p=$(attr passed "$counters")
    f=$(( $(attr failed "$counters") + $(attr error "$counters") + $(attr timeout "$counters") + $(attr aborted "$counters") ))
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + total - p - f))
done < <(find "$results" -name '*.trx' -print0)

if [ "$files" -eq 0 ]; then
    echo "error: no test results were written to $results" >&2
    test_rc=1
fi
echo "test results: $results ($files file(s))"
summary "$passed" "$failed" "$skipped"
if [ "$test_rc" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$shaders_rc" -ne 0 ]; then
    exit 1
fi
