using Pixelfly.Tensors;

namespace Pixelfly.Ir.Ops;

/// <summary>
/// C = op(A)·op(B), op = transpose of the last two axes when TransA/TransB is set. A is [..., M, K] and B is
/// [..., K, N] (before the transposes); leading batch dims must be equal, or one operand has rank 2 and is
/// shared across the batch. Inputs share one float dtype; products accumulate in f32 (f64 for f64 inputs);
/// the result is rounded to OutputType (default: the input dtype).
/// </summary>
public sealed record MatMulOp(bool TransA = false, bool TransB = false, DType? OutputType = null) : Op
{
    /// <inheritdoc/>
    public override string Name => "matmul";

    /// <inheritdoc/>
    public override int? Arity => 2;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 2, Name);
        TypeRules.Float(inputs, 0);
        TypeRules.SameDType(inputs, 0, 1);
        TypeRules.MinRank(inputs, 0, 2);
        TypeRules.MinRank(inputs, 1, 2);
        if (OutputType is { } o && !o.IsFloat())
            throw new OpTypeException(-1, $"output type must be floating point, got {o.Name()}");
        var (a, b) = (inputs[0].Shape, inputs[1].Shape);
        int m = TransA ? a[-1] : a[-2], ka = TransA ? a[-2] : a[-1];
        int kb = TransB ? b[-1] : b[-2], n = TransB ? b[-2] : b[-1];
        if (ka != kb)
            throw new OpTypeException(1, $"inner dimensions differ: op(A) of {inputs[0]} is {m}x{ka}, op(B) of {inputs[1]} is {kb}x{n}");
        var batch = BatchDims(a, b);
        return [new TensorType(OutputType ?? inputs[0].DType, new Shape([.. batch, m, n]))];
    }

    /// <summary>The batch dims of the result: equal batch dims, or those of the operand with rank &gt; 2.</summary>
    internal static int[] BatchDims(Shape a, Shape b)
    {
        var ba = a.ToArray()[..^2];
        var bb = b.ToArray()[..^2];
        if (ba.Length == 0) return bb;
        if (bb.Length == 0) return ba;
        if (!ba.AsSpan().SequenceEqual(bb))
            throw new OpTypeException(1, $"batch dimensions differ: {a} vs {b} (they must be equal, or one operand must be rank 2)");
        return ba;
    }
}
