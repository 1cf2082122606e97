using Pixelfly.Backends.Cuda.Interop;
using Pixelfly.Backends.Cuda.Runtime;
using Pixelfly.Devices;

namespace Pixelfly.Backends.Cuda;

/// <summary>
/// The CUDA backend: devices "cuda:0", "cuda:1", ... in the driver's order, on NVIDIA GPUs through the CUDA driver
/// API (libcuda.so.1) with kernels compiled at run time by NVRTC. Register it with
/// <c>BackendRegistry.Register(new CudaBackend())</c>. Without the driver, or without a device, the backend reports
/// itself unavailable with the reason; without NVRTC its devices are listed (capability "nvrtc" says why it is
/// absent) but "auto" never picks them, since they cannot compile a graph.
/// </summary>
public sealed class CudaBackend : IBackend
{
    /// <summary>The backend name and device id prefix.</summary>
    public const string BackendName = "cuda";

    // Above Vulkan on a GPU (20): on an NVIDIA GPU the CUDA backend is the one with tensor-core kernels.
    private const int GpuScore = 30;

    // The driver is asked once per backend object: devices do not come and go while a process runs.
    private readonly Lazy<(List<CudaDeviceFacts>? Facts, string? Reason)> _devices;
    private readonly Func<(CudaDriverApi? Api, string? Reason)> _driver;

    /// <summary>A backend over the installed CUDA driver.</summary>
    public CudaBackend() : this(() => CudaDriverApi.Shared)
    {
    }

    internal CudaBackend(Func<(CudaDriverApi? Api, string? Reason)> driver)
    {
        _driver = driver;
        _devices = new Lazy<(List<CudaDeviceFacts>?, string?)>(Enumerate);
    }

    /// <inheritdoc/>
    public string Name => BackendName;

    /// <inheritdoc/>
    public string Description => "CUDA on NVIDIA GPUs: NVRTC-compiled kernels, tensor cores (mma.sync) for bf16/f16 matmuls, CUDA graphs";

    /// <inheritdoc/>
    public BackendProbe Probe()
    {
        var (facts, reason) = _devices.Value;
        if (facts is null) return BackendProbe.Unavailable(reason!);
        if (facts.Count == 0) return BackendProbe.Unavailable("the CUDA driver reports no devices");
        return BackendProbe.Available(NvrtcApi.Shared.Api is null ? 0 : GpuScore);
    }

    /// <inheritdoc/>
    public IReadOnlyList<DeviceInfo> EnumerateDevices()
    {
        var options = DeviceOptions.FromEnvironment();
        string nvrtc = NvrtcDescription();
        return _devices.Value.Facts?.Select(f => f.Describe(options, nvrtc)).ToArray() ?? [];
    }

    /// <inheritdoc/>
    public IDevice Open(DeviceInfo device, DeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        if (device.Backend != BackendName || !device.Id.StartsWith(BackendName + ":", StringComparison.Ordinal)
            || !int.TryParse(device.Id.AsSpan(BackendName.Length + 1), out int index))
            throw new DeviceUnavailableException($"the cuda backend opens devices 'cuda:N'; it cannot open '{device.Id}' (backend '{device.Backend}')");
        return Open(index, options);
    }

    /// <summary>Opens cuda:<paramref name="index"/> with the environment's options.</summary>
    public CudaDevice Open(int index = 0) => Open(index, DeviceOptions.FromEnvironment());

    private CudaDevice Open(int index, DeviceOptions options)
    {
        var (api, reason) = _driver();
        if (api is null) throw new DeviceUnavailableException($"device '{BackendName}:{index}' is not available: {reason}");
        return new CudaDevice(api, index, options);
    }

    /// <summary>"13.0 (libnvrtc.so.13)", or "absent: why" — the "nvrtc" capability of every device.</summary>
    internal static string NvrtcDescription()
    {
        var (nvrtc, reason) = NvrtcApi.Shared;
        return nvrtc is null ? $"absent: {reason}" : $"{nvrtc.Version} ({nvrtc.LoadedFrom})";
    }

    // Never throws: a missing driver, no device, or a failing query is the reason the backend is unavailable.
    private (List<CudaDeviceFacts>?, string?) Enumerate()
    {
        try
        {
            var (api, reason) = _driver();
            if (api is null) return (null, reason);
            int count = api.DeviceCount();
            return (Enumerable.Range(0, count).Select(i => CudaDeviceFacts.Query(api, i)).ToList(), null);
        }
        catch (Exception e)
        {
            return (null, $"the CUDA device query failed: {e.GetType().Name}: {e.Message}");
        }
    }
}
