#!/usr/bin/env bash
# Builds the `pixelfly` CLI (Release) and benchmarks the CPU device on a suite (default cpu-headline) against
# our dense GEMM and OpenBLAS: the Markdown table on stdout, the JSON results and a PNG plot in artifacts/bench/
# (<suite>.json / .png, or <suite>-t<N> with --threads N). Extra arguments go to `pixelfly bench`
# (--suite layers, --threads 1, --trials 11, --device cpu,ref ...). See docs/PERFORMANCE.md.
#
# Installs with apt-get when missing (as root; otherwise it says what to install and stops): libopenblas0 (the
# OpenBLAS baseline) and fonts-dejavu-core (text in the plot).
#
# OpenBLAS is set up for this command only: OPENBLAS_L2_SIZE is unset (a workplace setting that changes its
# blocking), and OPENBLAS_CORETYPE is set to its AVX-512 kernels on AVX-512 CPUs (Cooperlake with avx512_bf16,
# else SkylakeX; unset elsewhere), because OpenBLAS 0.3.21 falls back to SSE3 "Prescott" kernels on CPU models it
# does not know, which would make the baseline several times slower than OpenBLAS can be. Override the choice
# with PIXELFLY_OPENBLAS_CORETYPE=<name>, or PIXELFLY_OPENBLAS_CORETYPE=auto for OpenBLAS's own detection.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/apt-packages.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: 'dotnet' is not on PATH; install the .NET SDK 10 (https://learn.microsoft.com/dotnet/core/install/linux)" >&2
    exit 1
fi
ensure_package libopenblas0 has_openblas
ensure_package fonts-dejavu-core has_dejavu_fonts

suite=cpu-headline
threads=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --suite) suite="${args[i + 1]:-$suite}" ;;
        --suite=*) suite="${args[i]#--suite=}" ;;
        --threads) threads="${args[i + 1]:-}" ;;
        --threads=*) threads="${args[i]#--threads=}" ;;
    esac
done
name="$suite${threads:+-t$threads}"
has_suite=false has_device=false
for a in "$@"; do
    case "$a" in
        --suite|--suite=*) has_suite=true ;;
        --device|--device=*) has_device=true ;;
    esac
done
$has_suite || set -- --suite "$suite" "$@"
$has_device || set -- --device cpu "$@"

coretype="${PIXELFLY_OPENBLAS_CORETYPE:-}"
if [ -z "$coretype" ]; then
    if grep -qw avx512_bf16 /proc/cpuinfo 2>/dev/null; then coretype=Cooperlake
    elif grep -qw avx512f /proc/cpuinfo 2>/dev/null; then coretype=SkylakeX
    else coretype=auto
    fi
fi
# OPENBLAS_THREAD_TIMEOUT=4: OpenBLAS's idle threads otherwise keep spinning (sched_yield) after each call and
# take the core the candidate's next trial needs, which penalises whichever runs right after OpenBLAS.
blas_env=(-u OPENBLAS_L2_SIZE -u OPENBLAS_CORETYPE OPENBLAS_THREAD_TIMEOUT=4)
[ "$coretype" = auto ] || blas_env+=("OPENBLAS_CORETYPE=$coretype")
echo "== OpenBLAS kernels: ${coretype} (OPENBLAS_CORETYPE for this command only; OPENBLAS_L2_SIZE unset)" >&2

dotnet build Pixelfly.Cli/Pixelfly.Cli.csproj -c Release -v quiet -nologo >&2
out=artifacts/bench
mkdir -p "$out"
exec env "${blas_env[@]}" dotnet Pixelfly.Cli/bin/Release/net10.0/pixelfly.dll bench \
    --json "$out/$name.json" --plot "$out/$name.png" "$@"
