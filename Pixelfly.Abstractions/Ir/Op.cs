using Pixelfly.Tensors;

namespace Pixelfly.Ir;

/// <summary>
/// An operation of the IR: its attributes and its typing rule. Ops are immutable data; the JSON form of a node
/// is its op's <see cref="Name"/> plus the attributes as camelCase properties.
/// </summary>
public abstract record Op
{
    /// <summary>The op's name in the JSON form and in messages ("matmul", "exp").</summary>
    public abstract string Name { get; }

    /// <summary>Number of inputs, or null when variadic.</summary>
    public abstract int? Arity { get; }

    /// <summary>Whether reverse-mode differentiation through this op is defined.</summary>
    public virtual bool IsDifferentiable => true;

    /// <summary>
    /// The output types for the given input types, or an <see cref="OpTypeException"/> naming the operand that
    /// does not fit.
    /// </summary>
    public abstract TensorType[] InferTypes(IReadOnlyList<TensorType> inputs);
}

/// <summary>Thrown by <see cref="Op.InferTypes"/>; the graph builder adds the node and operand names.</summary>
public sealed class OpTypeException(int operand, string message) : Exception(message)
{
    /// <summary>Index of the offending operand, or -1 when the problem is with the attributes.</summary>
    public int Operand { get; } = operand;
}
