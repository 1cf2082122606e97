#!/usr/bin/env bash
# Certify a device: build the `pixelfly` CLI (Release) and run the conformance suite on the default device.
# The certificate and a Markdown summary go to artifacts/conformance/. Extra arguments are passed to
# `pixelfly conformance` (e.g. --device ref, --case ID, --verify-xfail). Exit code: 0 only when certified.
# Installs nothing: the CPU and reference devices need only the .NET SDK 10 (`dotnet` on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: 'dotnet' is not on PATH; install the .NET SDK 10 (https://learn.microsoft.com/dotnet/core/install/linux)" >&2
    exit 1
fi

dotnet build Pixelfly.Cli/Pixelfly.Cli.csproj -c Release -v quiet -nologo
out=artifacts/conformance
mkdir -p "$out"
exec dotnet Pixelfly.Cli/bin/Release/net10.0/pixelfly.dll conformance \
    --report "$out/certificate.json" --summary "$out/summary.md" "$@"
