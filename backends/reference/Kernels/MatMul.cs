using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Reference.Kernels;

/// <summary>
/// Batched dense matmul C = op(A)·op(B) in double. Each batch's operands are first copied into plain row-major
/// op(A) [M×K] and op(B) [K×N] matrices, so the product itself is one transpose-free i-k-j loop. A rank-2
/// operand is shared by every batch. Output rows are independent, so they run in parallel.
/// </summary>
internal static class MatMul
{
    public static double[] Forward(MatMulOp op, Operand a, Operand b, Shape result)
    {
        int m = result[-2], n = result[-1];
        int k = op.TransA ? a.Shape[-2] : a.Shape[-1];
        int batches = BatchCount(result);
        var c = new double[result.ElementCount];
        for (int batch = 0; batch < batches; batch++)
        {
            var opA = Operand2D(a, batch, op.TransA);
            var opB = Operand2D(b, batch, op.TransB);
            Multiply(opA, opB, c, batch * m * n, m, k, n);
        }
        return c;
    }

    /// <summary>c[offset + i·n + j] = Σ_k a[i·kk + k]·b[k·n + j] for row-major a [m×kk] and b [kk×n].</summary>
    public static void Multiply(double[] a, double[] b, double[] c, int offset, int m, int kk, int n)
    {
        Parallel.For(0, m, i =>
        {
            var row = c.AsSpan(offset + i * n, n);
            for (int k = 0; k < kk; k++)
            {
                double aik = a[i * kk + k];
                var bRow = b.AsSpan(k * n, n);
                for (int j = 0; j < n; j++) row[j] += aik * bRow[j];
            }
        });
    }

    /// <summary>
    /// The row-major matrix op(X) of one batch of a [..., R, C] operand (transposed when asked); a rank-2
    /// operand is the same matrix for every batch.
    /// </summary>
    public static double[] Operand2D(Operand x, int batch, bool transpose)
    {
        int rows = x.Shape[-2], cols = x.Shape[-1];
        int start = x.Shape.Rank == 2 ? 0 : batch * rows * cols;
        var matrix = new double[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int col = 0; col < cols; col++)
            {
                double v = x.Data[start + r * cols + col];
                if (transpose) matrix[col * rows + r] = v;
                else matrix[r * cols + col] = v;
            }
        return matrix;
    }

    /// <summary>Product of the leading (batch) dims of a [..., M, N] shape.</summary>
    public static int BatchCount(Shape shape)
    {
        int count = 1;
        for (int d = 0; d < shape.Rank - 2; d++) count *= shape[d];
        return count;
    }
}
