using System.Text.Json.Serialization;
using Pixelfly.Tensors;

namespace Pixelfly.Ir.Ops;

/// <summary>How a reduction combines elements.</summary>
public enum ReduceKind
{
    /// <summary>Σ.</summary>
    Sum,
    /// <summary>Σ / count.</summary>
    Mean,
    /// <summary>The largest element; the gradient is shared among ties.</summary>
    Max,
}

/// <summary>Reduces over the given axes ("reduce_sum", "reduce_mean", "reduce_max").</summary>
public sealed record ReduceOp(ReduceKind Kind, int[] Axes, bool KeepDims) : Op
{
    /// <inheritdoc/>
    public override string Name => OpNames.Of(Kind);

    /// <inheritdoc/>
    public override int? Arity => 1;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 1, Name);
        TypeRules.Float(inputs, 0);
        var shape = inputs[0].Shape;
        var axes = TypeRules.Axes(shape, Axes, 0);
        if (Kind == ReduceKind.Max)
            foreach (int a in axes)
                if (shape[a] == 0)
                    throw new OpTypeException(0, $"reduce_max over the empty axis {a} of {shape} has no value");
        var dims = new List<int>();
        for (int i = 0; i < shape.Rank; i++)
        {
            if (Array.IndexOf(axes, i) < 0) dims.Add(shape[i]);
            else if (KeepDims) dims.Add(1);
        }
        return [new TensorType(inputs[0].DType, new Shape(dims.ToArray()))];
    }

    /// <summary>The reduced axes, normalised and sorted, for an input of the given shape.</summary>
    public int[] NormalizedAxes(Shape input) => TypeRules.Axes(input, Axes, 0);
}

/// <summary>Softmax along one axis: exp(x − max) / Σ exp(x − max).</summary>
public sealed record SoftmaxOp(int Axis) : Op
{
    /// <inheritdoc/>
    public override string Name => "softmax";

    /// <inheritdoc/>
    public override int? Arity => 1;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        return TypeRules.NormalizeAlongAxis(inputs, Axis, Name);
    }
}

/// <summary>Log-softmax along one axis: x − max − log Σ exp(x − max).</summary>
public sealed record LogSoftmaxOp(int Axis) : Op
{
    /// <inheritdoc/>
    public override string Name => "log_softmax";

    /// <inheritdoc/>
    public override int? Arity => 1;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        return TypeRules.NormalizeAlongAxis(inputs, Axis, Name);
    }
}

/// <summary>
/// Layer normalisation over the last axis: (x − mean)·rsqrt(var + ε)·gamma + beta, with the biased variance.
/// Inputs: x [..., C], gamma [C], beta [C].
/// </summary>
public sealed record LayerNormOp(double Epsilon) : Op
{
    /// <inheritdoc/>
    public override string Name => "layer_norm";

    /// <inheritdoc/>
    public override int? Arity => 3;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 3, Name);
        TypeRules.Float(inputs, 0);
        TypeRules.MinRank(inputs, 0, 1);
        if (!(Epsilon > 0))
            throw new OpTypeException(-1, $"epsilon must be positive, got {Epsilon}");
        int c = inputs[0].Shape[-1];
        for (int i = 1; i < 3; i++)
        {
            TypeRules.SameDType(inputs, 0, i);
            if (inputs[i].Shape != new Shape(c))
                throw new OpTypeException(i, $"expected shape [{c}] (the last axis of x {inputs[0]}), got {inputs[i]}");
        }
        return [inputs[0]];
    }
}

/// <summary>
/// Cross-entropy with integer labels: loss = logsumexp(logits) − logits[label], per row.
/// Inputs: logits [..., C] (float), labels [...] (i32, each in [0, C)). Output: [...].
/// </summary>
public sealed record CrossEntropyOp : Op
{
    /// <inheritdoc/>
    public override string Name => "cross_entropy";

    /// <inheritdoc/>
    public override int? Arity => 2;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 2, Name);
        TypeRules.Float(inputs, 0);
        TypeRules.MinRank(inputs, 0, 1);
        TypeRules.DTypeIs(inputs, 1, DType.I32);
        var logits = inputs[0].Shape.ToArray();
        var rows = new Shape(logits[..^1]);
        if (inputs[1].Shape != rows)
            throw new OpTypeException(1, $"labels must have shape {rows} (logits {inputs[0]} without the class axis), got {inputs[1]}");
        return [new TensorType(inputs[0].DType, rows)];
    }
}

/// <summary>One-hot encoding of i32 indices: [...] → [..., Depth] in DType; an out-of-range index gives a zero row.</summary>
public sealed record OneHotOp(int Depth, [property: JsonPropertyName("dtype")] DType DType) : Op
{
    /// <inheritdoc/>
    public override string Name => "one_hot";

    /// <inheritdoc/>
    public override int? Arity => 1;

    /// <inheritdoc/>
    public override bool IsDifferentiable => false;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 1, Name);
        TypeRules.DTypeIs(inputs, 0, DType.I32);
        if (Depth <= 0)
            throw new OpTypeException(-1, $"depth must be positive, got {Depth}");
        return [new TensorType(DType, new Shape([.. inputs[0].Shape, Depth]))];
    }
}
