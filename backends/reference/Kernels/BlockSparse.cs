using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Reference.Kernels;

/// <summary>
/// Block-sparse matmul C = op(A)·op(B) in the three modes, straight from the definition: a sparse tensor
/// [..., nnz, b, b] holds the stored b×b blocks of a (Layout.Rows × Layout.Cols) matrix W in block-CSR order,
/// block element [i, j] = W[p·b+i, q·b+j]. A transposed sparse operand is first rewritten as the blocks of Wᵀ in
/// Wᵀ's own layout, so every mode runs untransposed. Only stored blocks contribute (a stored zero times Inf is
/// NaN, as on any device; an unstored block contributes nothing).
/// </summary>
internal static class BlockSparse
{
    public static double[] Forward(BlockSparseMatMulOp op, Operand a, Operand b, Shape result) => op.Mode switch
    {
        SparseMode.Sdd => SampledDenseDense(op, a, b, result),
        SparseMode.Dsd => SparseDense(op, a, b, result),
        SparseMode.Dds => DenseSparse(op, a, b, result),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op.Mode, "unknown sparse mode"),
    };

    /// <summary>Sdd: for each stored block (p, q) of the output, c[i, j] = Σ_k op(A)[p·b+i, k]·op(B)[k, q·b+j].</summary>
    private static double[] SampledDenseDense(BlockSparseMatMulOp op, Operand a, Operand b, Shape result)
    {
        var layout = op.Layout;
        int bs = layout.BlockSize, blockElements = bs * bs;
        int n = layout.Cols;
        int k = op.TransA ? a.Shape[-2] : a.Shape[-1];
        int batches = BatchCount(result, 3);
        var blockRow = layout.BlockRowOfEachBlock();
        var colIdx = layout.ColIdx.ToArray();
        var c = new double[result.ElementCount];
        for (int batch = 0; batch < batches; batch++)
        {
            var opA = MatMul.Operand2D(a, batch, op.TransA);
            var opB = MatMul.Operand2D(b, batch, op.TransB);
            int batchStart = batch * layout.NnzBlocks * blockElements;
            Parallel.For(0, layout.NnzBlocks, block =>
            {
                int p = blockRow[block], q = colIdx[block];
                var cBlock = c.AsSpan(batchStart + block * blockElements, blockElements);
                for (int i = 0; i < bs; i++)
                {
                    var cRow = cBlock.Slice(i * bs, bs);
                    for (int kk = 0; kk < k; kk++)
                    {
                        double aik = opA[(p * bs + i) * k + kk];
                        var bRow = opB.AsSpan(kk * n + q * bs, bs);
                        for (int j = 0; j < bs; j++) cRow[j] += aik * bRow[j];
                    }
                }
            });
        }
        return c;
    }

    /// <summary>Dsd: every stored block (p, q) of op(A) adds w[i, j]·op(B)[q·b+j, :] to output row p·b+i.</summary>
    private static double[] SparseDense(BlockSparseMatMulOp op, Operand a, Operand b, Shape result)
    {
        var (layout, opLayout) = (op.Layout, op.TransA ? op.Layout.Transposed() : op.Layout);
        int bs = layout.BlockSize;
        int n = result[-1];
        int batches = BatchCount(result, 2);
        var rowPtr = opLayout.RowPtr.ToArray();
        var colIdx = opLayout.ColIdx.ToArray();
        var c = new double[result.ElementCount];
        for (int batch = 0; batch < batches; batch++)
        {
            var w = SparseOperand(layout, a, batch, op.TransA);
            var opB = MatMul.Operand2D(b, batch, op.TransB);
            int batchStart = batch * opLayout.Rows * n;
            // Output block row p only receives the blocks of sparse block row p: block rows are independent.
            Parallel.For(0, opLayout.BlockRows, p =>
            {
                for (int block = rowPtr[p]; block < rowPtr[p + 1]; block++)
                {
                    int q = colIdx[block];
                    for (int i = 0; i < bs; i++)
                    {
                        var cRow = c.AsSpan(batchStart + (p * bs + i) * n, n);
                        for (int j = 0; j < bs; j++)
                        {
                            double wij = w[(block * bs + i) * bs + j];
                            var bRow = opB.AsSpan((q * bs + j) * n, n);
                            for (int col = 0; col < n; col++) cRow[col] += wij * bRow[col];
                        }
                    }
                }
            });
        }
        return c;
    }

    /// <summary>Dds: every stored block (p, q) of op(B) adds op(A)[m, p·b+i]·w[i, j] to output element [m, q·b+j].</summary>
    private static double[] DenseSparse(BlockSparseMatMulOp op, Operand a, Operand b, Shape result)
    {
        var (layout, opLayout) = (op.Layout, op.TransB ? op.Layout.Transposed() : op.Layout);
        int bs = layout.BlockSize;
        int m = result[-2], n = result[-1];
        int k = opLayout.Rows;
        int batches = BatchCount(result, 2);
        var rowPtr = opLayout.RowPtr.ToArray();
        var colIdx = opLayout.ColIdx.ToArray();
        var c = new double[result.ElementCount];
        for (int batch = 0; batch < batches; batch++)
        {
            var opA = MatMul.Operand2D(a, batch, op.TransA);
            var w = SparseOperand(layout, b, batch, op.TransB);
            int batchStart = batch * m * n;
            // Each output row depends only on the same row of op(A): rows are independent.
            Parallel.For(0, m, row =>
            {
                var cRow = c.AsSpan(batchStart + row * n, n);
                for (int p = 0; p < opLayout.BlockRows; p++)
                    for (int block = rowPtr[p]; block < rowPtr[p + 1]; block++)
                    {
                        var cBlockRow = cRow.Slice(colIdx[block] * bs, bs);
                        for (int i = 0; i < bs; i++)
                        {
                            double aki = opA[row * k + p * bs + i];
                            var wRow = w.AsSpan((block * bs + i) * bs, bs);
                            for (int j = 0; j < bs; j++) cBlockRow[j] += aki * wRow[j];
                        }
                    }
            });
        }
        return c;
    }

    /// <summary>
    /// One batch's stored blocks of op(W) in op(W)'s layout: a copy for W, and for Wᵀ the blocks of W in CSC
    /// order (the block-CSR order of Wᵀ), each transposed. A sparse operand without batch dims is shared.
    /// </summary>
    private static double[] SparseOperand(BlockLayout layout, Operand sparse, int batch, bool transpose)
    {
        int bs = layout.BlockSize, blockElements = bs * bs, nnz = layout.NnzBlocks;
        int start = sparse.Shape.Rank == 3 ? 0 : batch * nnz * blockElements;
        var blocks = new double[nnz * blockElements];
        if (!transpose)
        {
            Array.Copy(sparse.Data, start, blocks, 0, blocks.Length);
            return blocks;
        }
        var source = layout.CscBlockIndex;
        for (int e = 0; e < nnz; e++)
        {
            int from = start + source[e] * blockElements;
            for (int i = 0; i < bs; i++)
                for (int j = 0; j < bs; j++)
                    blocks[e * blockElements + j * bs + i] = sparse.Data[from + i * bs + j];
        }
        return blocks;
    }

    /// <summary>Product of the dims before the trailing <paramref name="trailing"/> ones.</summary>
    private static int BatchCount(Shape shape, int trailing)
    {
        int count = 1;
        for (int d = 0; d < shape.Rank - trailing; d++) count *= shape[d];
        return count;
    }
}
