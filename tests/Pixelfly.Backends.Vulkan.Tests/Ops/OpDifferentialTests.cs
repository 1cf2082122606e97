using Pixelfly.Backends.Reference;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Vulkan.Tests.TestSupport;

namespace Pixelfly.Backends.Vulkan.Tests.Ops;

/// <summary>
/// Shapes the conformance corpus does not hold (higher ranks, every axis, several broadcast patterns, many inputs),
/// run on the Vulkan device and on the float64 reference: the lowering's views must address the same elements.
/// </summary>
public sealed class OpDifferentialTests(int index) : VulkanFixture(index)
{
    public static IEnumerable<TestCaseData> Cases()
    {
        yield return Case("transpose rank 5", DType.F32, [[2, 3, 4, 5, 3]], (b, x) => b.Transpose(x[0], 4, 2, 0, 3, 1));
        yield return Case("transpose bf16 rank 4", DType.BF16, [[3, 1, 5, 7]], (b, x) => b.Transpose(x[0], 3, 1, 0, 2));
        yield return Case("slice rank 4", DType.F16, [[4, 5, 6, 7]], (b, x) => b.Slice(x[0], [1, 0, 2, 3], [3, 5, 6, 4]));
        yield return Case("pad rank 3", DType.F32, [[2, 3, 4]], (b, x) => b.Pad(x[0], [0, 2, 1], [3, 0, 2]));
        yield return Case("concat of three along the middle", DType.BF16, [[2, 1, 3], [2, 4, 3], [2, 2, 3]], (b, x) => b.Concat(1, x[0], x[1], x[2]));
        yield return Case("broadcast_to rank 4", DType.F32, [[3, 1, 5]], (b, x) => b.BroadcastTo(x[0], 2, 3, 4, 5));
        yield return Case("binary broadcast both ways", DType.F32, [[4, 1, 6, 1], [5, 1, 7]], (b, x) => b.Div(x[0], b.Add(x[1], b.Scalar(3))));
        yield return Case("where rank 3 with f16", DType.F16, [[3, 1, 4], [1, 5, 1], [5, 4]], (b, x) => b.Where(b.Apply1(new BinaryOp(BinaryFunction.Greater), x[0], b.Cast(b.Scalar(0), DType.F16)), x[1], x[2]));
        yield return Case("gelu_grad broadcast", DType.BF16, [[6, 8], [8]], (b, x) => b.Binary(BinaryFunction.GeluGrad, x[0], x[1]));
        yield return Case("reduce_sum axes 1 3", DType.F32, [[3, 70, 4, 50]], (b, x) => b.ReduceSum(x[0], [1, 3]));
        yield return Case("reduce_mean axis 0 of a tall matrix", DType.F32, [[2000, 40]], (b, x) => b.ReduceMean(x[0], [0], keepDims: true));
        yield return Case("reduce_max axes 0 2 bf16", DType.BF16, [[50, 7, 90]], (b, x) => b.ReduceMax(x[0], [0, 2]));
        yield return Case("reduce_sum a long row", DType.F16, [[2, 20000]], (b, x) => b.ReduceSum(x[0], [-1]));
        yield return Case("softmax axis 0 rank 3", DType.F32, [[40, 3, 5]], (b, x) => b.Softmax(x[0], 0));
        yield return Case("log_softmax axis 2 rank 4", DType.F32, [[2, 3, 300, 2]], (b, x) => b.LogSoftmax(x[0], 2));
        yield return Case("softmax last, long f16 rows", DType.F16, [[3, 2000]], (b, x) => b.Softmax(x[0]));
        yield return Case("layer_norm rank 3 bf16", DType.BF16, [[2, 5, 300], [300], [300]], (b, x) => b.LayerNorm(x[0], x[1], x[2], 1e-5));
        yield return Case("layer_norm short rows", DType.F32, [[9, 7], [7], [7]], (b, x) => b.LayerNorm(x[0], x[1], x[2], 1e-3));
        yield return Case("cast chain f32 f16 bf16 f32", DType.F32, [[7, 11]], (b, x) => b.Cast(b.Cast(b.Cast(b.Mul(x[0], b.Scalar(1000)), DType.F16), DType.BF16), DType.F32));
        yield return Case("full rank 3 bf16", DType.F32, [[2]], (b, x) => b.Add(b.Cast(b.Full(0.3, DType.BF16, 2, 3, 2), DType.F32), x[0]));
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheReference(DType dtype, int[][] shapes, Func<GraphBuilder, Value[], Value> build)
    {
        var b = new GraphBuilder();
        var inputs = shapes.Select((s, i) => b.Input($"x{i}", dtype, s)).ToArray();
        b.Output("y", build(b, inputs));
        var graph = b.Build();
        var rng = new Random(shapes.Length * 31 + shapes[0].Sum());
        var data = new Dictionary<string, HostTensor>();
        for (int i = 0; i < shapes.Length; i++)
        {
            var type = new TensorType(dtype, new Shape(shapes[i]));
            data[$"x{i}"] = HostTensor.FromDoubles(type, Enumerable.Range(0, type.Shape.ElementCount).Select(_ => rng.NextDouble() * 4 - 2).ToArray());
        }
        using var exe = Device.Compile(graph);
        using var reference = new ReferenceBackend().Open();
        using var refExe = reference.Compile(graph);
        var actual = Run(exe, Device, data)["y"].ToDoubles();
        var expected = Run(refExe, reference, data)["y"].ToDoubles();
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        double scale = expected.Max(Math.Abs) + 1e-30;
        double tolerance = graph.OutputType("y").DType switch { DType.F16 => 4e-3, DType.BF16 => 3.2e-2, _ => 1e-5 } * scale;
        for (int i = 0; i < expected.Length; i++)
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(tolerance), $"element {i}");
    }

    private static TestCaseData Case(string name, DType dtype, int[][] shapes, Func<GraphBuilder, Value[], Value> build) =>
        new TestCaseData(dtype, shapes, build).SetName($"MatchesTheReference({name})");
}
