using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Pixelfly.Backends.Cpu.Kernels;
using Pixelfly.Perf.Micro.Support;

namespace Pixelfly.Perf.Micro.Benchmarks;

/// <summary>
/// Each register-blocked micro-kernel alone, on packed panels that stay in L1 (one MR×NR tile, K = 256): the ceiling
/// the matmuls can reach. Also a macro block (144×512×256, operands in L2), which is what a GEMM chunk runs.
/// </summary>
public unsafe class MicroKernelBenchmarks : IFlopCounted, IDisposable
{
    private const int K = 256, MacroM = 144, MacroN = 512;
    private float* _a, _b, _c, _tile;
    private MicroKernel _kernel;
    private nint _zero;

    /// <summary>"v512 12x32" style: SIMD width, MR×NR.</summary>
    [Params("v512 24x16", "v512 16x16", "v512 12x32", "v512 8x32", "v512 6x64", "v256 6x16")]
    public string Kernel { get; set; } = "v512 12x32";

    /// <summary>The packed-A layout: K16 (true) or KMajor.</summary>
    [Params(true, false)]
    public bool K16 { get; set; }

    /// <summary>Allocates and fills the panels.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var parts = Kernel.Split(' ', 'x');
        _kernel = MicroKernel.Create(int.Parse(parts[1]), int.Parse(parts[2]), parts[0] == "v512", K16 ? PanelLayout.K16 : PanelLayout.KMajor);
        long floats = (long)Math.Max(MacroM, MacroN) * K + 4096;
        _a = Filled(floats);
        _b = Filled(floats);
        _c = Filled((long)MacroM * MacroN);
        _tile = Filled(64 * 64);
    }

    /// <summary>One tile, everything in L1.</summary>
    [Benchmark]
    public void Tile()
    {
        fixed (nint* zero = &_zero)
            _kernel.Run(1, K, _a, zero, _b, zero, _c, _kernel.Nr, false);
    }

    /// <summary>All tiles of a 144×512 block over K = 256 (A panels in L2, each B panel reused from L1).</summary>
    [Benchmark]
    public void Macro() => GemmCore.Macro(_kernel, MacroM, MacroN, K, _a, _b, _c, MacroN, accumulate: false, _tile);

    /// <inheritdoc/>
    public double Flops(string benchmark)
    {
        var parts = Kernel.Split(' ', 'x');
        return benchmark == nameof(Tile) ? 2.0 * int.Parse(parts[1]) * int.Parse(parts[2]) * K : 2.0 * MacroM * MacroN * K;
    }

    /// <summary>Frees the panels.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        foreach (var p in new[] { _a, _b, _c, _tile }) NativeMemory.AlignedFree(p);
        _a = _b = _c = _tile = null;
        GC.SuppressFinalize(this);
    }

    private static float* Filled(long floats)
    {
        var p = (float*)NativeMemory.AlignedAlloc((nuint)(floats * 4), 64);
        for (long i = 0; i < floats; i++) p[i] = 0.001f * (i % 17);
        return p;
    }
}
