using Pixelfly.Backends.Cuda.Interop;
using Pixelfly.Devices;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>
/// cuda:0 for the tests that need a GPU (category "gpu"). Without a driver, a device or NVRTC the test is ignored
/// with the reason; they run on the GPU machine.
/// </summary>
public static class CudaTestDevices
{
    private static readonly CudaBackend Backend = new();
    private static readonly Lazy<BackendProbe> Probed = new(() => Backend.Probe());

    /// <summary>Opens cuda:0, or ignores the test with why it cannot.</summary>
    public static CudaDevice OpenOrIgnore(DeviceOptions? options = null)
    {
        if (!Probed.Value.IsAvailable) Assert.Ignore($"no CUDA device: {Probed.Value.Reason}");
        if (NvrtcApi.Shared.Api is null) Assert.Ignore($"NVRTC not available: {NvrtcApi.Shared.Reason} — run scripts/fetch-nvrtc.sh");
        var devices = Backend.EnumerateDevices();
        return (CudaDevice)Backend.Open(devices[0], options ?? DeviceOptions.None);
    }
}
