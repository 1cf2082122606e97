using Pixelfly.Backends.Cuda.Interop;

namespace Pixelfly.Backends.Cuda.Runtime;

/// <summary>Raw device allocation, the allocator's only dependency (the driver on a GPU, a fake in tests).</summary>
internal interface IDeviceMemory
{
    /// <summary>Allocates; returns the CUresult (0, or CUDA_ERROR_OUT_OF_MEMORY = 2, or another error).</summary>
    int TryAllocate(long bytes, out ulong pointer);

    void Free(ulong pointer);

    /// <summary>Free and total device memory, for out-of-memory messages.</summary>
    (long Free, long Total) Info();

    /// <summary>Throws the error of a failed <see cref="TryAllocate"/> that was not out-of-memory.</summary>
    Exception Error(int status, long bytes);
}

/// <summary>The driver's memory of the current context.</summary>
internal sealed class DriverMemory(CudaDriverApi api) : IDeviceMemory
{
    public int TryAllocate(long bytes, out ulong pointer) => api.TryAllocate(bytes, out pointer);

    public void Free(ulong pointer) => api.Free(pointer);

    public (long Free, long Total) Info() => api.MemoryInfo();

    public Exception Error(int status, long bytes) =>
        new CudaException("cuMemAlloc_v2", status, api.ErrorName(status), api.ErrorText(status), $"{bytes} bytes");
}

/// <summary>A block from the <see cref="CachingAllocator"/>: its address and its size class (≥ what was asked).</summary>
internal readonly record struct DeviceBlock(ulong Pointer, long Bytes);
