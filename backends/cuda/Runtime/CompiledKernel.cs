using Pixelfly.Backends.Cuda.Lowering;

namespace Pixelfly.Backends.Cuda.Runtime;

/// <summary>
/// One variant compiled by NVRTC for one architecture: the binary the driver loads (a cubin for a real sm_XX, or
/// NUL-terminated PTX for a virtual compute_XX that the driver JIT-compiles), with the exact NVRTC options and version
/// used, so that what ran can always be reproduced.
/// </summary>
internal sealed record CompiledKernel(
    KernelVariant Variant,
    string Target,
    bool IsCubin,
    IReadOnlyList<string> Options,
    string NvrtcVersion,
    byte[] Image,
    string CacheKey,
    bool FromDiskCache)
{
    /// <summary>"gemm_mma.cu[B=64] for sm_90 (cubin)".</summary>
    public string Describe() => $"{Variant.Key} for {Target} ({(IsCubin ? "cubin" : "PTX, JIT-compiled by the driver")}{(FromDiskCache ? ", from the disk cache" : "")})";
}

/// <summary>A variant NVRTC rejected (an error or a warning): the message carries the variant key, the options and the full log.</summary>
public sealed class KernelCompilationException(string message) : Exception(message);
