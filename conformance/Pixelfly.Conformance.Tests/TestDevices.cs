using Pixelfly.Backends.Cpu;
using Pixelfly.Backends.Cuda;
using Pixelfly.Backends.Reference;
using Pixelfly.Backends.Vulkan;
using Pixelfly.Devices;

namespace Pixelfly.Conformance.Tests;

/// <summary>The devices the suite runs on; registering the backends once.</summary>
internal static class TestDevices
{
    /// <summary>
    /// Every device id the corpus fixture is instantiated for: cpu, ref, every Vulkan device the loader reports and
    /// every CUDA device the driver reports (at least vulkan:0 and cuda:0, so a machine without Vulkan or without an
    /// NVIDIA GPU shows that fixture ignored with the reason).
    /// </summary>
    public static readonly string[] Ids;

    static TestDevices()
    {
        BackendRegistry.Register(new CpuBackend());
        BackendRegistry.Register(new ReferenceBackend());
        // Validation on: a Vulkan case that makes the Khronos layer speak fails (see CorpusConformanceTests).
        var vulkan = new VulkanBackend(validation: true);
        BackendRegistry.Register(vulkan);
        int vulkanDevices = vulkan.EnumerateDevices().Count;
        var cuda = new CudaBackend();
        BackendRegistry.Register(cuda);
        int cudaDevices = cuda.EnumerateDevices().Count;
        Ids = ["cpu", "ref", .. Enumerable.Range(0, Math.Max(1, vulkanDevices)).Select(i => $"vulkan:{i}"),
            .. Enumerable.Range(0, Math.Max(1, cudaDevices)).Select(i => $"cuda:{i}")];
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

    /// <summary>Validation-layer messages the device collected since the last call (none for non-Vulkan devices).</summary>
    public static IReadOnlyList<string> TakeValidationMessages(IDevice? device) =>
        device is VulkanDevice v ? v.TakeValidationMessages() : [];

    /// <summary>A fresh reference device (the oracle).</summary>
    public static IDevice Reference() => new ReferenceBackend().Open();
}
