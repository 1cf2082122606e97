using Pixelfly.Backends.Cuda.Runtime;
using Pixelfly.Devices;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>How the driver's facts become DeviceInfo capabilities and lowering limits (no device needed).</summary>
public sealed class DeviceFactsTests
{
    private static readonly CudaDeviceFacts H100 = new(0, "NVIDIA H100 80GB HBM3", 90, 132, 85_000_000_000, 52_428_800, 49152, 232448, 233472, 1_980_000, 13000);

    private static DeviceOptions Enabled(params string[] features) => DeviceOptions.None with { EnabledFeatures = features.ToHashSet() };

    [Test]
    public void Capabilities_are_data()
    {
        var info = H100.Describe(DeviceOptions.None, "13.0 (libnvrtc.so.13)");
        Assert.Multiple(() =>
        {
            Assert.That(info.Id, Is.EqualTo("cuda:0"));
            Assert.That(info.Backend, Is.EqualTo("cuda"));
            Assert.That(info.Driver, Is.EqualTo("CUDA driver 13.0"));
            Assert.That(info.MemoryBytes, Is.EqualTo(85_000_000_000));
            Assert.That(info.Capabilities["compute.capability"], Is.EqualTo("9.0"));
            Assert.That(info.Capabilities["arch"], Is.EqualTo("sm_90"));
            Assert.That(info.Capabilities["sm.count"], Is.EqualTo("132"));
            Assert.That(info.Capabilities["l2.bytes"], Is.EqualTo("52428800"));
            Assert.That(info.Capabilities["shared.per.block.optin.bytes"], Is.EqualTo("232448"));
            Assert.That(info.Capabilities["nvrtc"], Is.EqualTo("13.0 (libnvrtc.so.13)"));
            Assert.That(info.Capabilities["tensor.cores"], Is.EqualTo("bf16,f16,tf32"));
            Assert.That(info.Capabilities["tf32"], Does.StartWith("off"));
            Assert.That(info.Capabilities["cuda.graphs"], Is.EqualTo("on"));
        });
    }

    [Test]
    public void Tf32_is_off_by_default_and_on_when_opted_in()
    {
        Assert.That(H100.Limits(DeviceOptions.None), Is.EqualTo(new Lowering.CudaLoweringLimits(90, 132, 232448, false)));
        Assert.That(H100.Limits(Enabled("cuda.tf32")).Tf32, Is.True);
        Assert.That(H100.Describe(Enabled("CUDA.TF32"), "x").Capabilities["tf32"], Is.EqualTo("off (opt in with PIXELFLY_ENABLE=cuda.tf32)"),
            "EnabledFeatures built by hand are case-sensitive; FromEnvironment reads them case-insensitively");
        Assert.That(H100.Describe(Enabled("cuda.tf32"), "x").Capabilities["tf32"], Is.EqualTo("on"));
    }

    [Test]
    public void A_device_without_tensor_cores_never_uses_tf32()
    {
        var turing = H100 with { ComputeCapability = 75 };
        Assert.That(turing.Limits(Enabled("cuda.tf32")).Tf32, Is.False);
        Assert.That(turing.Describe(DeviceOptions.None, "x").Capabilities["tensor.cores"], Does.StartWith("none"));
    }

    [Test]
    public void The_sync_diagnosis_mode_is_listed_and_turns_graphs_off()
    {
        var info = H100.Describe(Enabled("cuda.sync"), "x");
        Assert.That(info.Capabilities["enabled"], Is.EqualTo("cuda.sync"));
        Assert.That(info.Capabilities["cuda.graphs"], Is.EqualTo("off"));
    }

    [Test]
    public void A_cuda_error_names_the_call_the_error_and_the_detail()
    {
        var e = new Interop.CudaException("cuMemAlloc_v2", 2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory", "4096 bytes");
        Assert.That(e.Message, Is.EqualTo("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory): 4096 bytes"));
        Assert.That(e.Description, Is.EqualTo("out of memory"));
    }

    [Test]
    public void Disabled_cuda_features_are_listed()
    {
        var info = H100.Describe(new DeviceOptions(new HashSet<string> { "cuda.graphs", "cpu.avx512" }), "absent: no libnvrtc");
        Assert.That(info.Capabilities["disabled"], Is.EqualTo("cuda.graphs"));
        Assert.That(info.Capabilities["cuda.graphs"], Is.EqualTo("off"));
        Assert.That(info.Capabilities["nvrtc"], Is.EqualTo("absent: no libnvrtc"));
    }
}
