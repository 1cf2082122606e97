using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Vulkan.Tests.TestSupport;

namespace Pixelfly.Backends.Vulkan.Tests.Ops;

/// <summary>
/// The op shaders on a real Vulkan device (validation on): bit-exact f16/bf16 rounding, the reference's answers
/// where GLSL leaves results undefined (NaN, negative logs, saturating casts), data-dependent errors through the
/// status buffer, determinism, and grids of many workgroups.
/// </summary>
public sealed class OpShaderDeviceTests(int index) : VulkanFixture(index)
{
    // Ties, subnormals, overflow, infinities and NaN for the f16 and bf16 round-to-nearest-even paths.
    private static readonly float[] Awkward =
    [
        0f, -0f, 1f, -1f, 65504f, 65519.99f, 65520f, -65520f, 1e6f, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
        1f + 1f / 2048f, 1f + 3f / 2048f, 1.00390625f, 1.01171875f, 5.96046448e-8f, 2.98023224e-8f, 2.98023239e-8f,
        6.09755516e-5f, 6.10351562e-5f, 1e-10f, -3.0e-6f, 3.3895314e38f, -3.3961776e38f, 0.1f, 0.2f, 123.456f,
    ];

    [Test]
    public void CastToF16RoundsExactlyAsSystemHalf()
    {
        var y = RunUnaryGraph(b => b.Cast(b["x"], DType.F16), Awkward, DType.F16);
        var expected = Awkward.Select(v => (float)(Half)v).ToArray();
        AssertBitsEqual(y.ToDoubles().Select(v => (float)v).ToArray(), expected);
    }

    [Test]
    public void CastToBF16RoundsToNearestEven()
    {
        var y = RunUnaryGraph(b => b.Cast(b["x"], DType.BF16), Awkward, DType.BF16);
        var expected = Awkward.Select(v => BFloat16Bits.ToFloat(BFloat16Bits.FromFloat(v))).ToArray();
        AssertBitsEqual(y.ToDoubles().Select(v => (float)v).ToArray(), expected);
    }

    [Test]
    public void CastToI32TruncatesSaturatesAndMapsNaNToZero()
    {
        float[] x = [2.7f, -2.7f, 0.5f, -0.5f, 3e9f, -3e9f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 2147483520f];
        var y = RunUnaryGraph(b => b.Cast(b["x"], DType.I32), x, DType.I32).AsSpan<int>().ToArray();
        Assert.That(y, Is.EqualTo(new[] { 2, -2, 0, 0, int.MaxValue, int.MinValue, 0, int.MaxValue, int.MinValue, 2147483520 }));
    }

    [Test]
    public void UnaryOpsFollowTheReferenceAtSpecialValues()
    {
        float[] x = [-1f, 0f, -0f, float.NaN, float.PositiveInfinity, 100f, -100f, 1e-4f];
        var log = AsFloats(RunUnaryGraph(b => b.Log(b["x"]), x, DType.F32));
        Assert.That(float.IsNaN(log[0]) && float.IsNegativeInfinity(log[1]) && float.IsNegativeInfinity(log[2]) && float.IsNaN(log[3]));
        var sqrt = AsFloats(RunUnaryGraph(b => b.Sqrt(b["x"]), x, DType.F32));
        Assert.That(float.IsNaN(sqrt[0]) && sqrt[1] == 0 && float.IsPositiveInfinity(sqrt[4]));
        var rsqrt = AsFloats(RunUnaryGraph(b => b.Rsqrt(b["x"]), x, DType.F32));
        Assert.That(float.IsNaN(rsqrt[0]) && float.IsPositiveInfinity(rsqrt[1]) && rsqrt[4] == 0);
        var relu = AsFloats(RunUnaryGraph(b => b.Relu(b["x"]), x, DType.F32));
        Assert.That(float.IsNaN(relu[3]), "relu propagates NaN, as Math.Max does");
        var tanh = AsFloats(RunUnaryGraph(b => b.Tanh(b["x"]), x, DType.F32));
        Assert.That(tanh[5], Is.EqualTo(1f));
        Assert.That(tanh[6], Is.EqualTo(-1f));
        Assert.That(tanh[7], Is.EqualTo((float)Math.Tanh(1e-4)).Within(1e-11f), "no cancellation near zero");
        var sigmoid = AsFloats(RunUnaryGraph(b => b.Sigmoid(b["x"]), x, DType.F32));
        Assert.That(sigmoid[5], Is.EqualTo(1f));
        Assert.That(sigmoid[6], Is.EqualTo(0f).Within(1e-38f));
    }

    [Test]
    public void MaximumAndReduceMaxPropagateNaN()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 2, 100);
        b.Output("max", b.Maximum(x, b.Scalar(0)));
        b.Output("rmax", b.ReduceMax(x, [1]));
        var data = Sequence(200, i => i == 150 ? float.NaN : i);
        using var exe = Device.Compile(b.Build());
        var y = Run(exe, Device, new() { ["x"] = Floats(data, 2, 100) });
        var max = AsFloats(y["max"]);
        Assert.That(float.IsNaN(max[150]) && max[149] == 149);
        var rmax = AsFloats(y["rmax"]);
        Assert.That(rmax[0], Is.EqualTo(99f));
        Assert.That(float.IsNaN(rmax[1]), "a NaN in the row makes the maximum NaN");
    }

    [Test]
    public void ManyWorkgroupsCoverEveryElementOnce()
    {
        const int n = 300_001;
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, n);
        b.Output("y", b.Neg(x));
        b.Output("s", b.ReduceSum(b.Reshape(x, 1, n), [1]));
        using var exe = Device.Compile(b.Build());
        var data = Sequence(n, i => i % 7 - 3);
        var y = Run(exe, Device, new() { ["x"] = Floats(data, n) });
        Assert.That(AsFloats(y["y"]), Is.EqualTo(data.Select(v => -v)));
        Assert.That(AsFloats(y["s"])[0], Is.EqualTo(data.Sum(v => (double)v)), "small integers sum exactly in any order");
    }

    [Test]
    public void SplitReductionsMatchTheWholeRow()
    {
        const int n = 50_000;
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 3, n);
        b.Output("mean", b.ReduceMean(x, [1]));
        b.Output("max", b.ReduceMax(x, [-1], keepDims: true));
        using var exe = Device.Compile(b.Build());
        var data = RandomTensor(11, 3, n);
        var y = Run(exe, Device, new() { ["x"] = data });
        var values = AsFloats(data);
        for (int r = 0; r < 3; r++)
        {
            var row = values.Skip(r * n).Take(n).ToArray();
            Assert.That(AsFloats(y["mean"])[r], Is.EqualTo(row.Average(v => (double)v)).Within(1e-6));
            Assert.That(AsFloats(y["max"])[r], Is.EqualTo(row.Max()), "the maximum is exact");
        }
    }

    [Test]
    public void ColumnTileReductionsOverAnOuterAxisMatchTheReference()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 300, 70);
        b.Output("sum", b.ReduceSum(x, [0]));
        b.Output("max", b.ReduceMax(x, [0], keepDims: true));
        using var exe = Device.Compile(b.Build());
        var data = RandomTensor(5, 300, 70);
        var y = Run(exe, Device, new() { ["x"] = data });
        var values = AsFloats(data);
        for (int j = 0; j < 70; j++)
        {
            var column = Enumerable.Range(0, 300).Select(i => values[i * 70 + j]).ToArray();
            Assert.That(AsFloats(y["sum"])[j], Is.EqualTo(column.Sum(v => (double)v)).Within(1e-4), $"column {j}");
            Assert.That(AsFloats(y["max"])[j], Is.EqualTo(column.Max()), $"column {j}");
        }
    }

    [TestCase(4000, 3, 5)]
    [TestCase(1000, 37, 300)]
    [TestCase(300, 1, 1)]
    public void ScatterAddIsDeterministicAndSumsInIndexOrder(int count, int rows, int width)
    {
        var rng = new Random(7);
        var indices = Enumerable.Range(0, count).Select(_ => rng.Next(rows)).ToArray();
        var updates = Sequence(count * width, _ => (float)(rng.NextDouble() * 2e4 - 1e4) * (rng.Next(2) == 0 ? 1e-4f : 1f));
        var b = new GraphBuilder();
        b.Output("y", b.ScatterAdd(b.Input("i", DType.I32, count), b.Input("u", DType.F32, count, width), rows));
        using var exe = Device.Compile(b.Build());
        var inputs = new Dictionary<string, HostTensor> { ["i"] = HostTensor.FromInts(indices, count), ["u"] = Floats(updates, count, width) };
        var first = AsFloats(Run(exe, Device, inputs)["y"]);
        var second = AsFloats(Run(exe, Device, inputs)["y"]);
        Assert.That(second, Is.EqualTo(first), "bit-identical across runs");
        var expected = new float[rows * width];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < width; j++) expected[indices[i] * width + j] += updates[i * width + j];
        Assert.That(first, Is.EqualTo(expected), "f32 sums in the order of the indices");
    }

    [Test]
    public void GatherReportsAnIndexOutsideTheTable()
    {
        var b = new GraphBuilder();
        b.Output("y", b.Gather(b.Input("t", DType.F32, 5, 2), b.Input("i", DType.I32, 3)));
        using var exe = Device.Compile(b.Build());
        var inputs = new Dictionary<string, HostTensor> { ["t"] = Floats(new float[10], 5, 2), ["i"] = HostTensor.FromInts([0, 7, 1], 3) };
        Assert.That(() => Run(exe, Device, inputs), Throws.TypeOf<ExecutionException>().With.Message.Contains("gather").And.Message.Contains("7"));
        inputs["i"] = HostTensor.FromInts([4, 0, 1], 3);
        Assert.That(() => Run(exe, Device, inputs), Throws.Nothing, "the status is cleared between runs");
    }

    [Test]
    public void IndicesAreCheckedEvenWhenRowsAreEmpty()
    {
        var b = new GraphBuilder();
        b.Output("g", b.Gather(b.Input("t", DType.F32, 5, 0), b.Input("i", DType.I32, 3)));
        using var exe = Device.Compile(b.Build());
        var inputs = new Dictionary<string, HostTensor> { ["t"] = Floats([], 5, 0), ["i"] = HostTensor.FromInts([0, 5, 1], 3) };
        Assert.That(() => Run(exe, Device, inputs), Throws.TypeOf<ExecutionException>().With.Message.Contains("gather").And.Message.Contains("5"));
        inputs["i"] = HostTensor.FromInts([0, 4, 1], 3);
        Assert.That(() => Run(exe, Device, inputs), Throws.Nothing);
    }

    [Test]
    public void ScatterAddReportsAnIndexOutsideTheRows()
    {
        var b = new GraphBuilder();
        b.Output("y", b.ScatterAdd(b.Input("i", DType.I32, 2), b.Input("u", DType.F32, 2, 3), 4));
        using var exe = Device.Compile(b.Build());
        var inputs = new Dictionary<string, HostTensor> { ["i"] = HostTensor.FromInts([1, -1], 2), ["u"] = Floats(new float[6], 2, 3) };
        Assert.That(() => Run(exe, Device, inputs), Throws.TypeOf<ExecutionException>().With.Message.Contains("scatter_add").And.Message.Contains("-1"));
    }

    [Test]
    public void CrossEntropyReportsALabelOutsideTheClasses()
    {
        var b = new GraphBuilder();
        b.Output("y", b.CrossEntropy(b.Input("x", DType.F32, 2, 4), b.Input("l", DType.I32, 2)));
        using var exe = Device.Compile(b.Build());
        var inputs = new Dictionary<string, HostTensor> { ["x"] = Floats(new float[8], 2, 4), ["l"] = HostTensor.FromInts([3, 4], 2) };
        Assert.That(() => Run(exe, Device, inputs), Throws.TypeOf<ExecutionException>().With.Message.Contains("cross_entropy").And.Message.Contains("4"));
    }

    [Test]
    public void AdamWRefusesStepZero()
    {
        var b = new GraphBuilder();
        var p = b.Input("p", DType.F32, 4);
        var outs = b.Apply(new Pixelfly.Ir.Ops.AdamWOp(), [p, b.Input("g", DType.F32, 4), b.Input("m", DType.F32, 4), b.Input("v", DType.F32, 4), b.Input("lr", DType.F32), b.Input("step", DType.F32)]);
        b.Output("p2", outs[0]);
        b.Output("m2", outs[1]);
        b.Output("v2", outs[2]);
        using var exe = Device.Compile(b.Build());
        var zeros = Floats(new float[4], 4);
        var inputs = new Dictionary<string, HostTensor>
        {
            ["p"] = zeros, ["g"] = zeros, ["m"] = zeros, ["v"] = zeros, ["lr"] = Floats([0.1f]), ["step"] = Floats([0f]),
        };
        Assert.That(() => Run(exe, Device, inputs), Throws.TypeOf<ExecutionException>().With.Message.Contains("adamw").And.Message.Contains("step"));
    }

    [Test]
    public void OddLengthF16TensorsRoundTripThroughImportAndExport()
    {
        float[] x = [1.5f, -2.25f, 65504f, 6.1035156e-5f, 5.9604645e-8f];
        var y = RunUnaryGraph(b => b.Neg(b["x"]), x.Select(v => (float)(Half)v).ToArray(), DType.F16, DType.F16);
        Assert.That(y.ToDoubles(), Is.EqualTo(x.Select(v => -(double)(Half)v)));
    }

    // Runs y = build(x) on an input of `inputType` holding `x` (rounded to it) and returns y.
    private HostTensor RunUnaryGraph(Func<GraphBuilder, Value> build, float[] x, DType outputType, DType inputType = DType.F32)
    {
        var b = new GraphBuilder();
        b.Input("x", inputType, x.Length);
        var y = build(b);
        Assert.That(b.TypeOf(y).DType, Is.EqualTo(outputType));
        b.Output("y", y);
        using var exe = Device.Compile(b.Build());
        var input = HostTensor.FromDoubles(new TensorType(inputType, new Shape(x.Length)), x.Select(v => (double)v).ToArray());
        return Run(exe, Device, new() { ["x"] = input })["y"];
    }

    private static void AssertBitsEqual(float[] actual, float[] expected)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i])) Assert.That(float.IsNaN(actual[i]), $"element {i}: NaN expected, got {actual[i]}");
            else Assert.That(BitConverter.SingleToUInt32Bits(actual[i]), Is.EqualTo(BitConverter.SingleToUInt32Bits(expected[i])),
                $"element {i}: {Awkward.ElementAtOrDefault(i)} rounds to {expected[i]}, got {actual[i]}");
        }
    }
}
