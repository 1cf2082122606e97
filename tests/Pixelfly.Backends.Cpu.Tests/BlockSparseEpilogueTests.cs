using Pixelfly.Backends.Reference;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Cpu.Tests.TestSupport;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>
/// Element-wise groups fused into the block-sparse Dds / Dsd product that feeds them: the plan makes the product the
/// group's head, and every tile (partial row tiles, split line groups, zero lines, batch entries) gets the epilogue
/// exactly once, so results equal the reference device and the unfused run.
/// </summary>
public sealed class BlockSparseEpilogueTests(SimdPath path) : CpuFixture(path)
{
    // Not a multiple of the Dds row tile (120 rows at most), so the last row tile is partial.
    private const int Tokens = 130;

    private CpuDevice _unfused = null!;
    private IDevice _reference = null!;

    [OneTimeSetUp]
    public void OpenOthers()
    {
        _unfused = Open(Path, fusion: false);
        _reference = new ReferenceBackend().Open();
    }

    [OneTimeTearDown]
    public void CloseOthers()
    {
        _unfused?.Dispose();
        _reference?.Dispose();
    }

    private static double Tolerance(int k) => 1e-6 * Math.Sqrt(k) * 8;

    [Test]
    [Combinatorial]
    public void Pixelfly_forward_dds_plus_bias_then_gelu_runs_in_the_dds_kernel([Values(16, 32)] int blockSize)
    {
        // y = gelu(x·Wᵀ + bias), W with an empty block row: its output columns are zeros before the epilogue.
        var layout = LayoutWithHoles(5, 4, blockSize, seed: blockSize);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, Tokens, layout.Cols);
        var w = b.Parameter("w", DType.F32, layout.NnzBlocks, blockSize, blockSize);
        var bias = b.Parameter("bias", DType.F32, layout.Rows);
        b.Output("y", b.Gelu(b.BlockSparseMatMul(SparseMode.Dds, layout, x, w, transB: true) + bias));

        using var exe = CheckFused(b.Build(), "block_sparse dds", layout.Cols, seed: blockSize);
        Assert.That(exe.Stats.Kernels, Is.EqualTo(1), exe.Describe());
        Assert.That(exe.Stats.ArenaBytes, Is.Zero, "C goes straight into y");
    }

    [Test]
    public void Dds_without_transpose_takes_an_epilogue_with_a_full_size_operand()
    {
        // The dX path (CSC, weights read in place when NR = b); an empty block column gives a zero line. The residual
        // has the output's shape, so a tile applied at the wrong rows or columns reads the wrong residual.
        var layout = LayoutWithHoles(4, 5, 16, seed: 3);
        var b = new GraphBuilder();
        var dy = b.Input("dy", DType.F32, Tokens, layout.Rows);
        var w = b.Parameter("w", DType.F32, layout.NnzBlocks, 16, 16);
        var residual = b.Input("residual", DType.F32, Tokens, layout.Cols);
        b.Output("dx", b.Tanh(b.BlockSparseMatMul(SparseMode.Dds, layout, dy, w) * b.Scalar(0.5)) + residual);

        using var exe = CheckFused(b.Build(), "block_sparse dds", layout.Rows, seed: 20);
        Assert.That(exe.Describe(), Does.Contain("(CSC)"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Batched_dds_applies_the_epilogue_per_batch_entry(bool transA)
    {
        // Shared weights and untransposed rows fold the batch into the rows ([batch·M, N]); transposed rows keep
        // one pass per batch entry, whose rows start at batch·M.
        const int batch = 3, m = 45;
        var layout = LayoutWithHoles(5, 4, 16, seed: 5);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, transA ? [batch, layout.Cols, m] : [batch, m, layout.Cols]);
        var w = b.Parameter("w", DType.F32, layout.NnzBlocks, 16, 16);
        var bias = b.Parameter("bias", DType.F32, layout.Rows);
        var residual = b.Input("residual", DType.F32, batch, m, layout.Rows);
        b.Output("y", b.Gelu(b.BlockSparseMatMul(SparseMode.Dds, layout, x, w, transA, transB: true) + bias) * residual);

        using var exe = CheckFused(b.Build(), "block_sparse dds", layout.Cols, seed: 30);
        Assert.That(exe.Describe(), Does.Contain(transA ? $"dds batch {batch} {m}x" : $"dds batch 1 {batch * m}x"));
    }

    [Test]
    [Combinatorial]
    public void Dsd_plus_an_elementwise_chain_runs_in_the_dsd_kernel([Values(false, true)] bool transA, [Values(1, 2)] int batch)
    {
        // 300 columns give two column tiles, the last one partial; the layout's empty block row (or column, when
        // transposed) is a zero line.
        const int n = 300;
        var layout = LayoutWithHoles(5, 4, 16, seed: 7);
        int m = transA ? layout.Cols : layout.Rows, k = transA ? layout.Rows : layout.Cols;
        var b = new GraphBuilder();
        var w = b.Parameter("w", DType.F32, layout.NnzBlocks, 16, 16);
        var x = b.Input("x", DType.F32, batch > 1 ? [batch, k, n] : [k, n]);
        var bias = b.Parameter("bias", DType.F32, n);
        var residual = b.Input("residual", DType.F32, batch > 1 ? [batch, m, n] : [m, n]);
        b.Output("y", b.Tanh(b.BlockSparseMatMul(SparseMode.Dsd, layout, w, x, transA) + bias) - residual);

        using var exe = CheckFused(b.Build(), "block_sparse dsd", k, seed: 40);
        Assert.That(exe.Stats.Kernels, Is.EqualTo(1), exe.Describe());
    }

    [Test]
    public void A_dds_result_read_outside_the_group_is_not_a_head()
    {
        var layout = LayoutWithHoles(5, 4, 16, seed: 9);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, Tokens, layout.Cols);
        var c = b.BlockSparseMatMul(SparseMode.Dds, layout, x, b.Parameter("w", DType.F32, layout.NnzBlocks, 16, 16), transB: true);
        var bias = b.Parameter("bias", DType.F32, layout.Rows);
        b.Output("y", b.Gelu(c + bias) * b.Scalar(2));
        b.Output("rowsum", b.ReduceSum(c, [1]));

        CheckNotFused(b.Build(), layout.Cols, seed: 50);
    }

    [Test]
    public void A_dds_result_that_is_a_graph_output_is_not_a_head()
    {
        var layout = LayoutWithHoles(5, 4, 16, seed: 11);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, Tokens, layout.Cols);
        var c = b.BlockSparseMatMul(SparseMode.Dds, layout, x, b.Parameter("w", DType.F32, layout.NnzBlocks, 16, 16), transB: true);
        b.Output("y", b.Gelu(c + b.Parameter("bias", DType.F32, layout.Rows)));
        b.Output("c", c);

        CheckNotFused(b.Build(), layout.Cols, seed: 60);
    }

    [Test]
    public void An_sdd_result_is_never_a_head()
    {
        // Sdd writes blocks, not rows of a dense C, even when the group has the blocks' shape.
        var layout = LayoutWithHoles(5, 4, 16, seed: 13);
        var b = new GraphBuilder();
        var dy = b.Input("dy", DType.F32, Tokens, layout.Rows);
        var x = b.Input("x", DType.F32, Tokens, layout.Cols);
        var dw = b.BlockSparseMatMul(SparseMode.Sdd, layout, dy, x, transA: true);
        b.Output("y", b.Tanh(dw + b.Input("r", DType.F32, layout.NnzBlocks, 16, 16)));

        CheckNotFused(b.Build(), Tokens, seed: 70);
    }

    [Test]
    public void A_dds_epilogue_gives_the_same_bits_on_one_and_on_five_threads()
    {
        var layout = LayoutWithHoles(5, 4, 32, seed: 15);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, Tokens, layout.Cols);
        var w = b.Parameter("w", DType.F32, layout.NnzBlocks, 32, 32);
        b.Output("y", b.Gelu(b.BlockSparseMatMul(SparseMode.Dds, layout, x, w, transB: true) + b.Parameter("bias", DType.F32, layout.Rows)));
        var graph = b.Build();
        var inputs = RandomInputs(graph, seed: 80);

        using var single = Open(Path, threads: 1);
        using var many = Open(Path, threads: 5);
        AssertIdentical(TestSupport.Run(single, graph, inputs)["y"], TestSupport.Run(many, graph, inputs)["y"], "1 vs 5 threads");
    }

    private static Dictionary<string, HostTensor> RandomInputs(Graph graph, int seed) =>
        graph.Bindable.ToDictionary(v => v.Name, v => RandomTensor(seed++, v.Type.Shape.ToArray()));

    // One epilogue group headed by the named product; every output equals the reference and the unfused run.
    private CpuExecutable CheckFused(Graph graph, string product, int k, int seed)
    {
        var exe = (CpuExecutable)Device.Compile(graph);
        Assert.That(exe.Stats.Epilogues, Is.EqualTo(1), exe.Describe());
        Assert.That(exe.Describe(), Does.Contain(product).And.Contain("; epilogue fused"));
        CheckResults(exe, graph, k, seed);
        return exe;
    }

    private void CheckNotFused(Graph graph, int k, int seed)
    {
        using var exe = (CpuExecutable)Device.Compile(graph);
        Assert.That(exe.Stats.Epilogues, Is.Zero, exe.Describe());
        CheckResults(exe, graph, k, seed);
    }

    private void CheckResults(CpuExecutable exe, Graph graph, int k, int seed)
    {
        var inputs = RandomInputs(graph, seed);
        var fused = TestSupport.Run(exe, Device, inputs);
        var unfused = TestSupport.Run(_unfused, graph, inputs);
        foreach (var (name, expected) in _reference.RunOnce(graph, inputs))
        {
            AssertClose(expected.ToDoubles(), fused[name], atol: Tolerance(k), what: $"{name} vs reference");
            AssertIdentical(unfused[name], fused[name], $"{name}: fused vs unfused");
        }
    }
}
