namespace Pixelfly.Backends.Cuda.Lowering.MatMul;

/// <summary>
/// When a matmul has too few output tiles to occupy the device (small M, few block rows), its reduction is split:
/// each split writes f32 partials to scratch and splitk_reduce.cu adds them in split order. That keeps results
/// deterministic (no float atomics) at the cost of one extra pass over the output.
/// </summary>
internal static class SplitK
{
    /// <summary>At most this many splits (the reduce pass reads every split).</summary>
    public const int MaxSplits = 32;

    /// <summary>Each split keeps at least this many k steps, so the pipeline has work to overlap.</summary>
    public const int MinStepsPerSplit = 4;

    /// <summary>Partial sums may use at most this much scratch.</summary>
    public const long MaxScratchBytes = 256L << 20;

    /// <summary>
    /// Splits for <paramref name="ctas"/> output tiles each reducing over <paramref name="steps"/> k steps, producing
    /// <paramref name="outputs"/> elements in all: 1 when the tiles already fill every SM; otherwise enough splits to
    /// fill them, bounded by the work per split, <see cref="MaxSplits"/> and the scratch budget.
    /// </summary>
    public static int Choose(long ctas, long steps, long outputs, CudaLoweringLimits limits)
    {
        if (ctas <= 0 || ctas >= limits.SmCount) return 1;
        long wanted = (limits.SmCount + ctas - 1) / ctas;
        long byWork = steps / MinStepsPerSplit;
        long byScratch = outputs > 0 ? MaxScratchBytes / (outputs * 4) : MaxSplits;
        long splits = Math.Min(Math.Min(wanted, byWork), Math.Min(MaxSplits, byScratch));
        return splits >= 2 ? (int)splits : 1;
    }

    /// <summary>The launch that sums <paramref name="splits"/> partial slices of <paramref name="count"/> f32 into the output.</summary>
    public static KernelLaunch Reduce(LaunchArg partial, LaunchArg output, long count, int splits, int outKind, CudaLoweringLimits limits, string label)
    {
        long blocks = Math.Clamp((count + 255) / 256, 1, (long)limits.SmCount * 8);
        return new KernelLaunch(MatMulKernels.SplitReduce, "pf_splitk_reduce",
            [partial, output, LaunchArg.I64(count), LaunchArg.I32(splits), LaunchArg.I32(outKind)],
            ((uint)blocks, 1, 1), (256, 1, 1), 0, $"{label}: sum of {splits} k-splits");
    }

    /// <summary>A 1-D grid of <paramref name="ctas"/> CTAs; the kernels decode (tile, line, split, batch) from blockIdx.x.</summary>
    public static (uint X, uint Y, uint Z) Grid(long ctas, string label)
    {
        if (ctas > int.MaxValue)
            throw new NotSupportedException($"{label}: {ctas} thread blocks exceed the CUDA grid limit of {int.MaxValue}; split the batch");
        return ((uint)ctas, 1, 1);
    }
}
