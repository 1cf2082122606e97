using BenchmarkDotNet.Attributes;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Perf.Micro.Support;
using Pixelfly.Tensors;

namespace Pixelfly.Perf.Micro.Benchmarks;

/// <summary>
/// The three block-sparse matmuls of a Pixelfly linear layer at the cpu-headline shape (weight 2048×2048, 2048 tokens,
/// flat block butterfly S=32 F=3, density 1/8): forward Y = X·Wᵀ (Dds, CSR), input gradient dX = dY·W (Dds, CSC) and
/// weight gradient dW = dYᵀ·X on the layout (Sdd), against OpenBLAS dense sgemm 2048³ at the same thread count (the
/// Ratio column; the ideal at density 1/8 is 0.125).
/// </summary>
public class BlockSparseBenchmarks : IFlopCounted, IDisposable
{
    private const int Size = 2048, Tokens = 2048;
    private CompiledGraph? _forward, _inputGradient, _weightGradient;
    private OpenBlasGemm? _dense;

    /// <summary>Block size b.</summary>
    [Params(16, 32, 64)]
    public int Block { get; set; }

    /// <summary>Worker threads for ours and OpenBLAS.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    private BlockLayout Layout => BlockLayout.FlatBlockButterfly(Size, Size, Block, 32, 3);

    /// <summary>Compiles the three graphs and loads OpenBLAS.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var l = Layout;
        var g = new GraphBuilder();
        g.Output("y", g.BlockSparseMatMul(SparseMode.Dds, l, g.Input("x", DType.F32, Tokens, Size), g.Input("w", DType.F32, l.NnzBlocks, Block, Block), transB: true));
        _forward = new CompiledGraph(g.Build(), Threads);
        g = new GraphBuilder();
        g.Output("dx", g.BlockSparseMatMul(SparseMode.Dds, l, g.Input("dy", DType.F32, Tokens, Size), g.Input("w", DType.F32, l.NnzBlocks, Block, Block)));
        _inputGradient = new CompiledGraph(g.Build(), Threads);
        g = new GraphBuilder();
        g.Output("dw", g.BlockSparseMatMul(SparseMode.Sdd, l, g.Input("dy", DType.F32, Tokens, Size), g.Input("x", DType.F32, Tokens, Size), transA: true));
        _weightGradient = new CompiledGraph(g.Build(), Threads);
        _dense = new OpenBlasGemm(Tokens, Size, Size, false, true, Threads);
        Console.WriteLine($"// OpenBLAS core: {_dense.CoreName}");
    }

    /// <summary>OpenBLAS dense Y = X·Wᵀ, 2048³.</summary>
    [Benchmark(Baseline = true)]
    public void OpenBlasDense() => _dense!.Run();

    /// <summary>Y = X·Wᵀ (Dds, transB).</summary>
    [Benchmark]
    public void Forward() => _forward!.Run();

    /// <summary>dX = dY·W (Dds via the CSC index).</summary>
    [Benchmark]
    public void InputGradient() => _inputGradient!.Run();

    /// <summary>dW = dYᵀ·X on the layout (Sdd, transA).</summary>
    [Benchmark]
    public void WeightGradient() => _weightGradient!.Run();

    /// <inheritdoc/>
    public double Flops(string benchmark) =>
        benchmark == nameof(OpenBlasDense) ? 2.0 * Tokens * Size * Size : 2.0 * Tokens * Layout.NnzBlocks * Block * Block;

    /// <summary>Releases the devices.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _forward?.Dispose();
        _inputGradient?.Dispose();
        _weightGradient?.Dispose();
        (_forward, _inputGradient, _weightGradient) = (null, null, null);
        GC.SuppressFinalize(this);
    }
}
