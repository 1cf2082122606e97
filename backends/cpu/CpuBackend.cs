using Pixelfly.Devices;

namespace Pixelfly.Backends.Cpu;

/// <summary>
/// The SIMD, multi-threaded CPU backend: one device, "cpu", always available. Register it with
/// <c>BackendRegistry.Register(new CpuBackend())</c>.
/// </summary>
public sealed class CpuBackend : IBackend
{
    /// <summary>The backend name and device id prefix.</summary>
    public const string BackendName = "cpu";

    /// <inheritdoc/>
    public string Name => BackendName;

    /// <inheritdoc/>
    public string Description => "SIMD (Vector512/Vector256), multi-threaded CPU kernels computing in f32";

    /// <inheritdoc/>
    public BackendProbe Probe() => BackendProbe.Available(10);

    /// <inheritdoc/>
    public IReadOnlyList<DeviceInfo> EnumerateDevices()
    {
        var options = DeviceOptions.FromEnvironment();
        return [CpuDevice.Describe(CpuFeatures.Detect(options), options)];
    }

    /// <inheritdoc/>
    public IDevice Open(DeviceInfo device, DeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        if (device.Backend != BackendName || device.Id is not ("cpu" or "cpu:0"))
            throw new DeviceUnavailableException($"the cpu backend has one device, 'cpu'; it cannot open '{device.Id}' (backend '{device.Backend}')");
        return new CpuDevice(options);
    }
}
