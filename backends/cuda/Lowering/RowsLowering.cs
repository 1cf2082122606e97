using Pixelfly.Ir.Ops;

namespace Pixelfly.Backends.Cuda.Lowering;

/// <summary>
/// Row-wise normalisations (Kernels/rows.cu): softmax and log_softmax along any axis, layer_norm over the last
/// axis, cross_entropy with i32 labels (a label outside [0, C) is reported through the status words). Row
/// statistics are combined in a fixed order: deterministic, no atomics.
/// </summary>
internal static class RowsLowering
{
    /// <summary>Contiguous rows shorter than this get a thread each instead of a block.</summary>
    public const long ShortRow = 32;

    private const int Softmax = 0, LogSoftmax = 1, LayerNorm = 2, CrossEntropy = 3;

    /// <summary>Launches for softmax or log_softmax along <paramref name="axis"/>.</summary>
    public static IReadOnlyList<KernelLaunch> SoftmaxAlong(LoweringContext c, int axis, bool log)
    {
        var shape = c.In(0).Shape;
        int a = shape.Axis(axis);
        long outer = 1, inner = 1;
        for (int d = 0; d < a; d++) outer *= shape[d];
        for (int d = a + 1; d < shape.Rank; d++) inner *= shape[d];
        var x = OpKernels.Input(c, 0);
        return Rows(c, log ? LogSoftmax : Softmax, outer * inner, shape[a], inner, 0, x, x);
    }

    /// <summary>Launches for layer_norm over the last axis (biased variance, two passes).</summary>
    public static IReadOnlyList<KernelLaunch> LayerNormRows(LoweringContext c, LayerNormOp op)
    {
        var shape = c.In(0).Shape;
        int width = shape[-1];
        long rows = width == 0 ? 0 : shape.ElementCount / width;
        return Rows(c, LayerNorm, rows, width, 1, (float)op.Epsilon, OpKernels.Input(c, 1), OpKernels.Input(c, 2));
    }

    /// <summary>Launches for cross_entropy: one loss per row, logsumexp(row) − row[label].</summary>
    public static IReadOnlyList<KernelLaunch> CrossEntropyRows(LoweringContext c)
    {
        long rows = c.In(1).Shape.ElementCount;
        var labels = OpKernels.Input(c, 1);
        return Rows(c, CrossEntropy, rows, c.In(0).Shape[-1], 1, 0, labels, labels);
    }

    private static IReadOnlyList<KernelLaunch> Rows(LoweringContext c, int mode, long rows, long length, long inner, float epsilon, LaunchArg aux1, LaunchArg aux2)
    {
        if (rows == 0 || c.Out(0).Shape.ElementCount == 0) return [];
        // Rows along an outer axis (inner > 1): a thread per row makes neighbouring threads read neighbouring elements.
        bool perBlock = inner == 1 && length >= ShortRow;
        LaunchArg[] args =
        [
            OpKernels.Output(c), OpKernels.Input(c, 0), aux1, aux2, LaunchArg.Status(),
            LaunchArg.I32(OpKernels.DTypeCode(c.In(0).DType)), LaunchArg.I32(mode),
            LaunchArg.I32(checked((int)rows)), LaunchArg.I32(checked((int)length)), LaunchArg.I32(checked((int)inner)),
            LaunchArg.F32(epsilon), LaunchArg.I32(OpKernels.Tag(c)), LaunchArg.I32(perBlock ? 1 : 0),
        ];
        string label = OpKernels.Label(c);
        return perBlock
            ? [OpKernels.PerBlock(OpKernels.Rows, "pf_rows", args, rows, c.Limits, label)]
            : [OpKernels.PerItem(OpKernels.Rows, "pf_rows", args, rows, c.Limits, label)];
    }
}
