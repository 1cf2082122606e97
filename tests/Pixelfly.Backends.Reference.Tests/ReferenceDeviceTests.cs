using System.Runtime.CompilerServices;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Reference.Tests.TestSupport;

namespace Pixelfly.Backends.Reference.Tests;

/// <summary>The backend and device contract: probe, registry, op coverage, bindings, donation.</summary>
public sealed class ReferenceDeviceTests
{
    private static TensorType F32(params int[] dims) => new(DType.F32, dims);

    private static TensorType I32(params int[] dims) => new(DType.I32, dims);

    /// <summary>One valid application of every op of the IR (several for enum-parameterised ops).</summary>
    private static IEnumerable<(Op Op, TensorType[] Inputs)> SampleOps()
    {
        var layout = BlockLayout.FromMask(new[,] { { true, false }, { true, true } }, 2);
        foreach (var f in Enum.GetValues<UnaryFunction>()) yield return (new UnaryOp(f), [F32(2, 3)]);
        foreach (var f in Enum.GetValues<BinaryFunction>()) yield return (new BinaryOp(f), [F32(2, 3), F32(3)]);
        foreach (var k in Enum.GetValues<ReduceKind>()) yield return (new ReduceOp(k, [1], false), [F32(2, 3)]);
        yield return (new WhereOp(), [I32(2, 1), F32(2, 3), F32(3)]);
        yield return (new CastOp(DType.BF16), [F32(2, 3)]);
        yield return (new FullOp([2, 2], 1.5, DType.F32), []);
        yield return (new SoftmaxOp(-1), [F32(2, 3)]);
        yield return (new LogSoftmaxOp(0), [F32(2, 3)]);
        yield return (new LayerNormOp(1e-5), [F32(2, 3), F32(3), F32(3)]);
        yield return (new CrossEntropyOp(), [F32(2, 3), I32(2)]);
        yield return (new OneHotOp(3, DType.F32), [I32(2)]);
        yield return (new ReshapeOp([3, 2]), [F32(2, 3)]);
        yield return (new TransposeOp([1, 0]), [F32(2, 3)]);
        yield return (new SliceOp([0, 1], [2, 3]), [F32(2, 3)]);
        yield return (new PadOp([1, 0], [0, 1]), [F32(2, 3)]);
        yield return (new ConcatOp(0), [F32(2, 3), F32(1, 3)]);
        yield return (new BroadcastToOp([4, 2, 3]), [F32(2, 3)]);
        yield return (new GatherOp(), [F32(4, 3), I32(2)]);
        yield return (new ScatterAddOp(4), [I32(2), F32(2, 3)]);
        yield return (new MatMulOp(), [F32(2, 3), F32(3, 4)]);
        yield return (new BlockSparseMatMulOp(SparseMode.Sdd, layout, TransA: true), [F32(5, 4), F32(5, 4)]);
        yield return (new BlockSparseMatMulOp(SparseMode.Dsd, layout), [F32(3, 2, 2), F32(4, 5)]);
        yield return (new BlockSparseMatMulOp(SparseMode.Dds, layout, TransB: true, OutputType: DType.BF16), [F32(5, 4), F32(3, 2, 2)]);
        yield return (new BlockSparseSoftmaxOp(layout, 0.5), [F32(3, 2, 2)]);
        yield return (new BlockSparseSoftmaxGradOp(layout, 0.5), [F32(3, 2, 2), F32(3, 2, 2)]);
        yield return (new AdamWOp(), [F32(3), F32(3), F32(3), F32(3), F32(), F32()]);
    }

    [Test]
    public void ProbeIsAvailableWithScoreZeroAndOneDeviceNamedRef()
    {
        var backend = new ReferenceBackend();
        var probe = backend.Probe();
        Assert.That(probe.IsAvailable, Is.True);
        Assert.That(probe.Score, Is.EqualTo(0), "a positive score would let 'auto' choose the slow oracle");
        var devices = backend.EnumerateDevices();
        Assert.That(devices.Select(d => d.Id), Is.EqualTo(new[] { "ref" }));
        Assert.That(devices[0].Capabilities["precision"], Is.EqualTo("f64"));
    }

    [Test]
    public void RegistryOpensRefButAutoNeverChoosesIt()
    {
        BackendRegistry.Register(new ReferenceBackend());
        using var device = BackendRegistry.Open("ref");
        Assert.That(device, Is.InstanceOf<ReferenceDevice>());
        Assert.That(device.Info.Id, Is.EqualTo("ref"));
        try
        {
            var (backend, _) = BackendRegistry.Find("auto");
            Assert.That(backend.Name, Is.Not.EqualTo("ref"));
        }
        catch (DeviceUnavailableException)
        {
            // No other backend is registered in this test assembly: auto has nothing to choose, which is right.
        }
    }

    [Test]
    public void OpeningAnotherBackendsDeviceIsRefused()
    {
        var foreign = new DeviceInfo("cpu", "cpu", "CPU", "", 0, new Dictionary<string, string>());
        var ex = Assert.Throws<DeviceUnavailableException>(() => new ReferenceBackend().Open(foreign, DeviceOptions.None));
        Assert.That(ex!.Message, Does.Contain("'cpu'"));
    }

    [Test]
    public void SamplesCoverEveryOpTypeOfTheIr()
    {
        var opTypes = typeof(Op).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Op)) && !t.IsAbstract).ToHashSet();
        var sampled = SampleOps().Select(s => s.Op.GetType()).ToHashSet();
        Assert.That(opTypes.Except(sampled), Is.Empty, "an op was added to the IR: add a sample here (and a kernel)");
    }

    [Test]
    public void EveryOpIsSupportedAndRunsToFiniteOutputs()
    {
        foreach (var (op, inputTypes) in SampleOps())
        {
            var support = Device.Supports(op, inputTypes);
            Assert.That(support.IsSupported, Is.True, $"{op.Name}: {support.Reason}");

            var b = new GraphBuilder();
            var inputs = inputTypes.Select((t, i) => b.Input($"in{i}", t)).ToArray();
            var outs = b.Apply(op, inputs);
            for (int i = 0; i < outs.Length; i++) b.Output($"out{i}", outs[i]);
            var data = inputTypes.Select((t, i) => ($"in{i}", SampleData(t, i))).ToArray();
            var result = Run(b.Build(), data);
            foreach (var (name, tensor) in result)
                Assert.That(tensor.ToDoubles().All(double.IsFinite), Is.True, $"{op.Name} output {name}");
        }
    }

    [Test]
    public void SupportsSaysNoWithTheReasonForInputsTheOpRejects()
    {
        var support = Device.Supports(new MatMulOp(), [F32(2, 3), F32(4, 5)]);
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.Contain("inner dimensions differ"));
    }

    [Test]
    public void AnOpWithoutAKernelIsReportedNotCrashed()
    {
        var op = new UnknownTestOp();
        Assert.That(Device.Supports(op, [F32(2)]).IsSupported, Is.False);
        var b = new GraphBuilder();
        b.Output("y", b.Apply1(op, b.Input("x", F32(2))));
        var ex = Assert.Throws<UnsupportedOpException>(() => Device.Compile(b.Build()));
        Assert.That(ex!.Message, Does.Contain("unknown_test_op"));
    }

    [Test]
    public void MissingInputIsABindingError()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 2);
        var z = b.Input("z", DType.F32, 2);
        b.Output("y", x + z);
        using var exe = Device.Compile(b.Build());
        var outputs = new Dictionary<string, IDeviceTensor> { ["y"] = Device.Allocate(F32(2)) };
        var ex = Assert.Throws<BindingException>(() => exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = Device.Allocate(F32(2)) }, outputs));
        Assert.That(ex!.Message, Does.Contain("'z'"));
        var wrong = new Dictionary<string, IDeviceTensor> { ["x"] = Device.Allocate(F32(2)), ["z"] = Device.Allocate(F32(3)) };
        Assert.Throws<BindingException>(() => exe.Run(wrong, outputs));
    }

    [Test]
    public void DonatedOutputOverwritesItsInputTensor()
    {
        var b = new GraphBuilder();
        var w = b.Parameter("w", DType.F32, 3);
        var d = b.Input("d", DType.F32, 3);
        b.Output("w_next", w - d, donates: "w");
        b.Output("w_twice", w + w);
        using var exe = Device.Compile(b.Build());
        var wT = Device.Upload(HostTensor.FromFloats([1, 2, 3], 3));
        var dT = Device.Upload(HostTensor.FromFloats([0.5f, 0.5f, 1], 3));
        var twice = Device.Allocate(F32(3));
        var inputs = new Dictionary<string, IDeviceTensor> { ["w"] = wT, ["d"] = dT };
        var outputs = new Dictionary<string, IDeviceTensor> { ["w_next"] = wT, ["w_twice"] = twice };
        exe.Run(inputs, outputs);
        Assert.That(wT.Download().ToDoubles(), Is.EqualTo(new double[] { 0.5, 1.5, 2 }));
        // Every output reads the inputs as they were before the run, whatever the output order.
        Assert.That(twice.Download().ToDoubles(), Is.EqualTo(new double[] { 2, 4, 6 }));
        exe.Run(inputs, outputs);
        Assert.That(wT.Download().ToDoubles(), Is.EqualTo(new double[] { 0, 1, 1 }));
        Assert.That(twice.Download().ToDoubles(), Is.EqualTo(new double[] { 1, 3, 4 }));
    }

    [Test]
    public void OutputsCanBeInputsAndConstantsDirectly()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.BF16, 2);
        var c = b.Constant("c", HostTensor.FromInts([4, -5], 2));
        b.Output("x_again", x);
        b.Output("c_again", c);
        var r = Run(b.Build(), ("x", HostTensor.FromDoubles(new TensorType(DType.BF16, 2), [1.5, -0.25])));
        Assert.That(r["x_again"].ToDoubles(), Is.EqualTo(new[] { 1.5, -0.25 }));
        Assert.That(r["c_again"].ToDoubles(), Is.EqualTo(new double[] { 4, -5 }));
    }

    [Test]
    public void DescribeListsEveryNode()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 2);
        b.Output("y", b.Exp(b.Neg(x)));
        using var exe = Device.Compile(b.Build());
        var text = exe.Describe();
        Assert.That(text, Does.Contain("neg(x)").And.Contain("exp(").And.Contain("2 nodes"));
    }

    /// <summary>Values in [0.5, 1.5] (valid for log, sqrt, rsqrt), index 0 for i32, 1 for scalars (lr, step).</summary>
    private static HostTensor SampleData(TensorType type, int seed)
    {
        if (type.DType == DType.I32) return new HostTensor(type);
        if (type.Shape.Rank == 0) return HostTensor.FromDoubles(type, [1.0]);
        return HostTensor.FromDoubles(type, RandomValues(new Random(seed), type.Shape.ElementCount, 0.5, 1.5));
    }

    private sealed record UnknownTestOp : Op
    {
        public override string Name => "unknown_test_op";

        public override int? Arity => 1;

        public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs) => [inputs[0]];
    }
}
