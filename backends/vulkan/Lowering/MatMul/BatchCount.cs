using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Lowering.MatMul;

/// <summary>Batch sizes of matmul operands.</summary>
internal static class BatchCount
{
    /// <summary>Product of the dims before the last <paramref name="trailing"/> (1 when there are none).</summary>
    public static long Leading(Shape shape, int trailing)
    {
        long count = 1;
        for (int d = 0; d < shape.Rank - trailing; d++) count *= shape[d];
        return count;
    }
}
