using Pixelfly.Ir;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Reference.Tests.TestSupport;

namespace Pixelfly.Backends.Reference.Tests;

public sealed class ShapeOpsTests
{
    private static double[] Iota(int n) => Enumerable.Range(0, n).Select(i => (double)i).ToArray();

    [Test]
    public void SliceTakesTheInnerWindow()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F64, 3, 4);
        var y = RunSingle(b, b.Slice(x, [1, 1], [3, 3]), ("x", F64(Iota(12), 3, 4)));
        Assert.That(y, Is.EqualTo(new double[] { 5, 6, 9, 10 }));
    }

    [Test]
    public void PadSurroundsWithZeros()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F64, 2, 2);
        var y = RunSingle(b, b.Pad(x, [1, 0], [0, 2]), ("x", F64([1, 2, 3, 4], 2, 2)));
        Assert.That(y, Is.EqualTo(new double[] { 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0 }));
    }

    [Test]
    public void ConcatAlongTheLastAxisInterleavesRows()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F64, 2, 1);
        var z = b.Input("z", DType.F64, 2, 2);
        b.Output("last", b.Concat(1, x, z));
        b.Output("first", b.Concat(0, z, z));
        var r = Run(b.Build(), ("x", F64([1, 2], 2, 1)), ("z", F64([3, 4, 5, 6], 2, 2)));
        Assert.That(r["last"].ToDoubles(), Is.EqualTo(new double[] { 1, 3, 4, 2, 5, 6 }));
        Assert.That(r["first"].ToDoubles(), Is.EqualTo(new double[] { 3, 4, 5, 6, 3, 4, 5, 6 }));
    }

    [Test]
    public void TransposeMovesEachAxisWhereThePermutationSays()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F64, 2, 3, 4);
        var t = b.Transpose(x, 2, 0, 1);
        Assert.That(t.Shape, Is.EqualTo(new Shape(4, 2, 3)));
        var y = RunSingle(b, t, ("x", F64(Iota(24), 2, 3, 4)));
        // y[k, i, j] = x[i, j, k] = 12i + 4j + k.
        for (int k = 0; k < 4; k++)
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 3; j++)
                    Assert.That(y[k * 6 + i * 3 + j], Is.EqualTo(12 * i + 4 * j + k));
    }

    [Test]
    public void ReshapeKeepsRowMajorOrderAndBroadcastToRepeats()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F64, 2, 3);
        b.Output("r", b.Reshape(x, 3, -1));
        b.Output("bc", b.BroadcastTo(b.Reshape(x, 2, 1, 3), 2, 2, 3));
        var r = Run(b.Build(), ("x", F64(Iota(6), 2, 3)));
        Assert.That(r["r"].Type.Shape, Is.EqualTo(new Shape(3, 2)));
        Assert.That(r["r"].ToDoubles(), Is.EqualTo(Iota(6)));
        Assert.That(r["bc"].ToDoubles(), Is.EqualTo(new double[] { 0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5 }));
    }

    [Test]
    public void ShapeOpsCarryIntegerTensorsUnchanged()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.I32, 2, 2);
        var y = RunSingle(b, b.Transpose(x, 1, 0), ("x", HostTensor.FromInts([int.MaxValue, -7, 3, int.MinValue], 2, 2)));
        Assert.That(y, Is.EqualTo(new double[] { int.MaxValue, 3, -7, int.MinValue }));
    }
}
