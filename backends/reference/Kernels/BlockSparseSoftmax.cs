using Pixelfly.Layouts;

namespace Pixelfly.Backends.Reference.Kernels;

/// <summary>
/// Row softmax over the stored blocks of a block-sparse matrix [..., nnz, b, b]: element row i of block row p is
/// the i-th row of every stored block of block row p, and it is normalised over exactly those elements.
/// </summary>
internal static class BlockSparseSoftmax
{
    /// <summary>y = softmax(Scale·x) over each stored row, with max-subtraction.</summary>
    public static double[] Forward(BlockLayout layout, double scale, Operand x)
    {
        var y = new double[x.Data.Length];
        foreach (var row in StoredRows(layout, x.Data.Length))
        {
            double max = double.NegativeInfinity;
            foreach (int e in row) max = Math.Max(max, scale * x.Data[e]);
            double sum = 0;
            foreach (int e in row) sum += Math.Exp(scale * x.Data[e] - max);
            foreach (int e in row) y[e] = Math.Exp(scale * x.Data[e] - max) / sum;
        }
        return y;
    }

    /// <summary>dx = Scale·y·(dy − Σ_row dy·y), the row sum over the same stored elements.</summary>
    public static double[] Backward(BlockLayout layout, double scale, Operand y, Operand dy)
    {
        var dx = new double[y.Data.Length];
        foreach (var row in StoredRows(layout, y.Data.Length))
        {
            double dot = 0;
            foreach (int e in row) dot += dy.Data[e] * y.Data[e];
            foreach (int e in row) dx[e] = scale * y.Data[e] * (dy.Data[e] - dot);
        }
        return dx;
    }

    /// <summary>The flat indices of every stored element row, per batch, block row and row within the block.</summary>
    private static IEnumerable<int[]> StoredRows(BlockLayout layout, int totalElements)
    {
        int bs = layout.BlockSize, blockElements = bs * bs;
        int perBatch = layout.NnzBlocks * blockElements;
        int batches = perBatch == 0 ? 0 : totalElements / perBatch;
        for (int batch = 0; batch < batches; batch++)
            for (int p = 0; p < layout.BlockRows; p++)
            {
                int first = layout.RowPtr[p], last = layout.RowPtr[p + 1];
                if (first == last) continue;
                for (int i = 0; i < bs; i++)
                {
                    var row = new int[(last - first) * bs];
                    for (int block = first, n = 0; block < last; block++)
                        for (int j = 0; j < bs; j++)
                            row[n++] = batch * perBatch + block * blockElements + i * bs + j;
                    yield return row;
                }
            }
    }
}
