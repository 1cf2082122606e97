using Pixelfly.Backends.Reference;
using Pixelfly.Backends.Vulkan.Runtime;
using Pixelfly.Devices;
using Pixelfly.Devices.Planning;
using Pixelfly.Ir;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Vulkan.Tests.TestSupport;

namespace Pixelfly.Backends.Vulkan.Tests;

/// <summary>Compile = plan + record; run = replay: memory reuse, aliasing, donation, bindings, status and timing.</summary>
public sealed class ExecutableTests(int index) : VulkanFixture(index)
{
    [Test]
    public void A_chain_of_elementwise_ops_matches_the_reference_and_reuses_arena_slots()
    {
        var b = new GraphBuilder();
        var v = b.Input("x", DType.F32, 1000);
        for (int i = 0; i < 6; i++) v = i % 2 == 0 ? b.Tanh(v) : b.Neg(v);
        b.Output("y", v);
        var graph = b.Build();
        using var exe = (VulkanExecutable)Device.Compile(graph);
        var x = RandomTensor(1, 1000);

        var y = AsFloats(Run(exe, Device, new() { ["x"] = x })["y"]);

        var expected = x.ToDoubles().Select(t =>
        {
            for (int i = 0; i < 6; i++) t = i % 2 == 0 ? Math.Tanh(t) : -t;
            return t;
        }).ToArray();
        Assert.That(y, Is.EqualTo(expected.Select(e => (float)e)).Within(1e-5f));
        Assert.That(exe.Plan.ArenaSlotSizes, Has.Length.LessThanOrEqualTo(2), "intermediates ping-pong between two slots");
        Assert.That(exe.Describe(), Does.Contain("dispatches").And.Contain("arena"));
    }

    [Test]
    public void An_f32_output_is_written_in_place_and_a_second_output_of_the_same_value_is_copied()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 50);
        var e = b.Exp(x);
        b.Output("y", e);
        b.Output("y2", e);
        using var exe = (VulkanExecutable)Device.Compile(b.Build());
        int value = exe.Graph.Outputs[0].Value;
        Assert.That(exe.Plan.Storage[value].Kind, Is.EqualTo(StorageKind.Output));
        Assert.That(exe.Plan.Exports.Select(x => x.Kind), Is.EqualTo(new[] { ExportKind.None, ExportKind.CopyValue }));
        var tx = RandomTensor(11, 50);

        var r = Run(exe, Device, new() { ["x"] = tx });

        Assert.That(AsFloats(r["y"]), Is.EqualTo(AsFloats(tx).Select(MathF.Exp)).Within(1e-5f));
        Assert.That(AsFloats(r["y2"]), Is.EqualTo(AsFloats(r["y"])));
    }

    [Test]
    public void Replays_reuse_the_recording_and_new_tensors_record_again()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 64);
        b.Output("y", b.Exp(x));
        using var exe = (VulkanExecutable)Device.Compile(b.Build());
        using var tx = Device.Allocate(new TensorType(DType.F32, 64));
        using var ty = Device.Allocate(new TensorType(DType.F32, 64));
        using var ty2 = Device.Allocate(new TensorType(DType.F32, 64));
        var data = RandomTensor(2, 64);
        tx.Upload(data.Data);

        exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = tx }, new Dictionary<string, IDeviceTensor> { ["y"] = ty });
        exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = tx }, new Dictionary<string, IDeviceTensor> { ["y"] = ty });
        Assert.That(exe.RecordingCount, Is.EqualTo(1));
        exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = tx }, new Dictionary<string, IDeviceTensor> { ["y"] = ty2 });
        Assert.That(exe.RecordingCount, Is.EqualTo(2));

        var a = new HostTensor(ty.Type);
        var c = new HostTensor(ty2.Type);
        ty.Download(a.Data);
        ty2.Download(c.Data);
        Assert.That(AsFloats(c), Is.EqualTo(AsFloats(a)), "a replay is deterministic");
        Assert.That(AsFloats(a), Is.EqualTo(AsFloats(data).Select(MathF.Exp)).Within(1e-5f));
        Assert.That(exe.LastRunDeviceMilliseconds, Is.Not.Null.And.GreaterThanOrEqualTo(0));
    }

    [Test]
    public void A_reshape_that_is_not_an_output_is_an_alias_without_a_dispatch()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 4, 6);
        var r = b.Reshape(b.Exp(x), 24);
        b.Output("y", b.Neg(r));
        using var exe = (VulkanExecutable)Device.Compile(b.Build());
        Assert.That(exe.Plan.AliasedNodes.Count(a => a), Is.EqualTo(1));
        var tx = RandomTensor(3, 4, 6);

        var y = AsFloats(Run(exe, Device, new() { ["x"] = tx })["y"]);

        Assert.That(y, Is.EqualTo(AsFloats(tx).Select(t => -MathF.Exp(t))).Within(1e-5f));
    }

    [Test]
    public void Donated_output_does_not_corrupt_a_later_reader_of_the_donated_input()
    {
        var b = new GraphBuilder();
        var x = b.Parameter("x", DType.F32, 300);
        var y = b.Mul(x, b.Scalar(2));
        var z = b.Add(x, b.Scalar(1));
        b.Output("y", y, donates: "x");
        b.Output("z", z);
        using var exe = Device.Compile(b.Build());
        var tx = RandomTensor(4, 300);

        var r = Run(exe, Device, new() { ["x"] = tx });

        Assert.That(AsFloats(r["y"]), Is.EqualTo(AsFloats(tx).Select(t => 2 * t)).Within(1e-6f));
        Assert.That(AsFloats(r["z"]), Is.EqualTo(AsFloats(tx).Select(t => t + 1)).Within(1e-6f));
    }

    [Test]
    public void Two_parameters_that_swap_through_donation_both_arrive()
    {
        var b = new GraphBuilder();
        var p = b.Parameter("p", DType.F32, 10);
        var q = b.Parameter("q", DType.F32, 10);
        b.Output("p_next", q, donates: "p");
        b.Output("q_next", p, donates: "q");
        b.Output("p_copy", p);
        using var exe = Device.Compile(b.Build());
        var tp = RandomTensor(5, 10);
        var tq = RandomTensor(6, 10);

        var r = Run(exe, Device, new() { ["p"] = tp, ["q"] = tq });

        Assert.That(AsFloats(r["p_next"]), Is.EqualTo(AsFloats(tq)));
        Assert.That(AsFloats(r["q_next"]), Is.EqualTo(AsFloats(tp)));
        Assert.That(AsFloats(r["p_copy"]), Is.EqualTo(AsFloats(tp)));
    }

    [Test]
    public void F16_inputs_and_outputs_are_converted_on_the_device_and_rounded()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F16, 5);
        b.Output("y", b.Add(x, x));
        b.Output("x_again", x);
        using var exe = Device.Compile(b.Build());
        var values = new[] { 1f, -2.5f, 0.1f, 65504f / 4, 3.140625f };
        var tx = new HostTensor(new TensorType(DType.F16, 5));
        var halves = tx.AsSpan<Half>();
        for (int i = 0; i < 5; i++) halves[i] = (Half)values[i];

        var r = Run(exe, Device, new() { ["x"] = tx });

        var y = r["y"].AsSpan<Half>().ToArray().Select(h => (float)h).ToArray();
        Assert.That(y, Is.EqualTo(halves.ToArray().Select(h => (float)(Half)(2 * (float)h))));
        Assert.That(r["x_again"].Data, Is.EqualTo(tx.Data));
    }

    [Test]
    public void Constants_and_pass_through_outputs_are_copied_out()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 3);
        var c = b.Constant("c", Floats([1f, 2f, 3f], 3));
        b.Output("c_out", c);
        b.Output("x_out", x);
        b.Output("sum", b.Add(x, c));
        using var exe = Device.Compile(b.Build());
        var tx = Floats([10f, 20f, 30f], 3);

        var r = Run(exe, Device, new() { ["x"] = tx });

        Assert.That(AsFloats(r["c_out"]), Is.EqualTo(new[] { 1f, 2f, 3f }));
        Assert.That(AsFloats(r["x_out"]), Is.EqualTo(new[] { 10f, 20f, 30f }));
        Assert.That(AsFloats(r["sum"]), Is.EqualTo(new[] { 11f, 22f, 33f }));
    }

    [Test]
    public void A_matmul_matches_the_reference()
    {
        var b = new GraphBuilder();
        var a = b.Input("a", DType.F32, 37, 45);
        var w = b.Input("w", DType.F32, 45, 29);
        b.Output("y", b.MatMul(a, w));
        var graph = b.Build();
        using var exe = Device.Compile(graph);
        var inputs = new Dictionary<string, HostTensor> { ["a"] = RandomTensor(7, 37, 45), ["w"] = RandomTensor(8, 45, 29) };

        var y = AsFloats(Run(exe, Device, inputs)["y"]);

        using var reference = new ReferenceBackend().Open();
        using var refExe = reference.Compile(graph);
        var expected = Run(refExe, reference, inputs)["y"].ToDoubles();
        Assert.That(y, Is.EqualTo(expected.Select(e => (float)e)).Within(1e-4f));
    }

    [Test]
    public void An_index_out_of_range_is_an_execution_error_naming_the_node()
    {
        var b = new GraphBuilder();
        var table = b.Input("table", DType.F32, 4, 3);
        var idx = b.Input("idx", DType.I32, 2);
        b.Output("rows", b.Gather(table, idx));
        using var exe = Device.Compile(b.Build());
        var inputs = new Dictionary<string, HostTensor> { ["table"] = RandomTensor(9, 4, 3), ["idx"] = HostTensor.FromInts([1, 7], 2) };

        var e = Assert.Throws<ExecutionException>(() => Run(exe, Device, inputs));

        Assert.That(e!.Message, Does.Contain("gather: index 7 at position 1 is outside [0, 4)").And.Contain("node 0"));
        // The status is cleared before every run: good data runs clean afterwards.
        inputs["idx"] = HostTensor.FromInts([3, 0], 2);
        Assert.DoesNotThrow(() => Run(exe, Device, inputs));
    }

    [Test]
    public void A_label_out_of_range_names_its_row()
    {
        var b = new GraphBuilder();
        var logits = b.Input("logits", DType.F32, 3, 5);
        var labels = b.Input("labels", DType.I32, 3);
        b.Output("loss", b.CrossEntropy(logits, labels));
        using var exe = Device.Compile(b.Build());
        var inputs = new Dictionary<string, HostTensor> { ["logits"] = RandomTensor(12, 3, 5), ["labels"] = HostTensor.FromInts([0, 4, 5], 3) };

        var e = Assert.Throws<ExecutionException>(() => Run(exe, Device, inputs));

        Assert.That(e!.Message, Does.Contain("cross_entropy: row 2 has label 5, outside [0, 5)"));
    }

    [Test]
    public void An_adamw_step_below_one_is_an_execution_error()
    {
        var b = new GraphBuilder();
        var p = b.Parameter("p", DType.F32, 4);
        var g = b.Input("g", DType.F32, 4);
        var m = b.Parameter("m", DType.F32, 4);
        var v = b.Parameter("v", DType.F32, 4);
        var lr = b.Input("lr", DType.F32);
        var step = b.Input("step", DType.F32);
        var (p2, m2, v2) = b.AdamW(p, g, m, v, lr, step, new Pixelfly.Ir.Ops.AdamWOp());
        b.Output("p_next", p2, donates: "p");
        b.Output("m_next", m2, donates: "m");
        b.Output("v_next", v2, donates: "v");
        using var exe = Device.Compile(b.Build());
        var inputs = new Dictionary<string, HostTensor>
        {
            ["p"] = RandomTensor(13, 4), ["g"] = RandomTensor(14, 4), ["m"] = new(new TensorType(DType.F32, 4)), ["v"] = new(new TensorType(DType.F32, 4)),
            ["lr"] = HostTensor.FromFloats([0.1f]), ["step"] = HostTensor.FromFloats([0f]),
        };

        var e = Assert.Throws<ExecutionException>(() => Run(exe, Device, inputs));

        Assert.That(e!.Message, Does.Contain("adamw: step must be >= 1").And.Contain("got 0"));
    }

    [Test]
    public void Tensors_of_another_device_or_disposed_ones_are_binding_errors()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 4);
        b.Output("y", b.Neg(x));
        using var exe = Device.Compile(b.Build());
        using var y = Device.Allocate(new TensorType(DType.F32, 4));
        var host = new HostMemoryTensor(new TensorType(DType.F32, 4));
        var e = Assert.Throws<BindingException>(() => exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = host }, new Dictionary<string, IDeviceTensor> { ["y"] = y }));
        Assert.That(e!.Message, Does.Contain("HostMemoryTensor").And.Contain("vulkan"));

        var gone = Device.Allocate(new TensorType(DType.F32, 4));
        gone.Dispose();
        e = Assert.Throws<BindingException>(() => exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = gone }, new Dictionary<string, IDeviceTensor> { ["y"] = y }));
        Assert.That(e!.Message, Does.Contain("disposed"));

        Assert.Throws<BindingException>(() => exe.Run(new Dictionary<string, IDeviceTensor>(), new Dictionary<string, IDeviceTensor> { ["y"] = y }));
    }

    [Test]
    public void A_value_larger_than_the_storage_buffer_range_is_rejected_at_compile_time()
    {
        long range = long.Parse(Device.Info.Capabilities["max.storage.buffer.range"]);
        if (range > 1L << 30) Assert.Ignore($"this device's storage buffers hold {range} bytes; the graph would be too large to build cheaply");
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, (int)(range / 8) + 1);
        var big = b.Concat(0, x, x);
        b.Output("y", b.ReduceSum(b.Exp(big), [0]));
        var e = Assert.Catch(() => Device.Compile(b.Build()));
        Assert.That(e, Is.InstanceOf<NotSupportedException>().Or.InstanceOf<UnsupportedOpException>());
        Assert.That(e!.Message, Does.Contain("storage buffer").IgnoreCase.Or.Contain("maxStorageBufferRange"));
    }

    [Test]
    public void F64_graphs_are_unsupported_with_the_reason()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F64, 4);
        b.Output("y", b.Neg(x));
        var e = Assert.Throws<UnsupportedOpException>(() => Device.Compile(b.Build()));
        Assert.That(e!.Message, Does.Contain("f64"));
    }

    [Test]
    public void Dependent_dispatches_are_separated_by_barriers_and_independent_ones_are_not()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 16);
        var e1 = b.Exp(x);
        var e2 = b.Tanh(x);
        b.Output("y", b.Add(e1, e2));
        using var exe = (VulkanExecutable)Device.Compile(b.Build());
        var steps = exe.Describe();
        // exp and tanh only read x: no barrier between them; the add reads both: one barrier before it.
        Assert.That(exe.DispatchCount, Is.GreaterThanOrEqualTo(3));
        Assert.That(exe.BarrierCount, Is.LessThan(exe.DispatchCount + 1), steps);
    }
}
