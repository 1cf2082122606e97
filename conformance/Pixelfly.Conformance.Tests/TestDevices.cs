using Pixelfly.Backends.Cpu;
using Pixelfly.Backends.Reference;
using Pixelfly.Devices;

namespace Pixelfly.Conformance.Tests;

/// <summary>The devices the suite runs on; registering the backends once.</summary>
internal static class TestDevices
{
    /// <summary>Every device id the corpus fixture is instantiated for.</summary>
    public static readonly string[] Ids = ["cpu", "ref"];

    static TestDevices()
    {
        BackendRegistry.Register(new CpuBackend());
        BackendRegistry.Register(new ReferenceBackend());
    }

    /// <summary>Opens a device, or ignores the calling test/fixture with the reason it is unavailable.</summary>
    public static IDevice OpenOrIgnore(string id)
    {
        try
        {
            return BackendRegistry.Open(id);
        }
        catch (DeviceUnavailableException e)
        {
            Assert.Ignore($"device '{id}' is not available here: {e.Message}");
            throw; // unreachable: Assert.Ignore throws
        }
    }

    /// <summary>A fresh reference device (the oracle).</summary>
    public static IDevice Reference() => new ReferenceBackend().Open();
}
