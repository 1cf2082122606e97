using Pixelfly.Ir.Ops;

namespace Pixelfly.Backends.Vulkan.Lowering.MatMul;

/// <summary>
/// Lowers <see cref="MatMulOp"/> to one dispatch of Shaders/gemm.comp, or of gemm_coopmat.comp for f16 operands
/// when the cooperative-matrix path is opted into (<see cref="CooperativeMatrixGemm"/>).
/// </summary>
internal static class GemmLowering
{
    /// <summary>The dispatches of one matmul node (none when the output is empty).</summary>
    public static IReadOnlyList<Dispatch> Lower(LoweringContext c, MatMulOp op, bool allowCooperativeMatrix)
    {
        var (a, b) = (c.In(0).Shape, c.In(1).Shape);
        long m = op.TransA ? a[-1] : a[-2], k = op.TransA ? a[-2] : a[-1];
        long n = op.TransB ? b[-2] : b[-1];
        // Batch dims are equal, or the rank-2 operand is shared across the other's batch (stride 0).
        long batch = a.Rank > 2 ? BatchCount.Leading(a, 2) : BatchCount.Leading(b, 2);
        long outputs = c.Out(0).Shape.ElementCount;
        if (outputs == 0) return [];
        bool coopmat = CooperativeMatrixGemm.Applies(allowCooperativeMatrix, c.Limits, c.In(0).DType);
        var tile = coopmat ? null : TileChoice.Gemm(m, n, batch, c.Limits);
        uint tileRows = tile?.BM ?? CooperativeMatrixGemm.Tile, tileCols = tile?.BN ?? CooperativeMatrixGemm.Tile;
        long tilesN = (n + tileCols - 1) / tileCols, tilesM = (m + tileRows - 1) / tileRows;
        long tiles = tilesM * tilesN * batch;
        var push = new PushConstants()
            .U(m).U(n).U(k)
            .U(a.Rank > 2 ? m * k : 0)
            .U(b.Rank > 2 ? k * n : 0)
            .U(tilesN).U(tilesM * tilesN).U(tiles)
            .ToArray();
        var (x, y, z) = Grid.For(tiles, 1, c.Limits);
        return
        [
            new Dispatch(coopmat ? "gemm_coopmat" : "gemm",
                tile?.Specialization(op.TransA, op.TransB) ?? CooperativeMatrixGemm.Specialization(c.Limits, op.TransA, op.TransB), push,
                [
                    BufferArg.Value(c.Node.Inputs[0], a.ElementCount),
                    BufferArg.Value(c.Node.Inputs[1], b.ElementCount),
                    BufferArg.Value(c.Node.Outputs[0], outputs),
                ],
                x, y, z,
                $"node {c.Node.Index} matmul {batch}x{m}x{n}x{k}{(op.TransA ? " transA" : "")}{(op.TransB ? " transB" : "")}, {(coopmat ? "cooperative matrices (untested on hardware)" : tile)}"),
        ];
    }
}
