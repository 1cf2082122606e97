using System.Text.Json.Serialization;
using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Ir.Ops;

/// <summary>Which operand of a block-sparse matmul is sparse (Triton's letters: output, lhs, rhs).</summary>
public enum SparseMode
{
    /// <summary>Sampled dense·dense: the output is sparse, only layout blocks are computed.</summary>
    Sdd,

    /// <summary>Sparse·dense.</summary>
    Dsd,

    /// <summary>Dense·sparse.</summary>
    Dds,
}

/// <summary>
/// Block-sparse matmul C = op(A)·op(B) where one of C, A, B is block-sparse with <see cref="Layout"/>. A sparse
/// tensor has shape [...batch?, nnz, b, b] and represents the (Layout.Rows × Layout.Cols) matrix before any
/// transpose; the layout's sizes are the padded sizes and dense operands must match them exactly (a layer pads
/// its features to multiples of b). Dense operands are [..., rows, cols]; batch dims follow <see cref="MatMulOp"/>,
/// and a sparse operand either has no batch dims (shared weights) or the dense batch dims. Forward, dX and dW of
/// a sparse linear layer y = x·Wᵀ are Dds(transB), Dds and Sdd(transA).
/// </summary>
public sealed record BlockSparseMatMulOp(
    SparseMode Mode,
    BlockLayout Layout,
    bool TransA = false,
    bool TransB = false,
    DType? OutputType = null) : Op
{
    /// <inheritdoc/>
    public override string Name => "block_sparse_matmul";

    /// <inheritdoc/>
    public override int? Arity => 2;

    /// <summary>Rows × cols of op(sparse operand), or of the sparse output for Sdd.</summary>
    [JsonIgnore]
    public (int Rows, int Cols) SparseOperandShape => Mode switch
    {
        SparseMode.Dsd when TransA => (Layout.Cols, Layout.Rows),
        SparseMode.Dds when TransB => (Layout.Cols, Layout.Rows),
        _ => (Layout.Rows, Layout.Cols),
    };

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 2, Name);
        TypeRules.Float(inputs, 0);
        TypeRules.SameDType(inputs, 0, 1);
        if (OutputType is { } o && !o.IsFloat())
            throw new OpTypeException(-1, $"output type must be floating point, got {o.Name()}");
        var dtype = OutputType ?? inputs[0].DType;
        switch (Mode)
        {
            case SparseMode.Sdd:
            {
                var (m, k1, n, k2, batch) = DenseDenseDims(inputs);
                if (k1 != k2)
                    throw new OpTypeException(1, $"inner dimensions differ: op(A) of {inputs[0]} is {m}x{k1}, op(B) of {inputs[1]} is {k2}x{n}");
                if (m != Layout.Rows || n != Layout.Cols)
                    throw new OpTypeException(0, $"the sparse output is {m}x{n} but the layout is {Layout.Rows}x{Layout.Cols}");
                return [new TensorType(dtype, new Shape([.. batch, Layout.NnzBlocks, Layout.BlockSize, Layout.BlockSize]))];
            }
            case SparseMode.Dsd:
            {
                var sparseBatch = SparseBatch(inputs, 0);
                TypeRules.MinRank(inputs, 1, 2);
                var b = inputs[1].Shape;
                var (m, k) = SparseOperandShape;
                int kb = TransB ? b[-1] : b[-2], n = TransB ? b[-2] : b[-1];
                if (k != kb)
                    throw new OpTypeException(1, $"inner dimensions differ: op(A) (sparse, layout {Layout.Rows}x{Layout.Cols}{(TransA ? " transposed" : "")}) is {m}x{k}, op(B) of {inputs[1]} is {kb}x{n}");
                var batch = DenseBatch(sparseBatch, b, 1);
                return [new TensorType(dtype, new Shape([.. batch, m, n]))];
            }
            case SparseMode.Dds:
            {
                var sparseBatch = SparseBatch(inputs, 1);
                TypeRules.MinRank(inputs, 0, 2);
                var a = inputs[0].Shape;
                var (k, n) = SparseOperandShape;
                int m = TransA ? a[-1] : a[-2], ka = TransA ? a[-2] : a[-1];
                if (ka != k)
                    throw new OpTypeException(0, $"inner dimensions differ: op(A) of {inputs[0]} is {m}x{ka}, op(B) (sparse, layout {Layout.Rows}x{Layout.Cols}{(TransB ? " transposed" : "")}) is {k}x{n}");
                var batch = DenseBatch(sparseBatch, a, 0);
                return [new TensorType(dtype, new Shape([.. batch, m, n]))];
            }
            default:
                throw new OpTypeException(-1, $"unknown sparse mode {Mode}");
        }
    }

    private (int m, int k1, int n, int k2, int[] batch) DenseDenseDims(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.MinRank(inputs, 0, 2);
        TypeRules.MinRank(inputs, 1, 2);
        var (a, b) = (inputs[0].Shape, inputs[1].Shape);
        int m = TransA ? a[-1] : a[-2], k1 = TransA ? a[-2] : a[-1];
        int k2 = TransB ? b[-1] : b[-2], n = TransB ? b[-2] : b[-1];
        var ba = a.ToArray()[..^2];
        if (!ba.AsSpan().SequenceEqual(b.ToArray()[..^2]))
            throw new OpTypeException(1, $"batch dimensions differ: {a} vs {b}");
        return (m, k1, n, k2, ba);
    }

    private int[] SparseBatch(IReadOnlyList<TensorType> inputs, int operand)
    {
        var s = inputs[operand].Shape;
        int bs = Layout.BlockSize;
        if (s.Rank < 3 || s[-3] != Layout.NnzBlocks || s[-2] != bs || s[-1] != bs)
            throw new OpTypeException(operand, $"sparse operand must be [..., {Layout.NnzBlocks}, {bs}, {bs}] for its layout ({Layout}), got {inputs[operand]}");
        return s.ToArray()[..^3];
    }

    private static int[] DenseBatch(int[] sparseBatch, Shape dense, int denseOperand)
    {
        var db = dense.ToArray()[..^2];
        if (sparseBatch.Length != 0 && !sparseBatch.AsSpan().SequenceEqual(db))
            throw new OpTypeException(denseOperand, $"batch dimensions of {dense} differ from the sparse operand's [{string.Join(",", sparseBatch)}]");
        return db;
    }
}
