using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Cpu.Tests.TestSupport;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>
/// The three block-sparse matmul modes against dense products of the densified matrix, on both SIMD paths:
/// every transpose combination, b ∈ {16, 32, 64}, odd token counts, layouts with an empty block row and column.
/// </summary>
public sealed class BlockSparseMatMulTests(SimdPath path) : CpuFixture(path)
{
    private const int Tokens = 149;
    private const int DenseCols = 69;
    private const int SddInner = 83;

    private static double Tolerance(int k) => 1e-6 * Math.Sqrt(k) * 8;

    [Test]
    [Combinatorial]
    public void Dds_matches_dense_product(
        [Values(16, 32, 64)] int blockSize, [Values(false, true)] bool transA, [Values(false, true)] bool transB)
    {
        var layout = LayoutWithHoles(5, 4, blockSize, seed: blockSize);
        int k = transB ? layout.Cols : layout.Rows, n = transB ? layout.Rows : layout.Cols;
        int[] aDims = transA ? [k, Tokens] : [Tokens, k];
        var b = new GraphBuilder();
        var a = b.Input("a", DType.F32, aDims);
        var w = b.Input("w", DType.F32, layout.NnzBlocks, blockSize, blockSize);
        b.Output("c", b.BlockSparseMatMul(SparseMode.Dds, layout, a, w, transA, transB));
        var ta = RandomTensor(10, aDims);
        var tw = RandomTensor(11, layout.NnzBlocks, blockSize, blockSize);

        var c = Run(b.Build(), new() { ["a"] = ta, ["w"] = tw })["c"];

        var expected = NaiveMatMul(ta.ToDoubles(), Densify(layout, tw.ToDoubles()), Tokens, n, k, transA, transB);
        AssertClose(expected, c, atol: Tolerance(k), what: "dds");
    }

    [Test]
    [Combinatorial]
    public void Dsd_matches_dense_product(
        [Values(16, 32, 64)] int blockSize, [Values(false, true)] bool transA, [Values(false, true)] bool transB)
    {
        var layout = LayoutWithHoles(5, 4, blockSize, seed: blockSize + 1);
        int m = transA ? layout.Cols : layout.Rows, k = transA ? layout.Rows : layout.Cols;
        int[] bDims = transB ? [DenseCols, k] : [k, DenseCols];
        var b = new GraphBuilder();
        var w = b.Input("w", DType.F32, layout.NnzBlocks, blockSize, blockSize);
        var x = b.Input("b", DType.F32, bDims);
        b.Output("c", b.BlockSparseMatMul(SparseMode.Dsd, layout, w, x, transA, transB));
        var tw = RandomTensor(12, layout.NnzBlocks, blockSize, blockSize);
        var tb = RandomTensor(13, bDims);

        var c = Run(b.Build(), new() { ["w"] = tw, ["b"] = tb })["c"];

        var expected = NaiveMatMul(Densify(layout, tw.ToDoubles()), tb.ToDoubles(), m, DenseCols, k, transA, transB);
        AssertClose(expected, c, atol: Tolerance(k), what: "dsd");
    }

    [Test]
    [Combinatorial]
    public void Sdd_matches_sampled_dense_product(
        [Values(16, 32, 64)] int blockSize, [Values(false, true)] bool transA, [Values(false, true)] bool transB)
    {
        var layout = LayoutWithHoles(5, 4, blockSize, seed: blockSize + 2);
        int[] aDims = transA ? [SddInner, layout.Rows] : [layout.Rows, SddInner];
        int[] bDims = transB ? [layout.Cols, SddInner] : [SddInner, layout.Cols];
        var b = new GraphBuilder();
        var a = b.Input("a", DType.F32, aDims);
        var x = b.Input("b", DType.F32, bDims);
        b.Output("c", b.BlockSparseMatMul(SparseMode.Sdd, layout, a, x, transA, transB));
        var ta = RandomTensor(14, aDims);
        var tb = RandomTensor(15, bDims);

        var c = Run(b.Build(), new() { ["a"] = ta, ["b"] = tb })["c"];

        Assert.That(c.Type.Shape, Is.EqualTo(new Shape(layout.NnzBlocks, blockSize, blockSize)));
        var dense = NaiveMatMul(ta.ToDoubles(), tb.ToDoubles(), layout.Rows, layout.Cols, SddInner, transA, transB);
        AssertClose(Sparsify(layout, dense), c, atol: Tolerance(SddInner), what: "sdd");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Dds_and_Dsd_batched_with_shared_or_batched_weights(bool weightBatched)
    {
        const int batch = 2, bs = 16, m = 37;
        var layout = LayoutWithHoles(4, 3, bs, seed: 5);
        int[] wDims = weightBatched ? [batch, layout.NnzBlocks, bs, bs] : [layout.NnzBlocks, bs, bs];
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, batch, m, layout.Cols);
        var w = b.Input("w", DType.F32, wDims);
        var y = b.Input("y", DType.F32, batch, layout.Cols, m);
        b.Output("dds", b.BlockSparseMatMul(SparseMode.Dds, layout, x, w, transB: true));
        b.Output("dsd", b.BlockSparseMatMul(SparseMode.Dsd, layout, w, y));
        var tx = RandomTensor(20, batch, m, layout.Cols);
        var tw = RandomTensor(21, wDims);
        var ty = RandomTensor(22, batch, layout.Cols, m);

        var r = Run(b.Build(), new() { ["x"] = tx, ["w"] = tw, ["y"] = ty });

        var dds = new List<double>();
        var dsd = new List<double>();
        int wSize = layout.NnzBlocks * bs * bs;
        for (int i = 0; i < batch; i++)
        {
            var dense = Densify(layout, tw.ToDoubles(), weightBatched ? i * wSize : 0);
            dds.AddRange(NaiveMatMul(Slice(tx.ToDoubles(), i * m * layout.Cols, m * layout.Cols), dense, m, layout.Rows, layout.Cols, false, true));
            dsd.AddRange(NaiveMatMul(dense, Slice(ty.ToDoubles(), i * m * layout.Cols, m * layout.Cols), layout.Rows, m, layout.Cols, false, false));
        }
        AssertClose(dds.ToArray(), r["dds"], atol: 1e-4, what: "dds");
        AssertClose(dsd.ToArray(), r["dsd"], atol: 1e-4, what: "dsd");
    }

    [Test]
    public void Sdd_batched()
    {
        const int batch = 3, bs = 32, k = 45;
        var layout = LayoutWithHoles(3, 4, bs, seed: 9);
        var b = new GraphBuilder();
        var a = b.Input("a", DType.F32, batch, layout.Rows, k);
        var x = b.Input("b", DType.F32, batch, layout.Cols, k);
        b.Output("c", b.BlockSparseMatMul(SparseMode.Sdd, layout, a, x, transB: true));
        var ta = RandomTensor(23, batch, layout.Rows, k);
        var tb = RandomTensor(24, batch, layout.Cols, k);

        var c = Run(b.Build(), new() { ["a"] = ta, ["b"] = tb })["c"];

        var expected = new List<double>();
        for (int i = 0; i < batch; i++)
        {
            var dense = NaiveMatMul(Slice(ta.ToDoubles(), i * layout.Rows * k, layout.Rows * k), Slice(tb.ToDoubles(), i * layout.Cols * k, layout.Cols * k),
                layout.Rows, layout.Cols, k, false, true);
            expected.AddRange(Sparsify(layout, dense));
        }
        AssertClose(expected.ToArray(), c, atol: 1e-4);
    }

    /// <summary>Forward, dX and dW of a Pixelfly linear layer y = x·Wᵀ on the real flat-butterfly pattern.</summary>
    [Test]
    public void Pixelfly_linear_forward_and_gradients_on_flat_butterfly_layout()
    {
        const int tokens = 497;
        var layout = BlockLayout.FlatBlockButterfly(698, 497, 32, 8, 3);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, tokens, layout.Cols);
        var w = b.Input("w", DType.F32, layout.NnzBlocks, 32, 32);
        var dy = b.Input("dy", DType.F32, tokens, layout.Rows);
        b.Output("y", b.BlockSparseMatMul(SparseMode.Dds, layout, x, w, transB: true));
        b.Output("dx", b.BlockSparseMatMul(SparseMode.Dds, layout, dy, w));
        b.Output("dw", b.BlockSparseMatMul(SparseMode.Sdd, layout, dy, x, transA: true));
        var tx = RandomTensor(30, tokens, layout.Cols);
        var tw = RandomTensor(31, layout.NnzBlocks, 32, 32);
        var tdy = RandomTensor(32, tokens, layout.Rows);

        var r = Run(b.Build(), new() { ["x"] = tx, ["w"] = tw, ["dy"] = tdy });

        var dense = Densify(layout, tw.ToDoubles());
        AssertClose(NaiveMatMul(tx.ToDoubles(), dense, tokens, layout.Rows, layout.Cols, false, true), r["y"], atol: 2e-4, what: "y");
        AssertClose(NaiveMatMul(tdy.ToDoubles(), dense, tokens, layout.Cols, layout.Rows, false, false), r["dx"], atol: 2e-4, what: "dx");
        var dwDense = NaiveMatMul(tdy.ToDoubles(), tx.ToDoubles(), layout.Rows, layout.Cols, tokens, true, false);
        AssertClose(Sparsify(layout, dwDense), r["dw"], atol: 2e-4, what: "dw");
    }

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(8)]
    public void Small_and_odd_block_sizes_work_in_every_mode(int blockSize)
    {
        var layout = LayoutWithHoles(5, 4, blockSize, seed: 40 + blockSize);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 11, layout.Cols);
        var w = b.Input("w", DType.F32, layout.NnzBlocks, blockSize, blockSize);
        var z = b.Input("z", DType.F32, layout.Cols, 11);
        var p = b.Input("p", DType.F32, layout.Rows, 7);
        var q = b.Input("q", DType.F32, 7, layout.Cols);
        b.Output("dds", b.BlockSparseMatMul(SparseMode.Dds, layout, x, w, transB: true));
        b.Output("dsd", b.BlockSparseMatMul(SparseMode.Dsd, layout, w, z));
        b.Output("sdd", b.BlockSparseMatMul(SparseMode.Sdd, layout, p, q));
        var tx = RandomTensor(41, 11, layout.Cols);
        var tw = RandomTensor(42, layout.NnzBlocks, blockSize, blockSize);
        var tz = RandomTensor(43, layout.Cols, 11);
        var tp = RandomTensor(44, layout.Rows, 7);
        var tq = RandomTensor(45, 7, layout.Cols);

        var r = Run(b.Build(), new() { ["x"] = tx, ["w"] = tw, ["z"] = tz, ["p"] = tp, ["q"] = tq });

        var dense = Densify(layout, tw.ToDoubles());
        AssertClose(NaiveMatMul(tx.ToDoubles(), dense, 11, layout.Rows, layout.Cols, false, true), r["dds"], atol: 1e-5, what: "dds");
        AssertClose(NaiveMatMul(dense, tz.ToDoubles(), layout.Rows, 11, layout.Cols, false, false), r["dsd"], atol: 1e-5, what: "dsd");
        var sampled = Sparsify(layout, NaiveMatMul(tp.ToDoubles(), tq.ToDoubles(), layout.Rows, layout.Cols, 7, false, false));
        AssertClose(sampled, r["sdd"], atol: 1e-5, what: "sdd");
    }
}
