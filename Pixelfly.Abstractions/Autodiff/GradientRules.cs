using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Autodiff;

/// <summary>
/// The reverse-mode rule of every differentiable op, written in IR ops. Given the op's inputs, outputs and the
/// gradients of its outputs (null where none flows), returns the gradient of each input whose flag in
/// <c>need</c> is set (null where it has none, e.g. integer indices).
/// </summary>
internal static class GradientRules
{
    public static Value?[] Backward(GraphBuilder b, Op op, Value[] x, Value[] y, Value?[] gy, bool[] need)
    {
        var g = gy[0];
        if (g is null) return new Value?[x.Length];
        return op switch
        {
            UnaryOp u => [Unary(b, u.Function, x[0], y[0], g.Value)],
            BinaryOp bin => Binary(b, bin.Function, x[0], x[1], y[0], g.Value),
            WhereOp => Where(b, x, g.Value),
            CastOp => [b.Cast(g.Value, x[0].Type.DType)],
            FullOp or OneHotOp => new Value?[x.Length],
            ReduceOp r => [Reduce(b, r, x[0], y[0], g.Value)],
            SoftmaxOp s => [y[0] * (g.Value - b.ReduceSum(g.Value * y[0], [s.Axis], keepDims: true))],
            LogSoftmaxOp s => [g.Value - b.Exp(y[0]) * b.ReduceSum(g.Value, [s.Axis], keepDims: true)],
            LayerNormOp ln => LayerNorm(b, ln, x, g.Value),
            CrossEntropyOp => CrossEntropy(b, x, g.Value),
            ReshapeOp => [b.Reshape(g.Value, x[0].Shape.ToArray())],
            TransposeOp t => [b.Transpose(g.Value, t.Inverse())],
            SliceOp s => [b.Pad(g.Value, s.Begin, x[0].Shape.Select((d, i) => d - s.End[i]).ToArray())],
            PadOp p => [b.Slice(g.Value, p.Begin, x[0].Shape.Select((d, i) => p.Begin[i] + d).ToArray())],
            ConcatOp c => Concat(b, c, x, g.Value),
            BroadcastToOp => [SumToShape(b, g.Value, x[0].Shape)],
            GatherOp => [b.ScatterAdd(x[1], g.Value, x[0].Shape[0]), null],
            ScatterAddOp => [null, b.Gather(g.Value, x[0])],
            MatMulOp m => MatMul(b, m, x[0], x[1], g.Value),
            BlockSparseMatMulOp s => BlockSparse(b, s, x[0], x[1], g.Value),
            BlockSparseSoftmaxOp s => [b.Apply1(new BlockSparseSoftmaxGradOp(s.Layout, s.Scale), y[0], g.Value)],
            _ when !op.IsDifferentiable => throw new NotSupportedException($"op '{op.Name}' is not differentiable (no second-order rules)"),
            _ => throw new NotSupportedException($"op '{op.Name}' has no gradient rule"),
        };
    }

    private static Value Scalar(GraphBuilder b, double v, Value like) => b.Full(v, like.Type.DType);

    private static Value Unary(GraphBuilder b, UnaryFunction f, Value x, Value y, Value g) => f switch
    {
        UnaryFunction.Neg => -g,
        UnaryFunction.Exp => g * y,
        UnaryFunction.Log => g / x,
        UnaryFunction.Tanh => g * (Scalar(b, 1, x) - y * y),
        UnaryFunction.Sigmoid => g * y * (Scalar(b, 1, x) - y),
        UnaryFunction.Relu => g * b.Binary(BinaryFunction.Greater, x, Scalar(b, 0, x)),
        UnaryFunction.Gelu => b.Binary(BinaryFunction.GeluGrad, x, g),
        UnaryFunction.Rsqrt => g * Scalar(b, -0.5, x) * y * y * y,
        UnaryFunction.Sqrt => g * Scalar(b, 0.5, x) / y,
        _ => throw new NotSupportedException($"unary '{f}' has no gradient rule"),
    };

    private static Value?[] Binary(GraphBuilder b, BinaryFunction f, Value lhs, Value rhs, Value y, Value g)
    {
        (Value? ga, Value? gb) = f switch
        {
            BinaryFunction.Add => (g, g),
            BinaryFunction.Sub => (g, -g),
            BinaryFunction.Mul => (g * rhs, g * lhs),
            BinaryFunction.Div => (g / rhs, -(g * y) / rhs),
            BinaryFunction.Maximum => MaskedPair(b, g, b.Binary(BinaryFunction.Greater, rhs, lhs), lhs),
            BinaryFunction.Minimum => MaskedPair(b, g, b.Binary(BinaryFunction.Greater, lhs, rhs), lhs),
            // Piecewise constant: the gradient is zero almost everywhere.
            BinaryFunction.Greater or BinaryFunction.Equal => (null, null),
            _ => throw new NotSupportedException($"op '{f}' is not differentiable (no second-order rules)"),
        };
        return [ga is null ? null : SumToShape(b, ga.Value, lhs.Shape), gb is null ? null : SumToShape(b, gb.Value, rhs.Shape)];
    }

    // For max/min: `otherWins` is 1 where the rhs is selected; ties go to the lhs.
    private static (Value?, Value?) MaskedPair(GraphBuilder b, Value g, Value otherWins, Value like) =>
        (g * (Scalar(b, 1, like) - otherWins), g * otherWins);

    private static Value?[] Where(GraphBuilder b, Value[] x, Value g)
    {
        var zero = Scalar(b, 0, g);
        return [null, SumToShape(b, b.Where(x[0], g, zero), x[1].Shape), SumToShape(b, b.Where(x[0], zero, g), x[2].Shape)];
    }

    private static Value Reduce(GraphBuilder b, ReduceOp r, Value x, Value y, Value g)
    {
        var axes = r.NormalizedAxes(x.Shape);
        var keptShape = x.Shape.Select((d, i) => Array.IndexOf(axes, i) >= 0 ? 1 : d).ToArray();
        var gKept = b.BroadcastTo(b.Reshape(g, keptShape), x.Shape.ToArray());
        switch (r.Kind)
        {
            case ReduceKind.Sum:
                return gKept;
            case ReduceKind.Mean:
                long count = axes.Aggregate(1L, (acc, a) => acc * x.Shape[a]);
                return gKept / Scalar(b, count, x);
            default:
                // Max: split the gradient evenly among the maxima of each reduced slice.
                var yKept = b.Reshape(y, keptShape);
                var mask = b.Binary(BinaryFunction.Equal, x, yKept);
                var ties = b.ReduceSum(mask, axes, keepDims: true);
                return gKept * mask / ties;
        }
    }

    private static Value?[] LayerNorm(GraphBuilder b, LayerNormOp ln, Value[] x, Value g)
    {
        var (input, gamma) = (x[0], x[1]);
        var mean = b.ReduceMean(input, [-1], keepDims: true);
        var centered = input - mean;
        var variance = b.ReduceMean(centered * centered, [-1], keepDims: true);
        var rstd = b.Rsqrt(variance + Scalar(b, ln.Epsilon, input));
        var xhat = centered * rstd;
        var dxhat = g * gamma;
        var dx = rstd * (dxhat - b.ReduceMean(dxhat, [-1], keepDims: true) - xhat * b.ReduceMean(dxhat * xhat, [-1], keepDims: true));
        return [dx, SumToShape(b, g * xhat, gamma.Shape), SumToShape(b, g, x[2].Shape)];
    }

    private static Value?[] CrossEntropy(GraphBuilder b, Value[] x, Value g)
    {
        var (logits, labels) = (x[0], x[1]);
        int classes = logits.Shape[-1];
        var probs = b.Softmax(logits, -1);
        var onehot = b.OneHot(labels, classes, logits.Type.DType);
        var gCol = b.Reshape(g, [.. g.Shape, 1]);
        return [(probs - onehot) * gCol, null];
    }

    private static Value?[] Concat(GraphBuilder b, ConcatOp c, Value[] x, Value g)
    {
        int axis = x[0].Shape.Axis(c.Axis);
        var result = new Value?[x.Length];
        int offset = 0;
        for (int i = 0; i < x.Length; i++)
        {
            var begin = new int[g.Shape.Rank];
            var end = g.Shape.ToArray();
            begin[axis] = offset;
            end[axis] = offset + x[i].Shape[axis];
            result[i] = b.Slice(g, begin, end);
            offset = end[axis];
        }
        return result;
    }

    private static Value?[] MatMul(GraphBuilder b, MatMulOp m, Value a, Value w, Value g)
    {
        g = CastTo(b, g, a.Type.DType);
        var (ta, tb) = (m.TransA, m.TransB);
        // C = op(A)·op(B): dop(A) = g·op(B)ᵀ, dop(B) = op(A)ᵀ·g, transposed back where the operand was.
        // With one output column (a gate or a score: C = A·w with w a column), dA = g·wᵀ is an outer product: a
        // broadcast multiply by w as a row, which fuses with the element-wise work around it instead of a K = 1 matmul.
        bool outer = !ta && (tb ? w.Shape[-2] : w.Shape[-1]) == 1;
        var da = outer ? g * RowOf(b, w, tb)
            : ta ? b.MatMul(w, g, transA: tb, transB: true) : b.MatMul(g, w, transB: !tb);
        // A weight shared across a batch of untransposed rows: one matmul over all the batch's rows at once
        // (K = batch·M) instead of one per batch entry followed by a sum over the batch.
        if (FoldsBatch(a, w, ta))
        {
            var (a2, g2) = (Rows(b, a), Rows(b, g));
            return [SumBatch(b, da, a.Shape), tb ? b.MatMul(g2, a2, transA: true) : b.MatMul(a2, g2, transA: true)];
        }
        var dw = tb ? b.MatMul(g, a, transA: true, transB: ta) : b.MatMul(a, g, transA: !ta);
        return [SumBatch(b, da, a.Shape), SumBatch(b, dw, w.Shape)];
    }

    private static Value?[] BlockSparse(GraphBuilder b, BlockSparseMatMulOp s, Value a, Value w, Value g)
    {
        g = CastTo(b, g, a.Type.DType);
        var (ta, tb, layout) = (s.TransA, s.TransB, s.Layout);
        Value BS(SparseMode mode, Value l, Value r, bool transA, bool transB) => b.BlockSparseMatMul(mode, layout, l, r, transA, transB);
        // Dds with weights shared across a batch of untransposed rows: dW on the layout in one Sdd over all rows.
        if (s.Mode == SparseMode.Dds && !ta && a.Shape.Rank > 2 && w.Shape.Rank == 3)
        {
            var (a2, g2) = (Rows(b, a), Rows(b, g));
            var dx = BS(SparseMode.Dds, g, w, false, !tb);
            return [dx, tb ? BS(SparseMode.Sdd, g2, a2, true, false) : BS(SparseMode.Sdd, a2, g2, true, false)];
        }
        (Value da, Value dw) = s.Mode switch
        {
            // A dense, B sparse: dA is dense·sparse (or sparse·dense when A was transposed), dB is sampled on B's layout.
            SparseMode.Dds => (
                ta ? BS(SparseMode.Dsd, w, g, tb, true) : BS(SparseMode.Dds, g, w, false, !tb),
                tb ? BS(SparseMode.Sdd, g, a, true, ta) : BS(SparseMode.Sdd, a, g, !ta, false)),
            // A sparse, B dense.
            SparseMode.Dsd => (
                ta ? BS(SparseMode.Sdd, w, g, tb, true) : BS(SparseMode.Sdd, g, w, false, !tb),
                tb ? BS(SparseMode.Dds, g, a, true, ta) : BS(SparseMode.Dsd, a, g, !ta, false)),
            // Output sparse: g is sparse with the op's layout.
            _ => (
                ta ? BS(SparseMode.Dds, w, g, tb, true) : BS(SparseMode.Dsd, g, w, false, !tb),
                tb ? BS(SparseMode.Dsd, g, a, true, ta) : BS(SparseMode.Dds, a, g, !ta, false)),
        };
        return [SumBatch(b, da, a.Shape), SumBatch(b, dw, w.Shape)];
    }

    // op(B) = [..., K, 1] as a row [..., 1, K] (w is [..., K, 1], or [..., 1, K] when transposed).
    private static Value RowOf(GraphBuilder b, Value w, bool transB)
    {
        if (transB) return w;
        var dims = w.Shape.ToArray();
        (dims[^2], dims[^1]) = (1, dims[^2]);
        return b.Reshape(w, dims);
    }

    // op(A) = A [..., M, K] with a batch, B a rank-2 operand shared across it.
    private static bool FoldsBatch(Value a, Value w, bool transA) => !transA && a.Shape.Rank > 2 && w.Shape.Rank == 2;

    // [..., M, X] → [(…·M), X]: the rows of every batch entry, stacked (a free reshape of a row-major tensor).
    private static Value Rows(GraphBuilder b, Value v) => b.Reshape(v, -1, v.Shape[-1]);

    private static Value CastTo(GraphBuilder b, Value v, DType dtype) => v.Type.DType == dtype ? v : b.Cast(v, dtype);

    // A gradient computed per batch element for an operand shared across the batch sums over the batch axes.
    private static Value SumBatch(GraphBuilder b, Value grad, Shape target)
    {
        int extra = grad.Shape.Rank - target.Rank;
        if (extra <= 0) return grad;
        return b.ReduceSum(grad, Enumerable.Range(0, extra).ToArray());
    }

    /// <summary>Sums a broadcast gradient back to the operand's shape (NumPy broadcasting in reverse).</summary>
    public static Value SumToShape(GraphBuilder b, Value g, Shape target)
    {
        if (g.Shape == target) return g;
        int extra = g.Shape.Rank - target.Rank;
        var axes = new List<int>();
        for (int i = 0; i < g.Shape.Rank; i++)
            if (i < extra || (target[i - extra] == 1 && g.Shape[i] != 1))
                axes.Add(i);
        var summed = axes.Count > 0 ? b.ReduceSum(g, axes.ToArray(), keepDims: true) : g;
        return b.Reshape(summed, target.ToArray());
    }
}
