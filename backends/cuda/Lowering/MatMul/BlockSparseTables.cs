using Pixelfly.Layouts;

namespace Pixelfly.Backends.Cuda.Lowering.MatMul;

/// <summary>
/// The layout index the block-sparse kernels walk, built once at lowering time and uploaded as a Table argument.
/// Line tables (Dsd, Dds): for each output block line, the stored blocks that contribute to it, as
/// [lines + 1 starts][nnz block storage indices][nnz positions along the reduction] — a block row of op(W) for Dsd,
/// a block column of op(W) for Dds. A transposed op(W) swaps CSR and CSC: row p of Wᵀ is column p of W.
/// </summary>
internal static class BlockSparseTables
{
    /// <summary>Per block row p of W: its stored blocks (p, q), ascending q, and q as the position.</summary>
    public static int[] ByRow(BlockLayout layout) =>
        [.. layout.RowPtr, .. Enumerable.Range(0, layout.NnzBlocks), .. layout.ColIdx];

    /// <summary>Per block column q of W: its stored blocks (p, q), ascending p, and p as the position.</summary>
    public static int[] ByColumn(BlockLayout layout) =>
        [.. layout.ColPtr, .. layout.CscBlockIndex, .. layout.CscRowIdx];

    /// <summary>Sdd's table: the block row of every stored block, then its block column.</summary>
    public static int[] Coordinates(BlockLayout layout) => [.. layout.BlockRowOfEachBlock(), .. layout.ColIdx];

    /// <summary>Dsd walks the block rows of op(W): rows of W, or columns of W when op(W) = Wᵀ.</summary>
    public static int[] DsdLines(BlockLayout layout, bool transposed) => transposed ? ByColumn(layout) : ByRow(layout);

    /// <summary>Dds walks the block columns of op(W): columns of W, or rows of W when op(W) = Wᵀ.</summary>
    public static int[] DdsLines(BlockLayout layout, bool transposed) => transposed ? ByRow(layout) : ByColumn(layout);
}
