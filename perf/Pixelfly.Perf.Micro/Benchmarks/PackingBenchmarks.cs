using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Pixelfly.Backends.Cpu.Kernels;

namespace Pixelfly.Perf.Micro.Benchmarks;

/// <summary>
/// Packing a 144×2048 block of op(A) (as a Dds chunk does: K16 from row-major, KMajor from transposed storage) and a
/// 256×512 block of op(B) (copy from row-major, 8×8 transposes from transposed storage), Vector512 and Vector256.
/// </summary>
public unsafe class PackingBenchmarks : IDisposable
{
    private const int Rows = 144, Depth = 2048, BK = 256, BN = 512, Mr = 12, Nr = 32;
    private float* _src, _dst;

    /// <summary>Vector512 copies (false: Vector256, as with PIXELFLY_DISABLE=cpu.avx512).</summary>
    [Params(true, false)]
    public bool Wide { get; set; }

    /// <summary>Allocates the source and destination.</summary>
    [GlobalSetup]
    public void Setup()
    {
        long floats = (long)Rows * Depth + 4096;
        _src = (float*)NativeMemory.AlignedAlloc((nuint)(floats * 4), 64);
        _dst = (float*)NativeMemory.AlignedAlloc((nuint)(floats * 4), 64);
        for (long i = 0; i < floats; i++) _src[i] = i % 7;
    }

    /// <summary>op(A) row-major [144, 2048] into K16 panels.</summary>
    [Benchmark]
    public void PackAK16() => Packing.PackA(PanelLayout.K16, _dst, (nint)Depth * Mr, _src, Depth, 1, Rows, Depth, Mr, Wide);

    /// <summary>op(A) stored transposed [2048, 144] into KMajor panels.</summary>
    [Benchmark]
    public void PackAKMajor() => Packing.PackA(PanelLayout.KMajor, _dst, (nint)Depth * Mr, _src, 1, Rows, Rows, Depth, Mr, Wide);

    /// <summary>op(B) row-major [256, 512] into [k][32] panels.</summary>
    [Benchmark]
    public void PackBCopy() => Packing.PackB(_dst, (nint)BK * Nr, _src, BN, 1, BK, BK, BN, Nr, Wide);

    /// <summary>op(B) stored transposed [512, 256] into [k][32] panels (8×8 transposes).</summary>
    [Benchmark]
    public void PackBTransposed() => Packing.PackB(_dst, (nint)BK * Nr, _src, 1, BK, BK, BK, BN, Nr, Wide);

    /// <summary>Frees the buffers.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        NativeMemory.AlignedFree(_src);
        NativeMemory.AlignedFree(_dst);
        _src = _dst = null;
        GC.SuppressFinalize(this);
    }
}
