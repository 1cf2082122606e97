namespace Pixelfly.Backends.Vulkan.Lowering.MatMul;

/// <summary>
/// Tile shape of the matmul family's shared-memory engine (Shaders/include/matmul_tile.glsl): a workgroup computes
/// a <see cref="BM"/> x <see cref="BN"/> output tile, staging <see cref="BK"/> reduction steps at a time, each
/// invocation holding a <see cref="TM"/> x <see cref="TN"/> register block.
/// </summary>
internal sealed record TileConfig(uint BM, uint BN, uint BK, uint TM, uint TN)
{
    /// <summary>Workgroup size: one invocation per register block.</summary>
    public uint Invocations => BM / TM * (BN / TN);

    /// <summary>Shared memory of the two staged tiles (each row padded by one word, as the shader does).</summary>
    public long SharedBytes => 4L * BK * (BM + 1 + BN + 1);

    /// <summary>True when the device can run a workgroup of this shape.</summary>
    public bool FitsIn(LoweringLimits limits) =>
        Invocations <= limits.MaxWorkgroupInvocations && SharedBytes <= limits.MaxSharedMemoryBytes;

    /// <summary>
    /// Specialization constants in the shader's ids: 0 = workgroup size, 1-2 unused (local size y/z), 3-7 = BM, BN,
    /// BK, TM, TN, 8 = op(A) rows adjacent in memory (A transposed), 9 = op(B) reduction index adjacent (B transposed).
    /// </summary>
    public uint[] Specialization(bool aRowsAdjacent, bool bReductionAdjacent) =>
        [Invocations, 1, 1, BM, BN, BK, TM, TN, aRowsAdjacent ? 1u : 0u, bReductionAdjacent ? 1u : 0u];

    /// <summary>A short description for dispatch labels.</summary>
    public override string ToString() => $"{BM}x{BN}x{BK} tile, {TM}x{TN} per invocation";

    /// <summary>Throws a specific error when the device cannot run this tile.</summary>
    public TileConfig CheckFits(LoweringLimits limits, string what)
    {
        if (!FitsIn(limits))
            throw new NotSupportedException(
                $"{what}: a {this} needs {Invocations} invocations and {SharedBytes} bytes of shared memory per workgroup, "
                + $"but this device allows {limits.MaxWorkgroupInvocations} invocations and {limits.MaxSharedMemoryBytes} bytes");
        return this;
    }
}
