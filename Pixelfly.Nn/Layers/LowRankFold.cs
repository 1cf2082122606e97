using Pixelfly.Ir;
using Pixelfly.Layouts;

namespace Pixelfly.Nn.Layers;

/// <summary>
/// A rank-r factor of a Pixelfly layer folded into its block-sparse product as dense blocks, so one block-sparse
/// kernel does the work of the sparse product and a thin dense GEMM over the layer's wide side (and, in training,
/// of their backward products too):
/// <list type="bullet">
/// <item><b>Columns</b>: W_s (out × in) gains ⌈r/b⌉ full block columns holding U, and the input gains the matching
/// columns g·h, so <c>[(1 − g)·x, g·h] · [W_s, U]ᵀ</c> is the whole layer before the bias.</item>
/// <item><b>Rows</b>: W_s gains ⌈rows/b⌉ full block rows holding a dense factor (V with the gate's row), so one
/// product yields <c>[x·W_sᵀ, x·Vᵀ, x·w_g]</c>.</item>
/// </list>
/// Factors are zero-padded to whole blocks; the padding adds products of zeros and nothing else.
/// </summary>
internal static class LowRankFold
{
    /// <summary><paramref name="layout"/> with <paramref name="extra"/> full block columns appended on the right.</summary>
    public static BlockLayout WithDenseColumns(BlockLayout layout, int extra)
    {
        int rows = layout.BlockRows, cols = layout.BlockCols;
        var rowPtr = new int[rows + 1];
        var colIdx = new List<int>(layout.NnzBlocks + rows * extra);
        for (int p = 0; p < rows; p++)
        {
            for (int k = layout.RowPtr[p]; k < layout.RowPtr[p + 1]; k++) colIdx.Add(layout.ColIdx[k]);
            for (int j = 0; j < extra; j++) colIdx.Add(cols + j);
            rowPtr[p + 1] = colIdx.Count;
        }
        return new BlockLayout(layout.Rows, layout.Cols + extra * layout.BlockSize, layout.BlockSize, rowPtr, colIdx.ToArray());
    }

    /// <summary><paramref name="layout"/> with <paramref name="extra"/> full block rows appended at the bottom: in
    /// block-CSR order their blocks follow all of the layout's, so the weights are a plain concatenation.</summary>
    public static BlockLayout WithDenseRows(BlockLayout layout, int extra)
    {
        int rows = layout.BlockRows, cols = layout.BlockCols;
        var rowPtr = new int[rows + extra + 1];
        var colIdx = new int[layout.NnzBlocks + extra * cols];
        layout.RowPtr.CopyTo(rowPtr);
        layout.ColIdx.CopyTo(colIdx);
        for (int p = 0; p < extra; p++)
        {
            for (int q = 0; q < cols; q++) colIdx[layout.NnzBlocks + p * cols + q] = q;
            rowPtr[rows + p + 1] = layout.NnzBlocks + (p + 1) * cols;
        }
        return new BlockLayout(layout.Rows + extra * layout.BlockSize, layout.Cols, layout.BlockSize, rowPtr, colIdx);
    }

    /// <summary>
    /// Where each block of <see cref="WithDenseColumns"/>'s layout comes from in <c>concat(W_s blocks, factor
    /// blocks)</c>: a block row's own blocks, then its <paramref name="extra"/> factor blocks (factor block (p, j) is
    /// entry NnzBlocks + p·extra + j, as <see cref="ToBlocks"/> orders them).
    /// </summary>
    public static int[] ColumnFoldOrder(BlockLayout layout, int extra)
    {
        var order = new int[layout.NnzBlocks + layout.BlockRows * extra];
        int e = 0;
        for (int p = 0; p < layout.BlockRows; p++)
        {
            for (int k = layout.RowPtr[p]; k < layout.RowPtr[p + 1]; k++) order[e++] = k;
            for (int j = 0; j < extra; j++) order[e++] = layout.NnzBlocks + p * extra + j;
        }
        return order;
    }

    /// <summary>
    /// A dense [rows, cols] matrix zero-padded to [<paramref name="paddedRows"/>, <paramref name="paddedCols"/>]
    /// (multiples of b) and cut into b×b blocks in block-row-major order: [rows/b · cols/b, b, b], block (p, q) with
    /// element [i, j] = M[p·b + i, q·b + j], the block storage of a full block-CSR layout.
    /// </summary>
    public static Value ToBlocks(GraphBuilder g, Value matrix, int paddedRows, int paddedCols, int blockSize)
    {
        int rows = matrix.Shape[0], cols = matrix.Shape[1];
        var padded = rows == paddedRows && cols == paddedCols
            ? matrix
            : g.Pad(matrix, [0, 0], [paddedRows - rows, paddedCols - cols]);
        int br = paddedRows / blockSize, bc = paddedCols / blockSize;
        var tiles = g.Transpose(g.Reshape(padded, br, blockSize, bc, blockSize), 0, 2, 1, 3);
        return g.Reshape(tiles, br * bc, blockSize, blockSize);
    }

    /// <summary>Whole blocks needed for <paramref name="width"/> rows or columns.</summary>
    public static int Blocks(int width, int blockSize) => (width + blockSize - 1) / blockSize;
}
