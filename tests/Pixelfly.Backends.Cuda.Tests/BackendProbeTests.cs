using Pixelfly.Backends.Cuda.Interop;
using Pixelfly.Devices;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>The backend without a GPU: it reports itself unavailable with a reason and never throws.</summary>
public sealed class BackendProbeTests
{
    [Test]
    public void A_missing_driver_library_is_a_reason_naming_it_and_what_to_install()
    {
        var (api, reason) = CudaDriverApi.Load(["/nonexistent/libcuda.so.1"]);
        Assert.That(api, Is.Null);
        Assert.That(reason, Does.Contain("/nonexistent/libcuda.so.1").And.Contain("install the NVIDIA driver"));
    }

    [Test]
    public void A_library_without_the_driver_functions_is_a_reason_not_an_exception()
    {
        // libc loads but has no cuInit: the probe must say so instead of throwing.
        var (api, reason) = CudaDriverApi.Load(["libc.so.6"]);
        Assert.That(api, Is.Null);
        Assert.That(reason, Does.Contain("libc.so.6").And.Contain("cuGetErrorName"));
    }

    [Test]
    public void The_backend_is_unavailable_with_the_drivers_reason_and_lists_no_devices()
    {
        var backend = new CudaBackend(() => (null, "the NVIDIA driver library could not be loaded (tried libcuda.so.1)"));
        var probe = backend.Probe();
        Assert.Multiple(() =>
        {
            Assert.That(probe.IsAvailable, Is.False);
            Assert.That(probe.Score, Is.Zero);
            Assert.That(probe.Reason, Does.Contain("libcuda.so.1"));
            Assert.That(backend.EnumerateDevices(), Is.Empty);
            Assert.That(() => backend.Open(0), Throws.TypeOf<DeviceUnavailableException>().With.Message.Contains("libcuda.so.1"));
        });
    }

    [Test]
    public void On_this_machine_the_real_probe_never_throws_and_explains_itself()
    {
        var backend = new CudaBackend();
        var probe = backend.Probe();
        if (probe.IsAvailable)
            Assert.That(backend.EnumerateDevices(), Is.Not.Empty, "an available backend lists its devices");
        else
            Assert.That(probe.Reason, Is.Not.Empty);
    }

    [Test]
    public void Opening_cuda_0_through_the_registry_without_a_driver_names_the_reason()
    {
        if (CudaDriverApi.Shared.Api is not null) Assert.Ignore("a CUDA driver is present here");
        BackendRegistry.Register(new CudaBackend());
        var e = Assert.Throws<DeviceUnavailableException>(() => BackendRegistry.Open("cuda:0"))!;
        Assert.That(e.Message, Does.StartWith("device 'cuda:0' is not available:"));
        Assert.That(e.Message, Does.Contain("libcuda.so.1"));
    }

    [Test]
    public void A_device_id_of_another_backend_is_refused()
    {
        var backend = new CudaBackend(() => (null, "no driver"));
        var info = new DeviceInfo("vulkan:0", "vulkan", "x", "y", 0, new Dictionary<string, string>());
        Assert.That(() => backend.Open(info, DeviceOptions.None), Throws.TypeOf<DeviceUnavailableException>().With.Message.Contains("'cuda:N'"));
    }
}
