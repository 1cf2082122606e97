using Pixelfly.Ir.Ops;

namespace Pixelfly.Backends.Vulkan.Lowering.MatMul;

/// <summary>
/// Lowers <see cref="BlockSparseMatMulOp"/> to one dispatch of sdd.comp, dsd.comp or dds.comp with the layout's
/// index as a table. A transposed sparse operand is never copied: its blocks are read transposed and the walk
/// follows the other index (CSC instead of CSR), so Dds for dX = dY·W walks W's block columns, as the CPU does.
/// </summary>
internal static class BlockSparseLowering
{
    /// <summary>The dispatches of one block-sparse matmul node (none when the output is empty).</summary>
    public static IReadOnlyList<Dispatch> Lower(LoweringContext c, BlockSparseMatMulOp op)
    {
        if (c.Out(0).Shape.ElementCount == 0) return [];
        return op.Mode switch
        {
            SparseMode.Sdd => [Sdd(c, op)],
            SparseMode.Dsd => [Dsd(c, op)],
            SparseMode.Dds => [Dds(c, op)],
            _ => throw new NotSupportedException($"node {c.Node.Index}: block_sparse_matmul mode {op.Mode} has no Vulkan kernel"),
        };
    }

    private static Dispatch Sdd(LoweringContext c, BlockSparseMatMulOp op)
    {
        var layout = op.Layout;
        var (a, b) = (c.In(0).Shape, c.In(1).Shape);
        long m = layout.Rows, n = layout.Cols;
        long k = op.TransA ? a[-2] : a[-1];
        long batch = BatchCount.Leading(a, 2);   // Sdd needs equal batch dims on both inputs
        long blocks = batch * layout.NnzBlocks;
        var tile = TileChoice.Sdd(layout.BlockSize, c.Limits);
        var push = new PushConstants()
            .U(m).U(n).U(k)
            .U(a.Rank > 2 ? m * k : 0)
            .U(b.Rank > 2 ? k * n : 0)
            .U(layout.NnzBlocks).U(blocks)
            .ToArray();
        var (x, y, z) = Grid.For(blocks, 1, c.Limits);
        return new Dispatch("sdd", tile.Specialization(op.TransA, op.TransB), push,
            Buffers(c, BlockLineTable.Coordinates(layout)),
            x, y, z, Label(c, op, batch, tile));
    }

    private static Dispatch Dsd(LoweringContext c, BlockSparseMatMulOp op)
    {
        var layout = op.Layout;
        var (w, b) = (c.In(0).Shape, c.In(1).Shape);
        int bs = layout.BlockSize;
        var (m, k) = op.SparseOperandShape;
        long n = op.TransB ? b[-2] : b[-1];
        long batch = BatchCount.Leading(b, 2);
        long lines = m / bs;
        // Row p of op(W): row p of W (CSR), or of Wᵀ, which is column p of W (CSC).
        int[] table = op.TransA ? BlockLineTable.ByColumn(layout) : BlockLineTable.ByRow(layout);
        var tile = TileChoice.Dsd(bs, n, c.Limits);
        long tilesN = (n + tile.BN - 1) / tile.BN;
        long tiles = tilesN * lines * batch;
        var push = new PushConstants()
            .U(m).U(n).U(k)
            .U(w.Rank > 3 ? (long)layout.NnzBlocks * bs * bs : 0)
            .U(b.Rank > 2 ? k * n : 0)
            .U(lines).U(layout.NnzBlocks).U(tilesN).U(tiles)
            .ToArray();
        var (x, y, z) = Grid.For(tiles, 1, c.Limits);
        return new Dispatch("dsd", tile.Specialization(op.TransA, op.TransB), push,
            Buffers(c, table),
            x, y, z, Label(c, op, batch, tile));
    }

    private static Dispatch Dds(LoweringContext c, BlockSparseMatMulOp op)
    {
        var layout = op.Layout;
        var (a, w) = (c.In(0).Shape, c.In(1).Shape);
        int bs = layout.BlockSize;
        var (k, n) = op.SparseOperandShape;
        long m = op.TransA ? a[-1] : a[-2];
        long batch = BatchCount.Leading(a, 2);
        long lines = n / bs;
        // Column q of op(W): column q of W (CSC), or of Wᵀ, which is row q of W (CSR).
        int[] table = op.TransB ? BlockLineTable.ByRow(layout) : BlockLineTable.ByColumn(layout);
        var tile = TileChoice.Dds(bs, m, c.Limits);
        long tilesM = (m + tile.BM - 1) / tile.BM;
        long tiles = tilesM * lines * batch;
        var push = new PushConstants()
            .U(m).U(n).U(k)
            .U(a.Rank > 2 ? m * k : 0)
            .U(w.Rank > 3 ? (long)layout.NnzBlocks * bs * bs : 0)
            .U(lines).U(layout.NnzBlocks).U(tilesM).U(tiles)
            .ToArray();
        var (x, y, z) = Grid.For(tiles, 1, c.Limits);
        return new Dispatch("dds", tile.Specialization(op.TransA, op.TransB), push,
            Buffers(c, table),
            x, y, z, Label(c, op, batch, tile));
    }

    private static string Label(LoweringContext c, BlockSparseMatMulOp op, long batch, TileConfig tile) =>
        $"node {c.Node.Index} block_sparse_matmul {op.Mode.ToString().ToLowerInvariant()} b={op.Layout.BlockSize} "
        + $"{op.Layout.NnzBlocks} blocks, batch {batch}{(op.TransA ? " transA" : "")}{(op.TransB ? " transB" : "")}, {tile}";

    // Every block-sparse shader binds: both operands, the output, and the layout table its walk needs.
    private static BufferArg[] Buffers(LoweringContext c, int[] table) =>
    [
        BufferArg.Value(c.Node.Inputs[0], c.In(0).Shape.ElementCount),
        BufferArg.Value(c.Node.Inputs[1], c.In(1).Shape.ElementCount),
        BufferArg.Value(c.Node.Outputs[0], c.Out(0).Shape.ElementCount),
        BufferArg.Table(table),
    ];
}
