#!/usr/bin/env bash
# The main job: a short dense-vs-Pixelfly training comparison on the CPU (the default device). It trains the
# MLP-Mixer of `pixelfly train` (512 wide, channel MLPs 2048 wide: the layers Pixelfly sparsifies) on Fashion-MNIST twice
# with one recipe, dense and Pixelfly, and prints the comparison table: test accuracy, parameters, FLOPs,
# seconds per epoch and the speedup. Results, plots and report.md go to artifacts/train/mixer-fashion-mnist/.
# A few minutes on 2 cores (1 epoch on the first 10,000 training images, evaluated on 2,000 test images); extra
# arguments go to `pixelfly train` (e.g. --epochs 5, --train-limit 60000, --eval-limit 10000, --device vulkan:0).
#
# Set-up it does itself: builds the CLI (Release) and fetches Fashion-MNIST into ./data with scripts/fetch-data.sh
# (`apt-get download` of Debian's dataset-fashion-mnist package, unpacked locally and checked against recorded
# SHA-256 sums; nothing is installed; as root it runs `apt-get update` first when the package lists are empty).
# Certifying a device with the conformance suite is scripts/certify.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: 'dotnet' is not on PATH; install the .NET SDK 10 (https://learn.microsoft.com/dotnet/core/install/linux)" >&2
    exit 1
fi

./scripts/fetch-data.sh fashion-mnist
dotnet build Pixelfly.Cli/Pixelfly.Cli.csproj -c Release -v quiet -nologo
exec dotnet Pixelfly.Cli/bin/Release/net10.0/pixelfly.dll train --model mixer --data fashion-mnist --compare \
    --epochs 1 --train-limit 10000 --eval-limit 2000 --out artifacts/train/mixer-fashion-mnist "$@"
