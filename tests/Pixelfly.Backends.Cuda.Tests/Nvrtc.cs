using Pixelfly.Backends.Cuda.Interop;
using Pixelfly.Backends.Cuda.Runtime;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>
/// NVRTC for tests that compile kernels: present on a CI machine after scripts/fetch-nvrtc.sh (scripts/test.sh runs
/// it) or wherever a CUDA toolkit is installed. When it is absent the test is ignored with the reason.
/// </summary>
internal static class Nvrtc
{
    /// <summary>The loaded NVRTC, or Assert.Ignore with why it is not available.</summary>
    public static NvrtcApi RequireOrIgnore()
    {
        var (api, reason) = NvrtcApi.Shared;
        if (api is null) Assert.Ignore($"NVRTC not available: {reason} — run scripts/fetch-nvrtc.sh");
        return api!;
    }

    /// <summary>A compiler over the embedded kernels with no disk cache (every variant really goes through NVRTC).</summary>
    public static NvrtcCompiler EmbeddedCompiler() => new(RequireOrIgnore(), KernelSources.Embedded, cache: null);

    /// <summary>A compiler over the given sources, with an optional disk cache.</summary>
    public static NvrtcCompiler CompilerOver(IReadOnlyDictionary<string, string> files, KernelDiskCache? cache = null) =>
        new(RequireOrIgnore(), new KernelSources(files), cache);
}
