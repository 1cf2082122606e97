using Pixelfly.Devices;

namespace Pixelfly.Backends.Reference;

/// <summary>
/// The reference backend: a float64 interpreter of the IR, the oracle every other backend is certified against.
/// Always available, one device "ref", probe score 0 so that "auto" never chooses it.
/// </summary>
public sealed class ReferenceBackend : IBackend
{
    /// <summary>The backend name and the id of its only device.</summary>
    public const string BackendName = "ref";

    /// <inheritdoc/>
    public string Name => BackendName;

    /// <inheritdoc/>
    public string Description => "float64 reference interpreter of the IR: the conformance oracle (slow; never chosen by auto)";

    /// <inheritdoc/>
    public BackendProbe Probe() => BackendProbe.Available(0);

    /// <inheritdoc/>
    public IReadOnlyList<DeviceInfo> EnumerateDevices() => [DeviceDescription()];

    /// <inheritdoc/>
    public IDevice Open(DeviceInfo device, DeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        if (device.Backend != BackendName || device.Id != BackendName)
            throw new DeviceUnavailableException($"the reference backend has one device, '{BackendName}'; it cannot open '{device.Id}' of backend '{device.Backend}'");
        return new ReferenceDevice(device);
    }

    /// <summary>Opens the reference device directly (no registry needed).</summary>
    public IDevice Open() => Open(DeviceDescription(), DeviceOptions.None);

    private static DeviceInfo DeviceDescription() => new(
        Id: BackendName,
        Backend: BackendName,
        Name: "Reference (float64 interpreter)",
        Driver: $".NET {Environment.Version}",
        MemoryBytes: GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        Capabilities: new Dictionary<string, string>
        {
            ["precision"] = "f64",
            ["threads"] = Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
}
