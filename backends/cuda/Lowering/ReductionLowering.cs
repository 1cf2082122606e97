using Pixelfly.Devices.Lowering;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Lowering;

/// <summary>
/// reduce_sum, reduce_mean and reduce_max (Kernels/reduce.cu), in f32 with a fixed combining order. A long
/// reduction with few outputs is split into chunks so the whole GPU works on it: raw partials go to an f32 scratch
/// buffer, then a second launch combines each output's partials in order. The split depends only on the shape and
/// the SM count, so results repeat exactly from run to run on a device.
/// </summary>
internal static class ReductionLowering
{
    /// <summary>Reductions at least this long are split over threads or blocks; shorter ones get a thread per output.</summary>
    public const long TreeThreshold = 64;

    /// <summary>A contiguous run of at least this many reduced elements makes a block-per-output tree read coalesced.</summary>
    public const long CoalescedRun = 32;

    /// <summary>Blocks per SM a split block-mode reduction aims for.</summary>
    public const long TargetBlocksPerSm = 2;

    /// <summary>Threads per SM a split thread-mode reduction aims for.</summary>
    public const long TargetThreadsPerSm = 1024;

    /// <summary>Reduced elements a block walks at least after splitting.</summary>
    public const long MinBlockChunk = 4096;

    /// <summary>Reduced elements a thread walks at least after splitting.</summary>
    public const long MinThreadChunk = 64;

    private const int Sum = 0, Mean = 1, Max = 2;

    /// <summary>How a reduction is walked.</summary>
    public enum ReduceMode
    {
        /// <summary>A thread per output (or split), walking its elements in order.</summary>
        PerThread,

        /// <summary>A block per output (or split) with a fixed tree: long contiguous reductions.</summary>
        PerBlock,
    }

    /// <summary>A block per output when the innermost reduced run is contiguous and long enough; else a thread per output.</summary>
    public static ReduceMode ModeOf(StridedLayout reduced, long length)
    {
        if (length < TreeThreshold) return ReduceMode.PerThread;
        bool contiguous = reduced.Rank == 0 || (reduced.Strides[0][^1] == 1 && reduced.Dims[^1] >= CoalescedRun);
        return contiguous ? ReduceMode.PerBlock : ReduceMode.PerThread;
    }

    /// <summary>
    /// Chunks per output: 1 when the outputs alone fill the device or the reduction is short; else enough chunks
    /// to reach the mode's target, each at least the mode's minimum length, with no empty chunk.
    /// </summary>
    public static long Splits(ReduceMode mode, long outputs, long length, CudaLoweringLimits limits)
    {
        long target = mode == ReduceMode.PerBlock ? TargetBlocksPerSm * limits.SmCount : TargetThreadsPerSm * limits.SmCount;
        long minChunk = mode == ReduceMode.PerBlock ? MinBlockChunk : MinThreadChunk;
        if (outputs >= target || length < 2 * minChunk) return 1;
        long splits = Math.Min((target + outputs - 1) / outputs, length / minChunk);
        long chunk = (length + splits - 1) / splits;
        return (length + chunk - 1) / chunk;
    }

    /// <summary>Launches for reduce_sum, reduce_mean and reduce_max.</summary>
    public static IReadOnlyList<KernelLaunch> Reduce(LoweringContext c, ReduceOp op)
    {
        var input = c.In(0).Shape;
        long outputs = c.Out(0).Shape.ElementCount;
        if (outputs == 0) return [];
        var (kept, reduced) = StridedLayout.SplitReduction(input, op.NormalizedAxes(input));
        long length = reduced.Dims.Aggregate(1L, (a, b) => a * b);
        int kind = op.Kind switch
        {
            ReduceKind.Sum => Sum,
            ReduceKind.Mean => Mean,
            ReduceKind.Max => Max,
            _ => throw new NotSupportedException($"{OpKernels.Label(c)}: the CUDA backend has no kernel for reduction {op.Kind}"),
        };
        var mode = ModeOf(reduced, length);
        long splits = Splits(mode, outputs, length, c.Limits);
        string label = OpKernels.Label(c);
        int outDtype = OpKernels.DTypeCode(c.Out(0).DType), inDtype = OpKernels.DTypeCode(c.In(0).DType);
        if (splits == 1)
            return [Launch(c, OpKernels.Output(c), outDtype, OpKernels.Input(c, 0), inDtype, outputs, 1, length, length, kept, reduced, kind, length, mode, label)];

        // Pass 1: raw partial sums (or maxima) of each chunk, f32, at the item's index. Block mode numbers items
        // output-major ([outputs, splits]), thread mode split-major ([splits, outputs]) so neighbouring threads
        // read neighbouring outputs.
        long chunk = (length + splits - 1) / splits;
        var partials = LaunchArg.Scratch(0, outputs * splits * 4);
        int partialKind = kind == Max ? Max : Sum;
        var partialsByOutput = mode == ReduceMode.PerBlock
            ? (Kept: StridedLayout.Collapse([outputs], [splits]), Reduced: StridedLayout.Collapse([splits], [1]))
            : (Kept: StridedLayout.Collapse([outputs], [1]), Reduced: StridedLayout.Collapse([splits], [outputs]));
        return
        [
            Launch(c, partials, OpKernels.DTypeCode(DType.F32), OpKernels.Input(c, 0), inDtype, outputs, splits, chunk, length, kept, reduced,
                partialKind, 1, mode, label + " partials"),
            Launch(c, OpKernels.Output(c), outDtype, partials, OpKernels.DTypeCode(DType.F32), outputs, 1, splits, splits,
                partialsByOutput.Kept, partialsByOutput.Reduced, kind, length, ReduceMode.PerThread, label),
        ];
    }

    private static KernelLaunch Launch(LoweringContext c, LaunchArg y, int outDtype, LaunchArg x, int inDtype, long outputs, long splits, long chunk,
        long length, StridedLayout kept, StridedLayout reduced, int kind, long divisor, ReduceMode mode, string label)
    {
        var table = OpKernels.Table(kept.Dims.Concat(kept.Strides[0]).Concat(reduced.Dims).Concat(reduced.Strides[0]));
        LaunchArg[] args =
        [
            y, LaunchArg.I32(outDtype), x, LaunchArg.I32(inDtype),
            LaunchArg.I32(checked((int)outputs)), LaunchArg.I32(checked((int)splits)), LaunchArg.I32(checked((int)chunk)), LaunchArg.I32(checked((int)length)),
            LaunchArg.I32(kept.Rank), LaunchArg.I32(reduced.Rank), table,
            LaunchArg.I32(kind), LaunchArg.F32(divisor), LaunchArg.I32(mode == ReduceMode.PerBlock ? 1 : 0),
        ];
        long items = outputs * splits;
        return mode == ReduceMode.PerBlock
            ? OpKernels.PerBlock(OpKernels.Reduce, "pf_reduce", args, items, c.Limits, label)
            : OpKernels.PerItem(OpKernels.Reduce, "pf_reduce", args, items, c.Limits, label);
    }
}
