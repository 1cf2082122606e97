using Pixelfly.Tensors;

namespace Pixelfly.Backends.Reference.Kernels;

/// <summary>A value while the interpreter runs: its static type and its elements widened to double, row-major.</summary>
internal readonly record struct Operand(TensorType Type, double[] Data)
{
    /// <summary>The value's shape.</summary>
    public Shape Shape => Type.Shape;
}
