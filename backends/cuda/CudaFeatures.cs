namespace Pixelfly.Backends.Cuda;

/// <summary>
/// The CUDA backend's feature switches: opt-ins named in PIXELFLY_ENABLE and switch-offs named in PIXELFLY_DISABLE
/// (both comma-separated).
/// </summary>
public static class CudaFeatures
{
    /// <summary>
    /// Opt-in (PIXELFLY_ENABLE=cuda.tf32): f32 matmuls run on TF32 tensor cores (10-bit mantissa inputs, f32
    /// accumulation). Off by default, so f32 results are exact f32 unless the user asks.
    /// </summary>
    public const string Tf32 = "cuda.tf32";

    /// <summary>
    /// Switch-off (PIXELFLY_DISABLE=cuda.graphs): launch every kernel on the stream at each run instead of replaying a
    /// captured CUDA graph (slower; for diagnosing a failing capture).
    /// </summary>
    public const string Graphs = "cuda.graphs";

    /// <summary>
    /// Opt-in (PIXELFLY_ENABLE=cuda.sync), for diagnosis: launch every kernel directly and wait for it, so that a kernel
    /// that faults is named in the error (a fault is otherwise reported at the end of the run, by no kernel in particular).
    /// </summary>
    public const string Sync = "cuda.sync";
}
