using Pixelfly.Devices;

namespace Pixelfly.Backends.Vulkan.Tests;

/// <summary>Probe, enumeration and capabilities (no fixture device needed).</summary>
public sealed class BackendTests
{
    [Test]
    public void Probe_never_throws_and_gives_a_reason_when_unavailable()
    {
        var probe = new VulkanBackend().Probe();
        if (!probe.IsAvailable)
            Assert.That(probe.Reason, Does.Contain("apt-get install").Or.Contain("driver"));
        else
            Assert.That(probe.Score, Is.GreaterThan(0));
    }

    [Test]
    public void Devices_are_numbered_in_loader_order_and_carry_their_capabilities()
    {
        VulkanTestDevices.RequireVulkan();
        var devices = new VulkanBackend().EnumerateDevices();
        Assert.That(devices, Is.Not.Empty);
        for (int i = 0; i < devices.Count; i++)
        {
            var d = devices[i];
            Assert.That(d.Id, Is.EqualTo($"vulkan:{i}"));
            Assert.That(d.Backend, Is.EqualTo("vulkan"));
            Assert.That(d.Name, Is.Not.Empty);
            Assert.That(d.Driver, Is.Not.Empty);
            Assert.That(d.MemoryBytes, Is.GreaterThan(0));
            foreach (var key in new[] { "api.version", "device.type", "subgroup.size", "shared.memory.bytes", "max.storage.buffer.range",
                         "max.workgroup.invocations", "max.group.count", "fp16.arithmetic", "storage.16bit", "coopmat", "timestamp.period" })
                Assert.That(d.Capabilities.ContainsKey(key), $"{d.Id} lacks capability '{key}'");
            Assert.That(int.Parse(d.Capabilities["subgroup.size"]), Is.GreaterThan(0));
            Assert.That(long.Parse(d.Capabilities["max.storage.buffer.range"]), Is.GreaterThanOrEqualTo(1 << 27), "Vulkan guarantees 2^27 bytes");
        }
    }

    [Test]
    public void A_cpu_implementation_never_outscores_the_cpu_backend()
    {
        VulkanTestDevices.RequireVulkan();
        var backend = new VulkanBackend();
        var devices = backend.EnumerateDevices();
        // auto opens the backend's first device, so vulkan:0 decides.
        bool firstIsGpu = devices[0].Capabilities["device.type"] != "cpu";
        int score = backend.Probe().Score;
        if (firstIsGpu) Assert.That(score, Is.GreaterThan(10), "a GPU should beat the cpu backend (score 10) in auto");
        else Assert.That(score, Is.LessThan(10), "lavapipe must not beat the cpu backend (score 10) in auto");
    }

    [Test]
    public void Disabling_cooperative_matrices_shows_in_the_capabilities()
    {
        using var device = VulkanTestDevices.Open(0, new DeviceOptions(new HashSet<string> { VulkanFeatures.CooperativeMatrix }));
        Assert.That(device.Info.Capabilities["disabled"], Does.Contain("vulkan.coopmat"));
        Assert.That(device.Info.Capabilities["coopmat"], Is.EqualTo("no").Or.EndsWith("(disabled)"));
        Assert.That(device.TakeValidationMessages(), Is.Empty);
    }

    [Test]
    public void Opening_a_device_that_does_not_exist_says_how_many_there_are()
    {
        VulkanTestDevices.RequireVulkan();
        var backend = new VulkanBackend();
        var bogus = new DeviceInfo("vulkan:99", "vulkan", "none", "none", 0, new Dictionary<string, string>());
        var e = Assert.Throws<DeviceUnavailableException>(() => backend.Open(bogus, DeviceOptions.None));
        Assert.That(e!.Message, Does.Contain("vulkan:99").And.Contain("device(s)"));
        var wrong = new DeviceInfo("cpu", "cpu", "none", "none", 0, new Dictionary<string, string>());
        Assert.Throws<DeviceUnavailableException>(() => backend.Open(wrong, DeviceOptions.None));
    }
}

/// <summary>Which Vulkan device "auto" opens: a GPU before a CPU driver, in loader order within a kind (no driver needed).</summary>
public sealed class PreferredDeviceTests
{
    private static DeviceInfo Device(int index, string type) =>
        new($"vulkan:{index}", "vulkan", $"device {index}", "test", 0, new Dictionary<string, string> { ["device.type"] = type });

    [Test]
    public void A_gpu_is_preferred_to_lavapipe_whatever_the_loader_order()
    {
        var backend = new VulkanBackend();
        Assert.That(backend.PreferredDevice([Device(0, "cpu"), Device(1, "integrated-gpu"), Device(2, "discrete-gpu")]).Id, Is.EqualTo("vulkan:2"));
        Assert.That(backend.PreferredDevice([Device(0, "cpu"), Device(1, "integrated-gpu")]).Id, Is.EqualTo("vulkan:1"));
        Assert.That(backend.PreferredDevice([Device(0, "discrete-gpu"), Device(1, "discrete-gpu")]).Id, Is.EqualTo("vulkan:0"));
        Assert.That(backend.PreferredDevice([Device(0, "cpu")]).Id, Is.EqualTo("vulkan:0"));
    }
}
