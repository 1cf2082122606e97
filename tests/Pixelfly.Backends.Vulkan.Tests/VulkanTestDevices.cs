using Pixelfly.Devices;

namespace Pixelfly.Backends.Vulkan.Tests;

/// <summary>
/// The Vulkan devices the tests run on, always with the Khronos validation layer. A machine without Vulkan ignores
/// every test with the probe's reason.
/// </summary>
public static class VulkanTestDevices
{
    private static readonly VulkanBackend Backend = new(validation: true);
    private static readonly Lazy<BackendProbe> Probed = new(() => Backend.Probe());

    /// <summary>Device indices to instantiate fixtures for (at least one, so an unavailable machine shows an ignored fixture).</summary>
    public static IEnumerable<int> Indices()
    {
        int count = Probed.Value.IsAvailable ? Backend.EnumerateDevices().Count : 0;
        return Enumerable.Range(0, Math.Max(1, count));
    }

    /// <summary>Ignores the calling test when Vulkan is unavailable here.</summary>
    public static void RequireVulkan()
    {
        if (!Probed.Value.IsAvailable) Assert.Ignore($"no Vulkan device: {Probed.Value.Reason}");
    }

    /// <summary>Opens vulkan:<paramref name="index"/> with validation, or ignores the test with the reason.</summary>
    public static VulkanDevice Open(int index, DeviceOptions? options = null)
    {
        RequireVulkan();
        var devices = Backend.EnumerateDevices();
        if (index >= devices.Count) Assert.Ignore($"vulkan:{index} does not exist here ({devices.Count} device(s))");
        return (VulkanDevice)Backend.Open(devices[index], options ?? DeviceOptions.None);
    }
}

/// <summary>
/// A fixture over one Vulkan device with validation on: every test fails when the layer reported anything.
/// </summary>
[TestFixtureSource(typeof(VulkanTestDevices), nameof(VulkanTestDevices.Indices))]
[Parallelizable(ParallelScope.None)]
public abstract class VulkanFixture(int index)
{
    private VulkanDevice? _device;

    protected int Index => index;

    protected VulkanDevice Device => _device ?? throw new InvalidOperationException("the fixture's device is not open");

    [OneTimeSetUp]
    public void OpenDevice() => _device = VulkanTestDevices.Open(index);

    [OneTimeTearDown]
    public void CloseDevice()
    {
        if (_device is null) return;
        // Dispose first: the layer reports objects still alive when the device is destroyed.
        _device.Dispose();
        var late = _device.TakeValidationMessages();
        Assert.That(late, Is.Empty, "validation messages outside any test or at device destruction:\n" + string.Join("\n", late));
    }

    [TearDown]
    public void NoValidationMessages()
    {
        if (_device is null) return;
        var messages = _device.TakeValidationMessages();
        Assert.That(messages, Is.Empty, "the Khronos validation layer reported:\n" + string.Join("\n", messages));
    }
}
