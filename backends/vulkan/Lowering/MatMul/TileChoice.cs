namespace Pixelfly.Backends.Vulkan.Lowering.MatMul;

/// <summary>Which tile shape each matmul kernel uses for a problem size on a device.</summary>
internal static class TileChoice
{
    /// <summary>128 x 128, 8 x 8 per invocation (256 invocations, ~17 KB shared): big problems on real GPUs.</summary>
    public static readonly TileConfig GemmLarge = new(128, 128, 16, 8, 8);

    /// <summary>64 x 64, 4 x 4 per invocation (256 invocations, ~8 KB shared).</summary>
    public static readonly TileConfig GemmMedium = new(64, 64, 16, 4, 4);

    /// <summary>32 x 32, 4 x 4 per invocation (64 invocations): small or thin products.</summary>
    public static readonly TileConfig GemmSmall = new(32, 32, 16, 4, 4);

    /// <summary>16 x 16, 2 x 2 per invocation (64 invocations): the fallback for very limited devices.</summary>
    public static readonly TileConfig GemmTiny = new(16, 16, 16, 2, 2);

    /// <summary>
    /// Workgroups the large tile must still produce: fewer would leave most compute units of a big GPU idle, where
    /// the medium tile spreads the same product over four times as many workgroups.
    /// </summary>
    private const long LargeTileMinWorkgroups = 128;

    /// <summary>The dense GEMM tile for an M x N output repeated over batch.</summary>
    public static TileConfig Gemm(long m, long n, long batch, LoweringLimits limits)
    {
        long largeGroups = batch * Ceil(m, GemmLarge.BM) * Ceil(n, GemmLarge.BN);
        if (m >= GemmLarge.BM && n >= GemmLarge.BN && largeGroups >= LargeTileMinWorkgroups && GemmLarge.FitsIn(limits))
            return GemmLarge;
        if (m >= GemmMedium.BM && n >= GemmMedium.BN && GemmMedium.FitsIn(limits))
            return GemmMedium;
        if (GemmSmall.FitsIn(limits)) return GemmSmall;
        return GemmTiny.CheckFits(limits, "matmul");
    }

    /// <summary>Sdd: one b x b output block per workgroup.</summary>
    public static TileConfig Sdd(int blockSize, LoweringLimits limits)
    {
        uint b = (uint)blockSize;
        uint t = RegisterBlock(b);
        return new TileConfig(b, b, ReductionStep(b), t, t).CheckFits(limits, $"block_sparse_matmul sdd with b={b}");
    }

    /// <summary>Dds: BM dense rows against one block column of b (BN = b); BK divides b.</summary>
    public static TileConfig Dds(int blockSize, long m, LoweringLimits limits)
    {
        uint b = (uint)blockSize;
        var (rows, tm) = m > 32 ? (64u, 4u) : (32u, 2u);
        return new TileConfig(rows, b, ReductionStep(b), tm, RegisterBlock(b)).CheckFits(limits, $"block_sparse_matmul dds with b={b}");
    }

    /// <summary>Dsd: one block row of b (BM = b) against BN dense columns; BK divides b.</summary>
    public static TileConfig Dsd(int blockSize, long n, LoweringLimits limits)
    {
        uint b = (uint)blockSize;
        var (cols, tn) = n > 32 ? (64u, 4u) : (32u, 2u);
        return new TileConfig(b, cols, ReductionStep(b), RegisterBlock(b), tn).CheckFits(limits, $"block_sparse_matmul dsd with b={b}");
    }

    /// <summary>
    /// Outputs per invocation along a block edge: 2 for b=16 (64 invocations), 4 for b=32 and 64 (64 and 256), 8 beyond
    /// (b=128: 256), so a block stays within a workgroup; odd sizes fall back to what divides b.
    /// </summary>
    private static uint RegisterBlock(uint b) =>
        b > 64 && b % 8 == 0 ? 8u : b > 16 && b % 4 == 0 ? 4u : b % 2 == 0 ? 2u : 1u;

    /// <summary>The staged reduction step inside a block: it must divide b, since block loads are not bounds-checked.</summary>
    private static uint ReductionStep(uint b) => b % 16 == 0 ? 16u : b % 8 == 0 ? 8u : b;

    private static long Ceil(long x, uint d) => (x + d - 1) / d;
}
