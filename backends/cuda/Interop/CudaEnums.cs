namespace Pixelfly.Backends.Cuda.Interop;

/// <summary>The CUdevice_attribute values Pixelfly queries (numbers from cuda.h; stable across CUDA 11-13).</summary>
internal enum CuDeviceAttribute
{
    MaxThreadsPerBlock = 1,
    MaxSharedMemoryPerBlock = 8,
    WarpSize = 10,
    ClockRateKHz = 13,
    MultiprocessorCount = 16,
    MemoryClockRateKHz = 36,
    GlobalMemoryBusWidth = 37,
    L2CacheSize = 38,
    ComputeCapabilityMajor = 75,
    ComputeCapabilityMinor = 76,
    MaxSharedMemoryPerMultiprocessor = 81,
    MaxSharedMemoryPerBlockOptin = 97,
}

/// <summary>CUfunction_attribute values Pixelfly sets or reads.</summary>
internal enum CuFunctionAttribute
{
    MaxThreadsPerBlock = 0,
    NumRegisters = 4,
    MaxDynamicSharedSizeBytes = 8,
}

/// <summary>CUresult codes the runtime reacts to (everything else is just reported).</summary>
internal static class CuResult
{
    public const int Success = 0;
    public const int OutOfMemory = 2;
    public const int NotInitialized = 3;
    public const int NoDevice = 100;
    public const int InvalidDevice = 101;
}
