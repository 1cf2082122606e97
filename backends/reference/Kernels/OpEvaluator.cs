using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Reference.Kernels;

/// <summary>Dispatches one op application to its kernel. The list here is the reference backend's op coverage.</summary>
internal static class OpEvaluator
{
    /// <summary>True for every op this interpreter has a kernel for.</summary>
    public static bool Handles(Op op) => op is UnaryOp or BinaryOp or WhereOp or CastOp or FullOp
        or ReduceOp or SoftmaxOp or LogSoftmaxOp or LayerNormOp or CrossEntropyOp or OneHotOp
        or ReshapeOp or TransposeOp or SliceOp or PadOp or ConcatOp or BroadcastToOp or GatherOp or ScatterAddOp
        or MatMulOp or BlockSparseMatMulOp or BlockSparseSoftmaxOp or BlockSparseSoftmaxGradOp or AdamWOp;

    /// <summary>The op's outputs (unrounded) for these inputs; <paramref name="outputs"/> are the inferred output types.</summary>
    public static double[][] Evaluate(Op op, IReadOnlyList<Operand> x, IReadOnlyList<TensorType> outputs)
    {
        var shape = outputs[0].Shape;
        return op switch
        {
            UnaryOp u => [Elementwise.Unary(u.Function, x[0])],
            BinaryOp b => [Elementwise.Binary(b.Function, x[0], x[1], shape)],
            WhereOp => [Elementwise.Where(x[0], x[1], x[2], shape)],
            CastOp c => [Elementwise.Cast(x[0], c.To)],
            FullOp f => [Elementwise.Full(f)],
            ReduceOp r => [Reductions.Reduce(r, x[0])],
            SoftmaxOp s => [Softmax.Forward(x[0], s.Axis, log: false)],
            LogSoftmaxOp s => [Softmax.Forward(x[0], s.Axis, log: true)],
            LayerNormOp l => [LayerNorm.Forward(x[0], x[1], x[2], l.Epsilon)],
            CrossEntropyOp => [Losses.CrossEntropy(x[0], x[1])],
            OneHotOp o => [Indexing.OneHot(x[0], o.Depth)],
            ReshapeOp => [ShapeOps.Reshape(x[0])],
            TransposeOp t => [ShapeOps.Transpose(x[0], t, shape)],
            SliceOp s => [ShapeOps.Slice(x[0], s, shape)],
            PadOp p => [ShapeOps.Pad(x[0], p, shape)],
            ConcatOp c => [ShapeOps.Concat(x, c, shape)],
            BroadcastToOp => [ShapeOps.BroadcastTo(x[0], shape)],
            GatherOp => [Indexing.Gather(x[0], x[1])],
            ScatterAddOp s => [Indexing.ScatterAdd(x[0], x[1], s.Rows)],
            MatMulOp m => [MatMul.Forward(m, x[0], x[1], shape)],
            BlockSparseMatMulOp m => [BlockSparse.Forward(m, x[0], x[1], shape)],
            BlockSparseSoftmaxOp s => [BlockSparseSoftmax.Forward(s.Layout, s.Scale, x[0])],
            BlockSparseSoftmaxGradOp s => [BlockSparseSoftmax.Backward(s.Layout, s.Scale, x[0], x[1])],
            AdamWOp a => AdamW.Update(a, x[0], x[1], x[2], x[3], x[4], x[5]),
            _ => throw new InvalidOperationException($"the reference backend has no kernel for op '{op.Name}' ({op.GetType().Name})"),
        };
    }
}
