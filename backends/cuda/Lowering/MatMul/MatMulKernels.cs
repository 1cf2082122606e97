using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Lowering.MatMul;

/// <summary>
/// The matmul family's kernel variants (Kernels/matmul/*.cu) and the tile facts each .cu file fixes at compile
/// time. The constants here must match those files (tests pin them); dtype codes are the kernels' PF_IN / outKind.
/// </summary>
internal static class MatMulKernels
{
    /// <summary>Tensor-core kernels use 16-byte cp.async copies: the contiguous axis of a dense operand must be a multiple of this.</summary>
    public const int ChunkElements = 8;

    /// <summary>Ring depth of the tensor-core pipeline (tile_mma.cuh STAGES).</summary>
    public const int MmaStages = 4;

    /// <summary>Shared rows of the tensor-core tiles are padded by this many 16-bit elements.</summary>
    public const int MmaPad = 8;

    /// <summary>Block sizes with tiled kernels; any other b runs bsmm_any.cu.</summary>
    public static IReadOnlyList<int> TiledBlockSizes { get; } = [16, 32, 64];

    /// <summary>Whether the device has the sm_80 instructions the tensor-core kernels use (cp.async, bf16 mma.sync).</summary>
    public static bool HasTensorCores(CudaLoweringLimits limits) => limits.ComputeCapability >= 80;

    /// <summary>The kernels' code for an input dtype: 0 f32, 1 f16, 2 bf16.</summary>
    public static int InputCode(DType dtype) => dtype switch
    {
        DType.F32 => 0,
        DType.F16 => 1,
        DType.BF16 => 2,
        _ => throw new NotSupportedException($"the CUDA matmul kernels take f32, f16 or bf16 inputs, not {dtype.Name()}"),
    };

    /// <summary>The kernels' outKind for an output dtype (same codes as <see cref="InputCode"/>).</summary>
    public static int OutputCode(DType dtype) => InputCode(dtype);

    /// <summary>Bytes per element of a dtype the kernels take.</summary>
    public static int ElementBytes(DType dtype) => InputCode(dtype) == 0 ? 4 : 2;

    // Tensor-core variants carry their launch's block size and shared bytes (PF_THREADS, PF_SMEM_BYTES): the kernel
    // static_asserts them against its own tile, so this file and the .cu cannot drift apart unnoticed.
    public static KernelVariant GemmMma(int inputCode, bool transA, bool transB)
    {
        var tile = TileShapes.DenseMma;
        return KernelVariant.Of("gemm_mma.cu", ("PF_IN", inputCode), ("PF_TRANS_A", transA ? 1 : 0), ("PF_TRANS_B", transB ? 1 : 0),
            ("PF_THREADS", tile.Threads), ("PF_SMEM_BYTES", MmaSharedBytes(tile, transA, transB)));
    }

    public static KernelVariant GemmTf32(bool transA, bool transB)
    {
        var tile = TileShapes.DenseTf32;
        return KernelVariant.Of("gemm_tf32.cu", ("PF_TRANS_A", transA ? 1 : 0), ("PF_TRANS_B", transB ? 1 : 0),
            ("PF_THREADS", tile.Threads), ("PF_SMEM_BYTES", Tf32SharedBytes(tile, transA, transB)));
    }

    public static KernelVariant GemmSimt(int inputCode) => KernelVariant.Of("gemm_simt.cu", ("PF_IN", inputCode));

    public static KernelVariant SplitReduce { get; } = KernelVariant.Of("splitk_reduce.cu");

    public static KernelVariant BsmmMma(int inputCode, int block, SparseMode mode, bool transA, bool transB)
    {
        var tile = TileShapes.BlockSparseMma(mode, block);
        return KernelVariant.Of("bsmm_mma.cu", ("PF_IN", inputCode), ("PF_BLOCK", block), ("PF_MODE", TileShapes.ModeCode(mode)),
            ("PF_TRANS_A", transA ? 1 : 0), ("PF_TRANS_B", transB ? 1 : 0),
            ("PF_THREADS", tile.Threads), ("PF_SMEM_BYTES", MmaSharedBytes(tile, transA, transB)));
    }

    public static KernelVariant BsmmSimt(int inputCode, int block, int mode) =>
        KernelVariant.Of("bsmm_simt.cu", ("PF_IN", inputCode), ("PF_BLOCK", block), ("PF_MODE", mode));

    public static KernelVariant BsmmAny(int inputCode, int mode) =>
        KernelVariant.Of("bsmm_any.cu", ("PF_IN", inputCode), ("PF_MODE", mode));

    public static KernelVariant Softmax(int inputCode) => KernelVariant.Of("bs_softmax.cu", ("PF_IN", inputCode));

    /// <summary>
    /// Dynamic shared bytes of a tensor-core tile (tile_mma.cuh SMEM_BYTES): per stage, A is [BM][BK+8] (or [BK][BM+8]
    /// when op(A) is a transpose) and B [BK][BN+8] (or [BN][BK+8] when op(B) is a transpose), 2 bytes an element.
    /// </summary>
    public static int MmaSharedBytes(MmaTileShape t, bool transA, bool transB)
    {
        int a = transA ? t.BK * (t.BM + MmaPad) : t.BM * (t.BK + MmaPad);
        int b = transB ? t.BN * (t.BK + MmaPad) : t.BK * (t.BN + MmaPad);
        return MmaStages * (a + b) * 2;
    }

    /// <summary>Ring depth of the TF32 pipeline (gemm_tf32.cu).</summary>
    public const int Tf32Stages = 3;

    /// <summary>
    /// Dynamic shared bytes of the TF32 tile (tile_tf32.cuh SMEM_BYTES): 4-byte elements; a k-contiguous shared row is
    /// padded by 4 floats, an m- or n-contiguous one by 8 (the pitches that keep fragment loads conflict-free).
    /// </summary>
    public static int Tf32SharedBytes(MmaTileShape t, bool transA, bool transB)
    {
        int a = transA ? t.BK * (t.BM + 8) : t.BM * (t.BK + 4);
        int b = transB ? t.BN * (t.BK + 4) : t.BK * (t.BN + 8);
        return Tf32Stages * (a + b) * 4;
    }
}

/// <summary>One CTA's tile: BM x BN outputs, BK-deep k steps, Threads per CTA.</summary>
internal readonly record struct MmaTileShape(int BM, int BN, int BK, int Threads)
{
    public override string ToString() => $"tile {BM}x{BN}x{BK}, {Threads} threads";
}
