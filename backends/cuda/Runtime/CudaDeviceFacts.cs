using System.Globalization;
using Pixelfly.Backends.Cuda.Interop;
using Pixelfly.Backends.Cuda.Lowering;
using Pixelfly.Devices;

namespace Pixelfly.Backends.Cuda.Runtime;

/// <summary>What the driver reports about one device, queried once; the source of DeviceInfo and the lowering limits.</summary>
internal sealed record CudaDeviceFacts(
    int Ordinal,
    string Name,
    int ComputeCapability,
    int SmCount,
    long MemoryBytes,
    int L2Bytes,
    int MaxSharedPerBlock,
    int MaxSharedPerBlockOptin,
    int MaxSharedPerSm,
    int ClockKHz,
    int DriverVersion)
{
    /// <summary>Tensor cores with the mma.sync shapes the kernels use (bf16/f16 m16n8k16, tf32 m16n8k8) exist from sm_80.</summary>
    public const int TensorCoreMinimum = 80;

    public string Id => $"{CudaBackend.BackendName}:{Ordinal}";

    /// <summary>"13.0" from the driver's 13000.</summary>
    public string DriverVersionText => $"{DriverVersion / 1000}.{DriverVersion % 1000 / 10}";

    public static CudaDeviceFacts Query(CudaDriverApi api, int ordinal)
    {
        int device = api.Device(ordinal);
        int A(CuDeviceAttribute a) => api.Attribute(device, a);
        return new CudaDeviceFacts(
            ordinal,
            api.DeviceName(device),
            A(CuDeviceAttribute.ComputeCapabilityMajor) * 10 + A(CuDeviceAttribute.ComputeCapabilityMinor),
            A(CuDeviceAttribute.MultiprocessorCount),
            api.TotalMemory(device),
            A(CuDeviceAttribute.L2CacheSize),
            A(CuDeviceAttribute.MaxSharedMemoryPerBlock),
            A(CuDeviceAttribute.MaxSharedMemoryPerBlockOptin),
            A(CuDeviceAttribute.MaxSharedMemoryPerMultiprocessor),
            A(CuDeviceAttribute.ClockRateKHz),
            api.DriverVersion());
    }

    /// <summary>Tensor-core dtypes the backend's kernels can use on this device.</summary>
    public IReadOnlyList<string> TensorCoreDTypes => ComputeCapability >= TensorCoreMinimum ? ["bf16", "f16", "tf32"] : [];

    /// <summary>Whether f32 matmuls use TF32: opted in and the device has TF32 tensor cores.</summary>
    public bool Tf32(DeviceOptions options) => options.IsEnabled(CudaFeatures.Tf32) && ComputeCapability >= TensorCoreMinimum;

    /// <summary>The device as the registry shows it, with NVRTC's version or why it is absent.</summary>
    public DeviceInfo Describe(DeviceOptions options, string nvrtc)
    {
        string F(long v) => v.ToString(CultureInfo.InvariantCulture);
        var caps = new Dictionary<string, string>
        {
            ["compute.capability"] = $"{ComputeCapability / 10}.{ComputeCapability % 10}",
            ["arch"] = $"sm_{ComputeCapability}",
            ["sm.count"] = F(SmCount),
            ["memory.bytes"] = F(MemoryBytes),
            ["l2.bytes"] = F(L2Bytes),
            ["shared.per.block.bytes"] = F(MaxSharedPerBlock),
            ["shared.per.block.optin.bytes"] = F(MaxSharedPerBlockOptin),
            ["shared.per.sm.bytes"] = F(MaxSharedPerSm),
            ["clock.khz"] = F(ClockKHz),
            ["driver.version"] = DriverVersionText,
            ["nvrtc"] = nvrtc,
            ["tensor.cores"] = TensorCoreDTypes.Count == 0 ? "none (needs sm_80 or newer)" : string.Join(",", TensorCoreDTypes),
            ["tf32"] = Tf32(options) ? "on" : ComputeCapability >= TensorCoreMinimum ? $"off (opt in with PIXELFLY_ENABLE={CudaFeatures.Tf32})" : "unavailable",
            ["cuda.graphs"] = options.IsDisabled(CudaFeatures.Graphs) || options.IsEnabled(CudaFeatures.Sync) ? "off" : "on",
        };
        var disabled = options.DisabledFeatures.Where(f => f.StartsWith("cuda.", StringComparison.OrdinalIgnoreCase)).Order().ToArray();
        if (disabled.Length > 0) caps["disabled"] = string.Join(",", disabled);
        var enabled = options.EnabledFeatures.Where(f => f.StartsWith("cuda.", StringComparison.OrdinalIgnoreCase)).Order().ToArray();
        if (enabled.Length > 0) caps["enabled"] = string.Join(",", enabled);
        return new DeviceInfo(Id, CudaBackend.BackendName, Name, $"CUDA driver {DriverVersionText}", MemoryBytes, caps);
    }

    /// <summary>The limits lowering may use.</summary>
    public CudaLoweringLimits Limits(DeviceOptions options) =>
        new(ComputeCapability, SmCount, Math.Max(MaxSharedPerBlock, MaxSharedPerBlockOptin), Tf32(options));
}
