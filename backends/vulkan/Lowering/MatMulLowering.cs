using Pixelfly.Backends.Vulkan.Lowering.MatMul;
using Pixelfly.Ir.Ops;

namespace Pixelfly.Backends.Vulkan.Lowering;

/// <summary>
/// Lowering of the matmul family: dense matmul (gemm.comp), block-sparse matmul in the Sdd, Dsd and Dds modes
/// (sdd.comp, dsd.comp, dds.comp) and the block-sparse softmax and its gradient (bsr_softmax*.comp). The
/// dispatches compute in f32 words; rounding to an f16/bf16 result type is the caller's (VulkanLowering), as for
/// every op. An operand larger than the device's storage-buffer range is rejected with a specific error.
/// </summary>
internal static class MatMulLowering
{
    /// <summary>The dispatches computing node <c>c.Node</c>, one of the four matmul-family ops.</summary>
    public static IReadOnlyList<Dispatch> Lower(LoweringContext c) => BufferRange.Check(c, c.Node.Op switch
    {
        MatMulOp op => GemmLowering.Lower(c, op, CooperativeMatrixGemm.OptedIn),
        BlockSparseMatMulOp op => BlockSparseLowering.Lower(c, op),
        BlockSparseSoftmaxOp op => BlockSparseSoftmaxLowering.Lower(c, op.Layout, op.Scale, gradient: false),
        BlockSparseSoftmaxGradOp op => BlockSparseSoftmaxLowering.Lower(c, op.Layout, op.Scale, gradient: true),
        _ => throw new ArgumentException($"node {c.Node.Index} ({c.Node.Op.Name}) is not a matmul-family op", nameof(c)),
    });
}
