using System.Runtime.Intrinsics;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>The backend, its device description, the avx512 off switch and registry integration.</summary>
public sealed class CpuBackendTests
{
    [Test]
    public void Probe_is_available_with_one_cpu_device()
    {
        var backend = new CpuBackend();

        var probe = backend.Probe();
        var devices = backend.EnumerateDevices();

        Assert.That(probe.IsAvailable, Is.True);
        Assert.That(probe.Score, Is.EqualTo(10));
        Assert.That(devices, Has.Count.EqualTo(1));
        Assert.That(devices[0].Id, Is.EqualTo("cpu"));
        Assert.That(devices[0].Backend, Is.EqualTo("cpu"));
    }

    [Test]
    public void Capabilities_report_simd_width_threads_and_isa()
    {
        using var device = new CpuDevice(DeviceOptions.None);
        using var narrow = new CpuDevice(new DeviceOptions(new HashSet<string> { "cpu.avx512" }));

        var caps = device.Info.Capabilities;
        Assert.That(caps["simd.width"], Is.EqualTo(Vector512.IsHardwareAccelerated ? "512" : "256"));
        Assert.That(caps["threads"], Is.EqualTo(Environment.ProcessorCount.ToString()));
        Assert.That(caps["isa"], Is.Not.Empty);
        Assert.That(narrow.Info.Capabilities["simd.width"], Is.EqualTo("256"));
        Assert.That(narrow.Info.Capabilities["disabled"], Is.EqualTo("cpu.avx512"));
        Assert.That(narrow.Features.UseVector512, Is.False);
    }

    [Test]
    public void Registry_opens_the_cpu_device_by_id()
    {
        BackendRegistry.Register(new CpuBackend());

        using var device = BackendRegistry.Open("cpu");

        Assert.That(device, Is.TypeOf<CpuDevice>());
        Assert.That(() => new CpuBackend().Open(device.Info with { Id = "cpu:3" }, DeviceOptions.None), Throws.TypeOf<DeviceUnavailableException>());
    }

    [Test]
    public void Run_once_on_host_data_works_through_the_device_contract()
    {
        using var device = new CpuDevice();
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 3);
        b.Output("y", b.Add(x, x));

        var r = device.RunOnce(b.Build(), new Dictionary<string, HostTensor> { ["x"] = HostTensor.FromFloats([1, 2, 3], 3) });

        Assert.That(r["y"].AsSpan<float>().ToArray(), Is.EqualTo(new[] { 2f, 4f, 6f }));
    }

    [Test]
    public void A_disposed_device_refuses_new_work()
    {
        var device = new CpuDevice();
        device.Dispose();

        Assert.That(() => device.Allocate(new TensorType(DType.F32, 1)), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public void An_executable_of_a_disposed_device_refuses_to_run()
    {
        var device = new CpuDevice();
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 3);
        b.Output("y", b.Neg(x));
        using var exe = device.Compile(b.Build());
        var tx = device.Allocate(new TensorType(DType.F32, 3));
        var ty = device.Allocate(new TensorType(DType.F32, 3));
        device.Dispose();

        Assert.That(() => exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = tx }, new Dictionary<string, IDeviceTensor> { ["y"] = ty }),
            Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public void Thread_count_must_be_positive()
    {
        Assert.That(() => new CpuDevice(DeviceOptions.None, 0), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
