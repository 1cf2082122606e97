using Pixelfly.Devices;

namespace Pixelfly.Cli.Tests;

/// <summary>The devices the CLI ships that can run here; the reference device is always among them.</summary>
internal static class TestDevices
{
    /// <summary>Available devices of the product backends (not the test doubles some tests register).</summary>
    public static IEnumerable<string> Available() => AllAvailable(includeTestDoubles: false);

    /// <summary>Every available device of every registered backend, as `pixelfly devices` lists them.</summary>
    public static IEnumerable<string> AllAvailable(bool includeTestDoubles = true)
    {
        Backends.RegisterAll();
        foreach (var b in BackendRegistry.Backends)
        {
            if (!b.Probe().IsAvailable) continue;
            if (!includeTestDoubles && b is OffByOneBackend or MissingDriverBackend) continue;
            foreach (var d in b.EnumerateDevices())
                yield return d.Id;
        }
    }
}

/// <summary>
/// A backend that is registered but cannot run here, as a Vulkan backend on a machine without libvulkan: the CLI
/// must list it with its reason and refuse to open it with that reason.
/// </summary>
internal sealed class MissingDriverBackend : IBackend
{
    public const string BackendName = "missingdriver";
    public const string Reason = "libmissing.so.1 was not found; install the 'missing-driver' package";

    public static void Register() => BackendRegistry.Register(new MissingDriverBackend());

    public string Name => BackendName;

    public string Description => "a backend whose driver library is not installed (test double)";

    public BackendProbe Probe() => BackendProbe.Unavailable(Reason);

    public IReadOnlyList<DeviceInfo> EnumerateDevices() => [];

    public IDevice Open(DeviceInfo device, DeviceOptions options) =>
        throw new DeviceUnavailableException($"{BackendName}: {Reason}");
}
