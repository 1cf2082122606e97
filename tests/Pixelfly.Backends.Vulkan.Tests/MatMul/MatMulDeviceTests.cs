using Pixelfly.Backends.Reference;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Vulkan.Tests.TestSupport;

namespace Pixelfly.Backends.Vulkan.Tests.MatMul;

/// <summary>
/// The matmul family on a Vulkan device against the f64 reference, on shapes the conformance corpus does not hold:
/// odd sizes that leave partial tiles on every edge, the large GEMM tile, and batches sharing one operand.
/// </summary>
public sealed class MatMulDeviceTests(int index) : VulkanFixture(index)
{
    private static readonly BlockLayout EmptyRowAndColumn = BlockLayout.FromMask(new[,]
    {
        { true, false, true, false },
        { false, false, false, false },
        { true, true, true, false },
    }, 32);

    /// <summary>
    /// The classic worst-case bound of an f32 sum of <paramref name="k"/> products, relative to the magnitude of the
    /// terms (inputs lie in [-1, 1]): k·2⁻²³.
    /// </summary>
    private static double F32SumBound(int k) => k * Math.Pow(2, -23);

    /// <summary>Runs a one-output graph here and on the reference; the largest difference relative to 1 + |reference|.</summary>
    private double MaxRelativeError(Graph graph)
    {
        var inputs = graph.Bindable.Select((v, i) => (v.Name, Tensor: RandomTensor(100 + i, v.Type.Shape.ToArray())))
            .ToDictionary(p => p.Name, p => p.Tensor);
        using var exe = Device.Compile(graph);
        var y = AsFloats(Run(exe, Device, inputs)["y"]);
        using var reference = new ReferenceBackend().Open();
        using var refExe = reference.Compile(graph);
        var expected = Run(refExe, reference, inputs)["y"].ToDoubles();
        Assert.That(y, Has.Length.EqualTo(expected.Length));
        return y.Select((v, i) => Math.Abs(v - expected[i]) / (1 + Math.Abs(expected[i]))).Max();
    }

    [Test]
    public void Gemm_OddShapesLeavePartialTilesOnEveryEdge()
    {
        var b = new GraphBuilder();
        b.Output("y", b.MatMul(b.Input("a", DType.F32, 149, 497), b.Input("w", DType.F32, 497, 3081)));
        Assert.That(MaxRelativeError(b.Build()), Is.LessThan(F32SumBound(497)));
    }

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public void Gemm_EveryTransposeOnOddShapes(bool transA, bool transB)
    {
        var b = new GraphBuilder();
        var a = b.Input("a", DType.F32, transA ? [83, 37] : [37, 83]);
        var w = b.Input("w", DType.F32, transB ? [131, 83] : [83, 131]);
        b.Output("y", b.MatMul(a, w, transA, transB));
        Assert.That(MaxRelativeError(b.Build()), Is.LessThan(F32SumBound(83)));
    }

    [Test]
    public void Gemm_LargeTileWithABatchSharingTheRightOperand()
    {
        // 8 batches of 4 x 5 tiles of 128: enough workgroups for the large register block.
        var b = new GraphBuilder();
        b.Output("y", b.MatMul(b.Input("a", DType.F32, 8, 500, 70), b.Input("w", DType.F32, 520, 70), transB: true));
        Assert.That(MaxRelativeError(b.Build()), Is.LessThan(F32SumBound(70)));
    }

    [TestCase(SparseMode.Dds, false, true)]
    [TestCase(SparseMode.Dds, true, false)]
    [TestCase(SparseMode.Dsd, true, false)]
    [TestCase(SparseMode.Dsd, false, true)]
    [TestCase(SparseMode.Sdd, true, false)]
    [TestCase(SparseMode.Sdd, false, true)]
    public void BlockSparse_OddDenseSizesAndEmptyLinesWithSharedWeights(SparseMode mode, bool transA, bool transB)
    {
        var l = EmptyRowAndColumn;
        int[] sparse = [l.NnzBlocks, 32, 32];
        const int odd = 45;
        var b = new GraphBuilder();
        Value a, w;
        switch (mode)
        {
            case SparseMode.Dds:
                int k = transB ? l.Cols : l.Rows;
                a = b.Input("a", DType.F32, transA ? [3, k, odd] : [3, odd, k]);
                w = b.Input("w", DType.F32, sparse);
                break;
            case SparseMode.Dsd:
                int kd = transA ? l.Rows : l.Cols;
                a = b.Input("a", DType.F32, sparse);
                w = b.Input("w", DType.F32, transB ? [3, odd, kd] : [3, kd, odd]);
                break;
            default:
                a = b.Input("a", DType.F32, transA ? [3, odd, l.Rows] : [3, l.Rows, odd]);
                w = b.Input("w", DType.F32, transB ? [3, l.Cols, odd] : [3, odd, l.Cols]);
                break;
        }
        b.Output("y", b.BlockSparseMatMul(mode, l, a, w, transA, transB));
        Assert.That(MaxRelativeError(b.Build()), Is.LessThan(F32SumBound(l.Cols)));
    }

    [Test]
    public void BlockSparseSoftmax_AndItsGradient_OverAnEmptyBlockRow()
    {
        var l = EmptyRowAndColumn;
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 2, l.NnzBlocks, 32, 32);
        var dy = b.Input("dy", DType.F32, 2, l.NnzBlocks, 32, 32);
        var y = b.BlockSparseSoftmax(l, x, 0.3);
        b.Output("y", b.Apply1(new BlockSparseSoftmaxGradOp(l, 0.3), y, dy));
        Assert.That(MaxRelativeError(b.Build()), Is.LessThan(1e-5));
    }

    [Test]
    public void Gemm_AnEmptyReductionRunsCleanAndGivesZeros()
    {
        var b = new GraphBuilder();
        b.Output("y", b.MatMul(b.Input("a", DType.F32, 3, 0), b.Input("w", DType.F32, 0, 4)));
        using var exe = Device.Compile(b.Build());
        var inputs = new Dictionary<string, HostTensor>
        {
            ["a"] = new(new TensorType(DType.F32, 3, 0)),
            ["w"] = new(new TensorType(DType.F32, 0, 4)),
        };
        var y = AsFloats(Run(exe, Device, inputs)["y"]);
        Assert.That(y, Has.Length.EqualTo(12).And.All.EqualTo(0f));
    }

    [Test]
    public void Dds_ALayoutWithoutStoredBlocksRunsCleanAndGivesZeros()
    {
        var empty = BlockLayout.FromMask(new bool[2, 3], 16);
        var b = new GraphBuilder();
        b.Output("y", b.BlockSparseMatMul(SparseMode.Dds, empty, b.Input("a", DType.F32, 5, 32), b.Input("w", DType.F32, 0, 16, 16)));
        using var exe = Device.Compile(b.Build());
        var inputs = new Dictionary<string, HostTensor>
        {
            ["a"] = RandomTensor(1, 5, 32),
            ["w"] = new(new TensorType(DType.F32, 0, 16, 16)),
        };
        var y = AsFloats(Run(exe, Device, inputs)["y"]);
        Assert.That(y, Has.Length.EqualTo(5 * 48).And.All.EqualTo(0f));
    }
}
