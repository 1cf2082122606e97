using Pixelfly.Ir.Ops;

namespace Pixelfly.Backends.Cuda.Lowering.MatMul;

/// <summary>
/// Dense <see cref="MatMulOp"/>: f16/bf16 on tensor cores (gemm_mma.cu) when each operand's contiguous axis is a
/// multiple of 8 elements and the device has sm_80 instructions; f32 on TF32 tensor cores (gemm_tf32.cu) only when
/// the limits opt in (<see cref="CudaLoweringLimits.Tf32"/>) and rows are whole 16-byte chunks; otherwise the FFMA
/// kernel gemm_simt.cu (exact f32, as the conformance tolerances assume). A batch stride of 0 shares a rank-2 operand.
/// Split-K (scratch + deterministic reduce) when the output tiles alone would leave SMs idle.
/// </summary>
internal static class GemmLowering
{
    public static IReadOnlyList<KernelLaunch> Lower(LoweringContext c, MatMulOp op)
    {
        var (a, b, result) = (c.In(0).Shape, c.In(1).Shape, c.Out(0).Shape);
        int m = result[-2], n = result[-1];
        int k = op.TransA ? a[-2] : a[-1];
        long batches = 1;
        for (int d = 0; d < result.Rank - 2; d++) batches *= result[d];
        long count = batches * m * n;
        if (count == 0) return [];
        long strideA = a.Rank > 2 ? (long)m * k : 0;
        long strideB = b.Rank > 2 ? (long)k * n : 0;
        // Batch folding: a batched, untransposed A against a shared B is one (batches·M) x K matrix, and the output
        // [batch][M][N] is the same memory as [batches·M][N]: one GEMM with batches times more row tiles.
        if (batches > 1 && strideB == 0 && !op.TransA && batches * m <= int.MaxValue)
        {
            m = (int)(batches * m);
            batches = 1;
            strideA = 0;
        }
        int input = MatMulKernels.InputCode(c.In(0).DType), output = MatMulKernels.OutputCode(c.Out(0).DType);
        string label = $"node {c.Node.Index} matmul {(batches > 1 ? $"batch {batches}, " : "")}{m}x{n}x{k}{(op.TransA ? " transA" : "")}{(op.TransB ? " transB" : "")}";

        bool mma = UsesTensorCores(input, m, n, k, op.TransA, op.TransB, c.Limits);
        bool tf32 = !mma && UsesTf32(input, m, n, k, op.TransA, op.TransB, c.Limits);
        var tile = mma ? TileShapes.DenseMma : tf32 ? TileShapes.DenseTf32 : TileShapes.DenseSimt;
        long tilesM = (m + tile.BM - 1) / tile.BM, tilesN = (n + tile.BN - 1) / tile.BN;
        long steps = (k + tile.BK - 1) / tile.BK;
        int splits = SplitK.Choose(tilesM * tilesN * batches, steps, count, c.Limits);
        var grid = SplitK.Grid(tilesM * tilesN * splits * batches, label);
        var outArg = splits > 1 ? LaunchArg.Scratch(0, splits * count * 4) : LaunchArg.Value(c.Node.Outputs[0]);
        var (inA, inB) = (LaunchArg.Value(c.Node.Inputs[0]), LaunchArg.Value(c.Node.Inputs[1]));
        var tail = new[]
        {
            LaunchArg.I32((int)tilesM), LaunchArg.I32((int)tilesN), LaunchArg.I32(splits), LaunchArg.I32((int)batches), LaunchArg.I32(output),
        };

        KernelLaunch main;
        string what = $"{label} {(mma ? "mma" : tf32 ? "tf32" : "simt")} {tile}{(splits > 1 ? $", split-K {splits}" : "")}";
        if (tf32)
        {
            main = new KernelLaunch(MatMulKernels.GemmTf32(op.TransA, op.TransB), "pf_gemm_tf32",
                [inA, inB, outArg, LaunchArg.I32(m), LaunchArg.I32(n), LaunchArg.I32(k), LaunchArg.I64(strideA), LaunchArg.I64(strideB), .. tail],
                grid, ((uint)tile.Threads, 1, 1), MatMulKernels.Tf32SharedBytes(tile, op.TransA, op.TransB), what);
        }
        else if (mma)
        {
            main = new KernelLaunch(MatMulKernels.GemmMma(input, op.TransA, op.TransB), "pf_gemm_mma",
                [inA, inB, outArg, LaunchArg.I32(m), LaunchArg.I32(n), LaunchArg.I32(k), LaunchArg.I64(strideA), LaunchArg.I64(strideB), .. tail],
                grid, ((uint)tile.Threads, 1, 1), MatMulKernels.MmaSharedBytes(tile, op.TransA, op.TransB), what);
        }
        else
        {
            // op(A)[m][k] = A[m·sAm + k·sAk]; op(B)[k][n] = B[k·sBk + n·sBn].
            var (sAm, sAk) = op.TransA ? (1, m) : (k, 1);
            var (sBk, sBn) = op.TransB ? (1, k) : (n, 1);
            main = new KernelLaunch(MatMulKernels.GemmSimt(input), "pf_gemm_simt",
                [inA, inB, outArg, LaunchArg.I32(m), LaunchArg.I32(n), LaunchArg.I32(k), LaunchArg.I64(strideA), LaunchArg.I64(strideB),
                 LaunchArg.I32(sAm), LaunchArg.I32(sAk), LaunchArg.I32(sBk), LaunchArg.I32(sBn), .. tail],
                grid, ((uint)tile.Threads, 1, 1), 0, what);
        }
        if (splits == 1) return [main];
        return [main, SplitK.Reduce(outArg, LaunchArg.Value(c.Node.Outputs[0]), count, splits, output, c.Limits, label)];
    }

    /// <summary>
    /// Tensor cores need f16/bf16 inputs, sm_80, room for the pipeline's shared memory, and whole 16-byte chunks along
    /// each operand's contiguous axis (A: K, or M when transposed; B: N, or K when transposed).
    /// </summary>
    public static bool UsesTensorCores(int inputCode, int m, int n, int k, bool transA, bool transB, CudaLoweringLimits limits)
    {
        if (inputCode == 0 || !MatMulKernels.HasTensorCores(limits)) return false;
        if (MatMulKernels.MmaSharedBytes(TileShapes.DenseMma, transA, transB) > limits.MaxDynamicSharedBytes) return false;
        int contiguousA = transA ? m : k, contiguousB = transB ? k : n;
        return contiguousA % MatMulKernels.ChunkElements == 0 && contiguousB % MatMulKernels.ChunkElements == 0;
    }

    /// <summary>TF32 needs the opt-in, f32 inputs, sm_80, room for its ring, and whole 4-float chunks along each contiguous axis.</summary>
    public static bool UsesTf32(int inputCode, int m, int n, int k, bool transA, bool transB, CudaLoweringLimits limits)
    {
        if (!limits.Tf32 || inputCode != 0 || !MatMulKernels.HasTensorCores(limits)) return false;
        if (MatMulKernels.Tf32SharedBytes(TileShapes.DenseTf32, transA, transB) > limits.MaxDynamicSharedBytes) return false;
        int contiguousA = transA ? m : k, contiguousB = transB ? k : n;
        return contiguousA % 4 == 0 && contiguousB % 4 == 0;
    }
}
