using System.Text.Json.Serialization;
using Pixelfly.Tensors;

namespace Pixelfly.Ir.Ops;

/// <summary>Elementwise functions of one tensor.</summary>
public enum UnaryFunction
{
    /// <summary>−x.</summary>
    Neg,
    /// <summary>eˣ.</summary>
    Exp,
    /// <summary>ln x.</summary>
    Log,
    /// <summary>tanh x.</summary>
    Tanh,
    /// <summary>1 / (1 + e⁻ˣ).</summary>
    Sigmoid,
    /// <summary>max(x, 0).</summary>
    Relu,
    /// <summary>GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    Gelu,
    /// <summary>1 / √x.</summary>
    Rsqrt,
    /// <summary>√x.</summary>
    Sqrt,
}

/// <summary>Elementwise functions of two tensors, with NumPy broadcasting.</summary>
public enum BinaryFunction
{
    /// <summary>a + b.</summary>
    Add,
    /// <summary>a − b.</summary>
    Sub,
    /// <summary>a · b.</summary>
    Mul,
    /// <summary>a / b.</summary>
    Div,
    /// <summary>max(a, b); ties pass the gradient to a.</summary>
    Maximum,
    /// <summary>min(a, b); ties pass the gradient to a.</summary>
    Minimum,
    /// <summary>1 where a &gt; b, else 0 (in the operands' dtype); not differentiable.</summary>
    Greater,
    /// <summary>1 where a == b, else 0 (in the operands' dtype); not differentiable.</summary>
    Equal,
    /// <summary>(x, dy) → dy·gelu'(x) for the tanh-approximated GELU; the backward of Gelu.</summary>
    GeluGrad,
}

/// <summary>y = f(x) elementwise. JSON name: the function's snake_case name ("exp").</summary>
public sealed record UnaryOp(UnaryFunction Function) : Op
{
    /// <inheritdoc/>
    public override string Name => OpNames.Of(Function);

    /// <inheritdoc/>
    public override int? Arity => 1;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 1, Name);
        TypeRules.Float(inputs, 0);
        return [inputs[0]];
    }
}

/// <summary>y = f(a, b) elementwise with NumPy broadcasting; both operands share one float dtype.</summary>
public sealed record BinaryOp(BinaryFunction Function) : Op
{
    /// <inheritdoc/>
    public override string Name => OpNames.Of(Function);

    /// <inheritdoc/>
    public override int? Arity => 2;

    /// <inheritdoc/>
    public override bool IsDifferentiable => Function is not (BinaryFunction.Greater or BinaryFunction.Equal or BinaryFunction.GeluGrad);

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 2, Name);
        TypeRules.Float(inputs, 0);
        TypeRules.SameDType(inputs, 0, 1);
        return [new TensorType(inputs[0].DType, TypeRules.Broadcast(inputs[0].Shape, inputs[1].Shape, 1))];
    }
}

/// <summary>y = cond ≠ 0 ? a : b, broadcasting all three; a and b share a float dtype, cond may be any dtype.</summary>
public sealed record WhereOp : Op
{
    /// <inheritdoc/>
    public override string Name => "where";

    /// <inheritdoc/>
    public override int? Arity => 3;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 3, Name);
        TypeRules.Float(inputs, 1);
        TypeRules.SameDType(inputs, 1, 2);
        var shape = TypeRules.Broadcast(TypeRules.Broadcast(inputs[0].Shape, inputs[1].Shape, 1), inputs[2].Shape, 2);
        return [new TensorType(inputs[1].DType, shape)];
    }
}

/// <summary>Converts to another dtype: float→float rounds to nearest even, float→i32 truncates toward zero.</summary>
public sealed record CastOp([property: JsonPropertyName("to")] DType To) : Op
{
    /// <inheritdoc/>
    public override string Name => "cast";

    /// <inheritdoc/>
    public override int? Arity => 1;

    /// <inheritdoc/>
    public override bool IsDifferentiable => To.IsFloat();

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 1, Name);
        return [new TensorType(To, inputs[0].Shape)];
    }
}

/// <summary>A tensor of the given shape and dtype with every element equal to Value. No inputs.</summary>
public sealed record FullOp(int[] Shape, double Value, [property: JsonPropertyName("dtype")] DType DType) : Op
{
    /// <inheritdoc/>
    public override string Name => "full";

    /// <inheritdoc/>
    public override int? Arity => 0;

    /// <inheritdoc/>
    public override bool IsDifferentiable => false;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 0, Name);
        try
        {
            return [new TensorType(DType, new Shape(Shape))];
        }
        catch (ArgumentException e)
        {
            throw new OpTypeException(-1, e.Message);
        }
    }
}
