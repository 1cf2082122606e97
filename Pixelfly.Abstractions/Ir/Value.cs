using Pixelfly.Tensors;

namespace Pixelfly.Ir;

/// <summary>A handle to a value while a graph is being built. Arithmetic operators add nodes to its builder.</summary>
public readonly record struct Value(GraphBuilder Builder, int Id)
{
    /// <summary>The value's static type.</summary>
    public TensorType Type => Builder.TypeOf(this);

    /// <summary>The value's shape.</summary>
    public Shape Shape => Type.Shape;

    /// <summary>The value's name.</summary>
    public string Name => Builder.NameOf(this);

    /// <summary>a + b (broadcasting).</summary>
    public static Value operator +(Value a, Value b) => a.Builder.Add(a, b);

    /// <summary>a − b (broadcasting).</summary>
    public static Value operator -(Value a, Value b) => a.Builder.Sub(a, b);

    /// <summary>a · b elementwise (broadcasting).</summary>
    public static Value operator *(Value a, Value b) => a.Builder.Mul(a, b);

    /// <summary>a / b elementwise (broadcasting).</summary>
    public static Value operator /(Value a, Value b) => a.Builder.Div(a, b);

    /// <summary>−a.</summary>
    public static Value operator -(Value a) => a.Builder.Neg(a);

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Type}";
}
