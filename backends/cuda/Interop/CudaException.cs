namespace Pixelfly.Backends.Cuda.Interop;

/// <summary>
/// A CUDA driver or NVRTC call that returned an error: the message names the call, the error's name and its
/// description (e.g. "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)").
/// </summary>
public sealed class CudaException : Exception
{
    /// <summary>An error of <paramref name="call"/> with the library's numeric code, name and description.</summary>
    public CudaException(string call, int code, string errorName, string description, string? detail = null)
        : base($"{call} failed: {errorName} ({description}){(detail is null ? "" : ": " + detail)}")
    {
        Call = call;
        Code = code;
        ErrorName = errorName;
        Description = description;
    }

    /// <summary>The driver or NVRTC function that failed.</summary>
    public string Call { get; }

    /// <summary>The numeric result (CUresult or nvrtcResult).</summary>
    public int Code { get; }

    /// <summary>The symbolic name of the result, e.g. CUDA_ERROR_OUT_OF_MEMORY.</summary>
    public string ErrorName { get; }

    /// <summary>The library's description of the result.</summary>
    public string Description { get; }
}
