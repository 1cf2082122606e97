using BenchmarkDotNet.Attributes;
using Pixelfly.Ir;
using Pixelfly.Perf.Micro.Support;
using Pixelfly.Tensors;

namespace Pixelfly.Perf.Micro.Benchmarks;

/// <summary>
/// Our dense GEMM C = A·B (through a compiled graph, as a user runs it) against OpenBLAS sgemm of the same shape and
/// thread count; the Ratio column is our time over OpenBLAS's. (BenchmarkDotNet needs unsealed public classes.)
/// </summary>
public class DenseGemmBenchmarks : IFlopCounted, IDisposable
{
    private CompiledGraph? _ours;
    private OpenBlasGemm? _blas;

    /// <summary>M = N = K.</summary>
    [Params(512, 2048)]
    public int Size { get; set; }

    /// <summary>Worker threads for both.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>B is stored N×K and used transposed (the layout of a linear layer's weight).</summary>
    [Params(false, true)]
    public bool TransB { get; set; }

    /// <summary>Compiles the graph and loads OpenBLAS.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var g = new GraphBuilder();
        g.Output("c", g.MatMul(g.Input("a", DType.F32, Size, Size), g.Input("b", DType.F32, Size, Size), transB: TransB));
        _ours = new CompiledGraph(g.Build(), Threads);
        _blas = new OpenBlasGemm(Size, Size, Size, false, TransB, Threads);
        Console.WriteLine($"// OpenBLAS core: {_blas.CoreName}");
    }

    /// <summary>OpenBLAS sgemm.</summary>
    [Benchmark(Baseline = true)]
    public void OpenBlasSgemm() => _blas!.Run();

    /// <summary>Our GEMM.</summary>
    [Benchmark]
    public void PixelflyGemm() => _ours!.Run();

    /// <inheritdoc/>
    public double Flops(string benchmark) => 2.0 * Size * Size * Size;

    /// <summary>Releases the device.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _ours?.Dispose();
        _ours = null;
        GC.SuppressFinalize(this);
    }
}
