using Pixelfly.Layouts;

namespace Pixelfly.Backends.Vulkan.Lowering.MatMul;

/// <summary>
/// The table that dsd.comp and dds.comp walk: for each output block line (a block row of op(W) for Dsd, a block
/// column of op(W) for Dds) the stored blocks that contribute to it, as one int array:
/// [lines + 1 line starts][nnz block storage indices][nnz block positions along the reduction].
/// </summary>
internal static class BlockLineTable
{
    /// <summary>
    /// Per block row p: the stored blocks (p, q), ascending q, from the layout's block-CSR; the position is q.
    /// </summary>
    public static int[] ByRow(BlockLayout layout) =>
        Pack(layout.RowPtr, Enumerable.Range(0, layout.NnzBlocks).ToArray(), layout.ColIdx);

    /// <summary>
    /// Per block column q: the stored blocks (p, q), ascending p, from the layout's CSC index; the position is p.
    /// </summary>
    public static int[] ByColumn(BlockLayout layout) =>
        Pack(layout.ColPtr, layout.CscBlockIndex, layout.CscRowIdx);

    /// <summary>The block row of each stored block followed by its block column (sdd.comp's table).</summary>
    public static int[] Coordinates(BlockLayout layout) => [.. layout.BlockRowOfEachBlock(), .. layout.ColIdx];

    private static int[] Pack(ReadOnlySpan<int> starts, ReadOnlySpan<int> blocks, ReadOnlySpan<int> positions) =>
        [.. starts, .. blocks, .. positions];
}
