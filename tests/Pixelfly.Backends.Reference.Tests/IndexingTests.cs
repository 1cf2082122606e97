using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Reference.Tests.TestSupport;

namespace Pixelfly.Backends.Reference.Tests;

public sealed class IndexingTests
{
    [Test]
    public void GatherLooksUpRowsInIndexOrder()
    {
        var b = new GraphBuilder();
        var table = b.Input("table", DType.F64, 4, 2);
        var idx = b.Input("idx", DType.I32, 2, 2);
        var g = b.Gather(table, idx);
        Assert.That(g.Shape, Is.EqualTo(new Shape(2, 2, 2)));
        var y = RunSingle(b, g, ("table", F64([0, 1, 10, 11, 20, 21, 30, 31], 4, 2)), ("idx", HostTensor.FromInts([3, 0, 1, 1], 2, 2)));
        Assert.That(y, Is.EqualTo(new double[] { 30, 31, 0, 1, 10, 11, 10, 11 }));
    }

    [Test]
    public void GatherIndexOutOfRangeThrowsNamingTheIndex()
    {
        var b = new GraphBuilder();
        var table = b.Input("table", DType.F32, 4, 2);
        var idx = b.Input("idx", DType.I32, 3);
        b.Output("y", b.Gather(table, idx));
        var ex = Assert.Throws<ExecutionException>(() => Run(b.Build(),
            ("table", HostTensor.FromFloats(new float[8], 4, 2)), ("idx", HostTensor.FromInts([0, 4, 1], 3))));
        Assert.That(ex!.Message, Does.Contain("index 4").And.Contain("position 1").And.Contain("[0, 4)"));
    }

    [Test]
    public void ScatterAddAccumulatesRepeatedRows()
    {
        var b = new GraphBuilder();
        var idx = b.Input("idx", DType.I32, 3);
        var upd = b.Input("upd", DType.F64, 3, 2);
        var y = RunSingle(b, b.ScatterAdd(idx, upd, 3), ("idx", HostTensor.FromInts([0, 2, 0], 3)), ("upd", F64([1, 2, 3, 4, 5, 6], 3, 2)));
        Assert.That(y, Is.EqualTo(new double[] { 6, 8, 0, 0, 3, 4 }));
    }

    [Test]
    public void ScatterAddIndexOutOfRangeThrows()
    {
        var b = new GraphBuilder();
        var idx = b.Input("idx", DType.I32, 2);
        var upd = b.Input("upd", DType.F32, 2);
        b.Output("y", b.ScatterAdd(idx, upd, 2));
        var ex = Assert.Throws<ExecutionException>(() => Run(b.Build(),
            ("idx", HostTensor.FromInts([1, -1], 2)), ("upd", HostTensor.FromFloats([1, 1], 2))));
        Assert.That(ex!.Message, Does.Contain("scatter_add").And.Contain("index -1"));
    }

    [Test]
    public void OneHotGivesZeroRowsForOutOfRangeIndices()
    {
        var b = new GraphBuilder();
        var idx = b.Input("idx", DType.I32, 4);
        var y = RunSingle(b, b.OneHot(idx, 3), ("idx", HostTensor.FromInts([1, -1, 2, 3], 4)));
        Assert.That(y, Is.EqualTo(new double[] { 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 }));
    }
}
