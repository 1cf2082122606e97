namespace Pixelfly.Devices;

/// <summary>A family of devices ("cpu", "ref", "vulkan", "cuda"). Registered with <see cref="BackendRegistry"/>.</summary>
public interface IBackend
{
    /// <summary>Short name, the prefix of device ids.</summary>
    string Name { get; }

    /// <summary>One line saying what the backend is.</summary>
    string Description { get; }

    /// <summary>Cheap check whether the backend can run here; never throws.</summary>
    BackendProbe Probe();

    /// <summary>The devices of this backend (empty when unavailable).</summary>
    IReadOnlyList<DeviceInfo> EnumerateDevices();

    /// <summary>Opens a device; throws <see cref="DeviceUnavailableException"/> with the reason when it cannot.</summary>
    IDevice Open(DeviceInfo device, DeviceOptions options);

    /// <summary>
    /// The device "auto" opens when it picks this backend, from <see cref="EnumerateDevices"/> (never empty here);
    /// the first unless the backend ranks its devices (a GPU before a CPU driver, say).
    /// </summary>
    DeviceInfo PreferredDevice(IReadOnlyList<DeviceInfo> devices) => devices[0];
}
