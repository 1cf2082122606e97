namespace Pixelfly.Backends.Cuda.Runtime;

/// <summary>
/// What NVRTC is asked to produce for a device of compute capability <c>cc</c>: cubin for <c>sm_cc</c> when NVRTC
/// knows that architecture (the normal case), otherwise PTX for the newest virtual architecture NVRTC knows that is
/// not newer than the device (the driver JIT-compiles it at module load; e.g. NVRTC 11.8 on a future GPU).
/// </summary>
internal readonly record struct CompileTarget(int Architecture, bool Cubin)
{
    /// <summary>The -arch value: sm_90 (cubin) or compute_90 (PTX).</summary>
    public string ArchOption => Cubin ? $"sm_{Architecture}" : $"compute_{Architecture}";

    /// <summary>The target for a device, given the real architectures NVRTC reports (empty: unknown, try cubin).</summary>
    public static CompileTarget For(int computeCapability, IReadOnlyList<int> supported)
    {
        if (supported.Count == 0 || supported.Contains(computeCapability)) return new CompileTarget(computeCapability, true);
        var older = supported.Where(a => a <= computeCapability).ToArray();
        if (older.Length == 0)
            throw new NotSupportedException($"this NVRTC supports architectures {string.Join(", ", supported.Select(a => "sm_" + a))}, none of which runs on a compute capability {computeCapability / 10}.{computeCapability % 10} device; use an NVRTC from a CUDA toolkit that supports it (PIXELFLY_NVRTC_PATH)");
        return new CompileTarget(older.Max(), false);
    }
}
