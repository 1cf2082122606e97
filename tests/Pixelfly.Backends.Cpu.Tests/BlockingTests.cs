using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Cpu.Tests.TestSupport;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>
/// Shapes chosen to cross the matmul kernels' blocking on both SIMD paths: the shared-B GEMM schedule (tall C, several
/// K passes, a partial last pass and N past one packed-B block), tokens that straddle row blocks and micro-tiles, layouts
/// with very few block rows or columns (work split along tokens and lines), and Sdd over several K passes.
/// </summary>
public sealed class BlockingTests(SimdPath path) : CpuFixture(path)
{
    private static double Tolerance(int k) => 1e-6 * Math.Sqrt(k) * 8;

    [TestCase(601, 70, 300, false, false)]
    [TestCase(601, 70, 300, true, false)]
    [TestCase(601, 70, 300, false, true)]
    [TestCase(577, 33, 17, true, true)]
    [TestCase(433, 2100, 20, false, true)]
    public void MatMul_in_the_shared_packed_B_schedule_matches_naive(int m, int n, int k, bool transA, bool transB)
    {
        var b = new GraphBuilder();
        var a = b.Input("a", DType.F32, transA ? [k, m] : [m, k]);
        var w = b.Input("b", DType.F32, transB ? [n, k] : [k, n]);
        b.Output("c", b.MatMul(a, w, transA, transB));
        var ta = RandomTensor(1, transA ? [k, m] : [m, k]);
        var tb = RandomTensor(2, transB ? [n, k] : [k, n]);
        var graph = b.Build();

        using var exe = Device.Compile(graph);
        var c = TestSupport.Run(exe, Device, new() { ["a"] = ta, ["b"] = tb })["c"];

        Assert.That(exe.Describe(), Does.Contain("shared packed B"));
        AssertClose(NaiveMatMul(ta.ToDoubles(), tb.ToDoubles(), m, n, k, transA, transB), c, atol: Tolerance(k), what: "C");
    }

    [Test]
    public void Batched_matmul_in_the_shared_schedule_with_a_shared_operand()
    {
        const int batch = 2, m = 500, n = 40, k = 50;
        var b = new GraphBuilder();
        var a = b.Input("a", DType.F32, batch, m, k);
        var w = b.Input("b", DType.F32, k, n);
        b.Output("c", b.MatMul(a, w));
        var ta = RandomTensor(3, batch, m, k);
        var tb = RandomTensor(4, k, n);

        var c = Run(b.Build(), new() { ["a"] = ta, ["b"] = tb })["c"];

        var expected = new List<double>();
        for (int i = 0; i < batch; i++)
            expected.AddRange(NaiveMatMul(Slice(ta.ToDoubles(), i * m * k, m * k), tb.ToDoubles(), m, n, k, false, false));
        AssertClose(expected.ToArray(), c, atol: Tolerance(k));
    }

    [Test]
    [Combinatorial]
    public void Dds_with_tokens_straddling_row_blocks_and_one_block_row(
        [Values(16, 32, 64)] int blockSize, [Values(false, true)] bool transA, [Values(false, true)] bool transB, [Values(1, 263)] int tokens)
    {
        // One block row by eight block columns: with transB the output has a single block column, so the work can
        // only be split along the tokens; without it, along the eight lines.
        var layout = LayoutWithHoles(1, 8, blockSize, seed: blockSize + 3);
        int k = transB ? layout.Cols : layout.Rows, n = transB ? layout.Rows : layout.Cols;
        int[] aDims = transA ? [k, tokens] : [tokens, k];
        var b = new GraphBuilder();
        var a = b.Input("a", DType.F32, aDims);
        var w = b.Input("w", DType.F32, layout.NnzBlocks, blockSize, blockSize);
        b.Output("c", b.BlockSparseMatMul(SparseMode.Dds, layout, a, w, transA, transB));
        var ta = RandomTensor(5, aDims);
        var tw = RandomTensor(6, layout.NnzBlocks, blockSize, blockSize);

        var c = Run(b.Build(), new() { ["a"] = ta, ["w"] = tw })["c"];

        AssertClose(NaiveMatMul(ta.ToDoubles(), Densify(layout, tw.ToDoubles()), tokens, n, k, transA, transB), c, atol: Tolerance(k), what: "dds");
    }

    [Test]
    [Combinatorial]
    public void Dsd_with_columns_straddling_panels_and_one_block_column(
        [Values(16, 32, 64)] int blockSize, [Values(false, true)] bool transA, [Values(false, true)] bool transB, [Values(1, 300)] int columns)
    {
        var layout = LayoutWithHoles(6, 1, blockSize, seed: blockSize + 4);
        int m = transA ? layout.Cols : layout.Rows, k = transA ? layout.Rows : layout.Cols;
        int[] bDims = transB ? [columns, k] : [k, columns];
        var b = new GraphBuilder();
        var w = b.Input("w", DType.F32, layout.NnzBlocks, blockSize, blockSize);
        var x = b.Input("b", DType.F32, bDims);
        b.Output("c", b.BlockSparseMatMul(SparseMode.Dsd, layout, w, x, transA, transB));
        var tw = RandomTensor(7, layout.NnzBlocks, blockSize, blockSize);
        var tb = RandomTensor(8, bDims);

        var c = Run(b.Build(), new() { ["w"] = tw, ["b"] = tb })["c"];

        AssertClose(NaiveMatMul(Densify(layout, tw.ToDoubles()), tb.ToDoubles(), m, columns, k, transA, transB), c, atol: Tolerance(k), what: "dsd");
    }

    [Test]
    [Combinatorial]
    public void Sdd_over_several_K_passes_with_a_partial_last_pass(
        [Values(16, 32, 64)] int blockSize, [Values(false, true)] bool transA, [Values(false, true)] bool transB)
    {
        const int inner = 531; // two full passes of 256 and one of 19, which K16 panels pad to 32
        var layout = LayoutWithHoles(3, 2, blockSize, seed: blockSize + 5);
        int[] aDims = transA ? [inner, layout.Rows] : [layout.Rows, inner];
        int[] bDims = transB ? [layout.Cols, inner] : [inner, layout.Cols];
        var b = new GraphBuilder();
        var a = b.Input("a", DType.F32, aDims);
        var x = b.Input("b", DType.F32, bDims);
        b.Output("c", b.BlockSparseMatMul(SparseMode.Sdd, layout, a, x, transA, transB));
        var ta = RandomTensor(9, aDims);
        var tb = RandomTensor(10, bDims);

        var c = Run(b.Build(), new() { ["a"] = ta, ["b"] = tb })["c"];

        var dense = NaiveMatMul(ta.ToDoubles(), tb.ToDoubles(), layout.Rows, layout.Cols, inner, transA, transB);
        AssertClose(Sparsify(layout, dense), c, atol: Tolerance(inner), what: "sdd");
    }

    [Test]
    public void Sdd_with_empty_inner_dimension_writes_zero_blocks()
    {
        var layout = LayoutWithHoles(3, 3, 16, seed: 11);
        var b = new GraphBuilder();
        var a = b.Input("a", DType.F32, layout.Rows, 0);
        var x = b.Input("b", DType.F32, 0, layout.Cols);
        b.Output("c", b.BlockSparseMatMul(SparseMode.Sdd, layout, a, x));

        var c = Run(b.Build(), new()
        {
            ["a"] = new HostTensor(new TensorType(DType.F32, layout.Rows, 0)),
            ["b"] = new HostTensor(new TensorType(DType.F32, 0, layout.Cols)),
        })["c"];

        Assert.That(c.ToDoubles(), Is.All.EqualTo(0.0));
    }

    [Test]
    public void Matmuls_are_bitwise_identical_across_thread_counts_in_every_schedule()
    {
        var layout = BlockLayout.FlatBlockButterfly(128, 256, 32, 4, 2);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 613, 256);
        var w = b.Input("w", DType.F32, layout.NnzBlocks, 32, 32);
        var d = b.Input("d", DType.F32, 300, 256);
        b.Output("gemm", b.MatMul(x, d, transB: true));
        b.Output("dds", b.BlockSparseMatMul(SparseMode.Dds, layout, x, w, transB: true));
        b.Output("dsd", b.BlockSparseMatMul(SparseMode.Dsd, layout, w, x, transB: true));
        var y = b.Input("y", DType.F32, 613, 128);
        b.Output("sdd", b.BlockSparseMatMul(SparseMode.Sdd, layout, y, x, transA: true));
        var graph = b.Build();
        var inputs = new Dictionary<string, HostTensor>
        {
            ["x"] = RandomTensor(12, 613, 256),
            ["w"] = RandomTensor(13, layout.NnzBlocks, 32, 32),
            ["d"] = RandomTensor(14, 300, 256),
            ["y"] = RandomTensor(15, 613, 128),
        };

        var reference = Run(graph, inputs);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var device = Open(Path, threads);
            var r = TestSupport.Run(device, graph, inputs);
            foreach (var name in reference.Keys) AssertIdentical(reference[name], r[name], $"{name}, {threads} thread(s)");
        }
    }
}
