using System.Runtime.InteropServices;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>
/// The runtime on a real GPU with the real lowering: transfers, guards, runs replayed as CUDA graphs, donation,
/// status errors, timing. Ignored (with the reason) where there is no CUDA device.
/// </summary>
[Category("gpu")]
[NonParallelizable]
public sealed class GpuRuntimeTests
{
    private static float[] Floats(IDeviceTensor t) => MemoryMarshal.Cast<byte, float>(t.Download().Data.AsSpan()).ToArray();

    private static IDeviceTensor Upload(IDevice device, float[] values) => device.Upload(HostTensor.FromFloats(values, values.Length));

    [Test]
    public void Tensors_round_trip_and_keep_their_guards()
    {
        using var device = CudaTestDevices.OpenOrIgnore();
        using var t = device.Allocate(new TensorType(DType.BF16, 3, 5), guardBytes: 100);
        Assert.That(t.Download().Data, Is.All.EqualTo(0), "new tensors are zero");
        var bytes = Enumerable.Range(0, 30).Select(i => (byte)(i * 7 + 1)).ToArray();
        t.Upload(bytes);
        Assert.That(t.Download().Data, Is.EqualTo(bytes));
        Assert.That(t.GuardsIntact(), Is.True);
        Assert.That(((Runtime.CudaTensor)t).DataPointer % 256, Is.Zero);
        Assert.That(() => t.Upload(new byte[29]), Throws.ArgumentException.With.Message.Contains("29 bytes"));
        t.Dispose();
        Assert.That(() => t.Download(new byte[30]), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => device.Allocate(new TensorType(DType.F64, 2)), Throws.TypeOf<NotSupportedException>());
    }

    [Test]
    public void A_graph_runs_replays_and_recaptures_when_the_bound_tensors_change()
    {
        using var device = CudaTestDevices.OpenOrIgnore();
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 4);
        var k = b.Constant("k", HostTensor.FromFloats([10, 20, 30, 40], 4));
        var sum = b.Add(x, k);
        b.Output("y", b.Neg(b.Reshape(b.Reshape(sum, 2, 2), 4)));
        b.Output("s", sum);
        using var exe = (CudaExecutable)device.Compile(b.Build());

        using var x1 = Upload(device, [1, 2, 3, 4]);
        using var x2 = Upload(device, [5, 6, 7, 8]);
        using var y = device.Allocate(new TensorType(DType.F32, 4));
        using var s = device.Allocate(new TensorType(DType.F32, 4));
        var outputs = new Dictionary<string, IDeviceTensor> { ["y"] = y, ["s"] = s };
        exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = x1 }, outputs);
        Assert.That(Floats(y), Is.EqualTo(new float[] { -11, -22, -33, -44 }));
        Assert.That(Floats(s), Is.EqualTo(new float[] { 11, 22, 33, 44 }));
        exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = x2 }, outputs);
        Assert.That(Floats(y), Is.EqualTo(new float[] { -15, -26, -37, -48 }));
        exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = x1 }, outputs);
        Assert.That(Floats(y), Is.EqualTo(new float[] { -11, -22, -33, -44 }));
        Assert.That(exe.GraphCount, Is.EqualTo(2), "one graph per distinct set of bound tensors");
        Assert.That(exe.LastRunDeviceMilliseconds, Is.Not.Null.And.GreaterThanOrEqualTo(0));
        Assert.That(exe.Describe(), Does.Contain("cuda executable on cuda:0").And.Contain("alias of"));
    }

    [Test]
    public void Swapped_donations_and_pass_through_outputs_see_the_inputs_as_they_were([Values("graphs", "direct", "sync")] string mode)
    {
        bool graphs = mode == "graphs";
        var options = mode switch
        {
            "graphs" => DeviceOptions.None,
            "direct" => new DeviceOptions(new HashSet<string> { CudaFeatures.Graphs }),
            _ => DeviceOptions.None with { EnabledFeatures = new HashSet<string> { CudaFeatures.Sync } },
        };
        using var device = CudaTestDevices.OpenOrIgnore(options);
        var b = new GraphBuilder();
        var p = b.Parameter("p", DType.F32, 3);
        var q = b.Parameter("q", DType.F32, 3);
        b.Output("p_next", q, donates: "p");
        b.Output("q_next", b.Exp(b.Mul(p, b.Constant("zero", HostTensor.FromFloats([0, 0, 0], 3)))), donates: "q");
        b.Output("p_copy", p);
        using var exe = (CudaExecutable)device.Compile(b.Build());
        using var pt = Upload(device, [1, 2, 3]);
        using var qt = Upload(device, [4, 5, 6]);
        using var copy = device.Allocate(new TensorType(DType.F32, 3));
        exe.Run(new Dictionary<string, IDeviceTensor> { ["p"] = pt, ["q"] = qt },
            new Dictionary<string, IDeviceTensor> { ["p_next"] = pt, ["q_next"] = qt, ["p_copy"] = copy });
        Assert.Multiple(() =>
        {
            Assert.That(Floats(pt), Is.EqualTo(new float[] { 4, 5, 6 }));
            Assert.That(Floats(qt), Is.EqualTo(new float[] { 1, 1, 1 }));
            Assert.That(Floats(copy), Is.EqualTo(new float[] { 1, 2, 3 }));
            Assert.That(exe.GraphCount, Is.EqualTo(graphs ? 1 : 0));
        });
    }

    [Test]
    public void An_index_out_of_range_is_an_execution_error_and_the_next_run_is_clean()
    {
        using var device = CudaTestDevices.OpenOrIgnore();
        var b = new GraphBuilder();
        var table = b.Input("table", DType.F32, 4, 2);
        var idx = b.Input("idx", DType.I32, 3);
        b.Output("rows", b.Gather(table, idx));
        using var exe = device.Compile(b.Build());
        using var t2 = device.Upload(HostTensor.FromFloats([0, 1, 2, 3, 4, 5, 6, 7], 4, 2));
        using var bad = device.Upload(HostTensor.FromInts([1, 9, 0], 3));
        using var good = device.Upload(HostTensor.FromInts([3, 0, 1], 3));
        using var rows = device.Allocate(new TensorType(DType.F32, 3, 2));
        var outputs = new Dictionary<string, IDeviceTensor> { ["rows"] = rows };
        var e = Assert.Throws<ExecutionException>(() => exe.Run(new Dictionary<string, IDeviceTensor> { ["table"] = t2, ["idx"] = bad }, outputs))!;
        Assert.That(e.Message, Does.Contain("gather: index 9 at position 1 is outside [0, 4)"));
        exe.Run(new Dictionary<string, IDeviceTensor> { ["table"] = t2, ["idx"] = good }, outputs);
        Assert.That(Floats(rows), Is.EqualTo(new float[] { 6, 7, 0, 1, 2, 3 }));
    }

    [Test]
    public void Bf16_values_are_stored_natively_and_rounded_to_nearest_even()
    {
        using var device = CudaTestDevices.OpenOrIgnore();
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 3);
        b.Output("h", b.Cast(x, DType.BF16));
        var values = new[] { 1.0f, 1.00390625f /* halfway: rounds to even 1.0 */, -3.5f };
        var result = device.RunOnce(b.Build(), new Dictionary<string, HostTensor> { ["x"] = HostTensor.FromFloats(values, 3) })["h"];
        var bits = MemoryMarshal.Cast<byte, ushort>(result.Data.AsSpan()).ToArray();
        Assert.That(bits, Is.EqualTo(new ushort[] { 0x3F80, 0x3F80, 0xC060 }));
    }

    [Test]
    public void A_tensor_of_another_device_or_a_disposed_one_is_a_binding_error()
    {
        using var device = CudaTestDevices.OpenOrIgnore();
        var b = new GraphBuilder();
        b.Output("y", b.Neg(b.Input("x", DType.F32, 2)));
        using var exe = device.Compile(b.Build());
        var host = new HostMemoryTensor(new TensorType(DType.F32, 2));
        using var y = device.Allocate(new TensorType(DType.F32, 2));
        Assert.That(() => exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = host }, new Dictionary<string, IDeviceTensor> { ["y"] = y }),
            Throws.TypeOf<BindingException>().With.Message.Contains("HostMemoryTensor"));
        var gone = device.Allocate(new TensorType(DType.F32, 2));
        gone.Dispose();
        Assert.That(() => exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = gone }, new Dictionary<string, IDeviceTensor> { ["y"] = y }),
            Throws.TypeOf<BindingException>().With.Message.Contains("disposed"));
    }

    [Test]
    public void Freed_memory_is_cached_and_trim_returns_it()
    {
        using var device = CudaTestDevices.OpenOrIgnore();
        long before = device.LiveBytes;
        var t = device.Allocate(new TensorType(DType.F32, 1 << 20));
        Assert.That(device.LiveBytes - before, Is.EqualTo(4L << 20));
        t.Dispose();
        Assert.That(device.CachedBytes, Is.GreaterThanOrEqualTo(4L << 20));
        using var again = device.Allocate(new TensorType(DType.F32, 1 << 20));
        Assert.That(device.CachedBytes, Is.Zero, "the freed block was reused");
        device.Trim();
    }
}
