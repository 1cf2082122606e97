namespace Pixelfly.Tensors;

/// <summary>The static type of a tensor value: element type and shape.</summary>
public sealed record TensorType(DType DType, Shape Shape)
{
    /// <summary>Shorthand for a type with the given dims.</summary>
    public TensorType(DType dtype, params int[] dims) : this(dtype, new Shape(dims)) { }

    /// <summary>Bytes this tensor occupies, densely packed.</summary>
    public long ByteCount => (long)Shape.ElementCount * DType.SizeOf();

    /// <inheritdoc/>
    public override string ToString() => $"{DType.Name()}{Shape}";
}
