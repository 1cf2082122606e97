using Pixelfly.Ir.Ops;

namespace Pixelfly.Backends.Cuda.Lowering.MatMul;

/// <summary>
/// Lowering of the matmul family on CUDA: dense matmul (gemm_mma.cu on tensor cores for f16/bf16, gemm_tf32.cu for f32
/// when TF32 is opted in, gemm_simt.cu exact f32 otherwise), block-sparse matmul in the Sdd, Dsd and Dds modes (bsmm_mma.cu / bsmm_simt.cu for b = 16, 32, 64,
/// bsmm_any.cu for other b), and the block-sparse softmax and its gradient (bs_softmax.cu). Results are computed in
/// f32 and rounded once to the output dtype in the kernels' epilogues (or in the split-K reduce).
/// </summary>
internal static class MatMulLowering
{
    /// <summary>The launches computing node <c>c.Node</c>, one of the four matmul-family ops, in order.</summary>
    public static IReadOnlyList<KernelLaunch> Lower(LoweringContext c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.Node.Op switch
        {
            MatMulOp op => GemmLowering.Lower(c, op),
            BlockSparseMatMulOp op => BlockSparseLowering.Lower(c, op),
            BlockSparseSoftmaxOp op => BlockSparseSoftmaxLowering.Lower(c, op.Layout, op.Scale, gradient: false),
            BlockSparseSoftmaxGradOp op => BlockSparseSoftmaxLowering.Lower(c, op.Layout, op.Scale, gradient: true),
            _ => throw new ArgumentException($"node {c.Node.Index} ({c.Node.Op.Name}) is not a matmul-family op", nameof(c)),
        };
    }

    /// <summary>Every variant <see cref="Lower"/> can emit under <paramref name="limits"/> (for CI's NVRTC pass and warm-up).</summary>
    public static IEnumerable<KernelVariant> Variants(CudaLoweringLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        int[] inputs = [0, 1, 2], halfInputs = [1, 2], modes = [0, 1, 2];
        bool[] flags = [false, true];
        bool mma = MatMulKernels.HasTensorCores(limits);
        foreach (int input in inputs) yield return MatMulKernels.GemmSimt(input);
        yield return MatMulKernels.SplitReduce;
        if (mma && (MatMulKernels.MmaSharedBytes(TileShapes.DenseMma, false, false) <= limits.MaxDynamicSharedBytes
                    || MatMulKernels.MmaSharedBytes(TileShapes.DenseMma, true, true) <= limits.MaxDynamicSharedBytes))
        {
            foreach (int input in halfInputs)
                foreach (bool ta in flags)
                    foreach (bool tb in flags)
                        if (MatMulKernels.MmaSharedBytes(TileShapes.DenseMma, ta, tb) <= limits.MaxDynamicSharedBytes)
                            yield return MatMulKernels.GemmMma(input, ta, tb);
        }
        if (mma && limits.Tf32)
            foreach (bool ta in flags)
                foreach (bool tb in flags)
                    if (MatMulKernels.Tf32SharedBytes(TileShapes.DenseTf32, ta, tb) <= limits.MaxDynamicSharedBytes)
                        yield return MatMulKernels.GemmTf32(ta, tb);
        foreach (int input in inputs)
            foreach (int b in MatMulKernels.TiledBlockSizes)
                foreach (int mode in modes)
                    yield return MatMulKernels.BsmmSimt(input, b, mode);
        if (mma)
        {
            foreach (int input in halfInputs)
                foreach (int b in MatMulKernels.TiledBlockSizes)
                    foreach (var mode in new[] { SparseMode.Sdd, SparseMode.Dsd, SparseMode.Dds })
                        foreach (bool ta in flags)
                            foreach (bool tb in flags)
                                if (MatMulKernels.MmaSharedBytes(TileShapes.BlockSparseMma(mode, b), ta, tb) <= limits.MaxDynamicSharedBytes)
                                    yield return MatMulKernels.BsmmMma(input, b, mode, ta, tb);
        }
        foreach (int input in inputs)
            foreach (int mode in modes)
                yield return MatMulKernels.BsmmAny(input, mode);
        foreach (int input in inputs) yield return MatMulKernels.Softmax(input);
    }
}
