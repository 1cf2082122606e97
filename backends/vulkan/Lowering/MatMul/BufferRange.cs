namespace Pixelfly.Backends.Vulkan.Lowering.MatMul;

/// <summary>The matmul shaders address each operand through one storage-buffer binding.</summary>
internal static class BufferRange
{
    /// <summary>
    /// Returns the dispatches unchanged, or throws a specific error when a binding exceeds the device's storage-buffer
    /// range (the kernels index whole operands and would read past what the device can bind).
    /// </summary>
    public static IReadOnlyList<Dispatch> Check(LoweringContext c, IReadOnlyList<Dispatch> dispatches)
    {
        foreach (var d in dispatches)
            foreach (var b in d.Buffers)
                if (b.Words * 4 > c.Limits.MaxStorageBufferBytes)
                    throw new NotSupportedException(
                        $"node {c.Node.Index} ({c.Node.Op.Name}): a {(b.Kind == BufferArgKind.Table ? "layout table" : "operand")} of {b.Words * 4} bytes "
                        + $"exceeds this device's storage-buffer range of {c.Limits.MaxStorageBufferBytes} bytes; split the product into smaller ones");
        return dispatches;
    }
}
