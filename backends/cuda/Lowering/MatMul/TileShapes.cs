using Pixelfly.Ir.Ops;

namespace Pixelfly.Backends.Cuda.Lowering.MatMul;

/// <summary>
/// The CTA tiles each kernel file compiles in (the constexpr tile sizes at the top of gemm_mma.cu, gemm_simt.cu,
/// bsmm_mma.cu and bsmm_simt.cu), so lowering can size grids and shared memory. Block-sparse tiles align one side
/// with b: Sdd computes one b x b block per CTA, Dsd one block row x 128 columns, Dds 256 (SIMT: 128) rows x one
/// block column.
/// </summary>
internal static class TileShapes
{
    /// <summary>gemm_mma.cu: 128x128, BK 32, 8 warps.</summary>
    public static MmaTileShape DenseMma { get; } = new(128, 128, 32, 256);

    /// <summary>gemm_tf32.cu: 128x128, BK 16, 8 warps.</summary>
    public static MmaTileShape DenseTf32 { get; } = new(128, 128, 16, 256);

    /// <summary>gemm_simt.cu: 128x128, BK 8, 256 threads of 8x8.</summary>
    public static MmaTileShape DenseSimt { get; } = new(128, 128, 8, 256);

    /// <summary>bsmm_mma.cu's tile for a mode and block size.</summary>
    public static MmaTileShape BlockSparseMma(SparseMode mode, int b) => mode switch
    {
        SparseMode.Sdd => new(b, b, 32, b == 16 ? 32 : 128),
        SparseMode.Dsd => new(b, 128, Math.Min(b, 32), 256),
        SparseMode.Dds => new(256, b, Math.Min(b, 32), 256),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown sparse mode"),
    };

    /// <summary>bsmm_simt.cu's tile for a mode and block size (BK 8, 256 threads).</summary>
    public static MmaTileShape BlockSparseSimt(SparseMode mode, int b) => mode switch
    {
        SparseMode.Sdd => new(b, b, 8, 256),
        SparseMode.Dsd => new(b, 128, 8, 256),
        SparseMode.Dds => new(128, b, 8, 256),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown sparse mode"),
    };

    /// <summary>The kernels' PF_MODE code.</summary>
    public static int ModeCode(SparseMode mode) => mode switch
    {
        SparseMode.Sdd => 0,
        SparseMode.Dsd => 1,
        SparseMode.Dds => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown sparse mode"),
    };
}
