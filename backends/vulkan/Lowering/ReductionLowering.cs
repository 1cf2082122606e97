using Pixelfly.Devices.Lowering;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Lowering;

/// <summary>
/// Reductions (Shaders/reduce.comp) and row-wise normalisations (Shaders/rows.comp: softmax, log_softmax,
/// layer_norm, cross_entropy). Every sum and maximum is combined in a fixed order: deterministic, no atomics.
/// </summary>
internal static class ReductionLowering
{
    /// <summary>The most collapsed kept or reduced dimensions reduce.comp takes (its MAX_RANK).</summary>
    public const int MaxRank = 6;

    /// <summary>Reductions at least this long may get a workgroup (a shared-memory tree) per output; shorter ones an invocation.</summary>
    public const long TreeThreshold = 64;

    /// <summary>
    /// With at least this many outputs, a strided reduction whose outputs are not adjacent in memory gets an invocation
    /// per output (there are then enough of them to fill a GPU).
    /// </summary>
    public const long StridedOutputsForInvocations = 1024;

    /// <summary>Split long reductions until this many workgroups run (one output alone would occupy one compute unit).</summary>
    public const long TargetGroups = 256;

    /// <summary>Reduced elements a split walks at least.</summary>
    public const long MinSplitLength = 4096;

    /// <summary>Rows shorter than this get an invocation each instead of a workgroup.</summary>
    public const long ShortRow = 32;

    private const uint RowsSoftmax = 0, RowsLogSoftmax = 1, RowsLayerNorm = 2, RowsCrossEntropy = 3;

    /// <summary>Dispatches for reduce_sum, reduce_mean and reduce_max.</summary>
    public static IReadOnlyList<Dispatch> Reduce(LoweringContext c, ReduceOp op)
    {
        var input = c.In(0).Shape;
        long outputs = c.Out(0).Shape.ElementCount;
        if (outputs == 0) return [];
        var (kept, reduced) = StridedLayout.SplitReduction(input, op.NormalizedAxes(input));
        string label = ElementwiseLowering.Label(c);
        kept.Within(MaxRank, label);
        reduced.Within(MaxRank, label);
        long length = reduced.Dims.Aggregate(1L, (a, b) => a * b);
        var mode = ModeOf(kept, reduced, outputs, length);
        uint kind = op.Kind switch
        {
            ReduceKind.Sum => 0u,
            ReduceKind.Mean => 1u,
            ReduceKind.Max => 2u,
            _ => throw new NotSupportedException($"{label}: no Vulkan shader for reduction {op.Kind}"),
        };
        var output = BufferArg.Value(c.Node.Outputs[0], outputs);
        var x = BufferArg.Value(c.Node.Inputs[0], input.ElementCount);
        uint round = OpShaders.RoundingOf(c.Out(0).DType);
        var push = ReducePush(outputs, length, kept, reduced, length, 1, length);
        if (mode == ReduceMode.PerInvocation)
            return [OpShaders.PerItem(OpShaders.Reduce, [OpShaders.ElementGroupSize(c.Limits), kind, round, 0], push, [output, x], outputs, c.Limits, label)];
        if (mode == ReduceMode.ColumnTiles)
            return [OpShaders.PerGroup(OpShaders.Reduce, [OpShaders.TreeGroupSize(256, c.Limits), kind, round, 2], push, [output, x],
                (outputs + ColumnTile - 1) / ColumnTile, c.Limits, label)];
        long splits = Splits(outputs, length);
        uint group = OpShaders.TreeGroupSize(length, c.Limits);
        if (splits == 1)
            return [OpShaders.PerGroup(OpShaders.Reduce, [group, kind, round, 1], push, [output, x], outputs, c.Limits, label)];
        // Two passes: raw partial sums (or maxima) of each split into scratch, then each output's partials in order.
        long chunk = (length + splits - 1) / splits;
        var partials = BufferArg.Scratch(0, outputs * splits);
        uint partialKind = op.Kind == ReduceKind.Max ? 2u : 0u;
        var rowsOfPartials = StridedLayout.Collapse([outputs], [splits]);
        var eachPartial = StridedLayout.Collapse([splits], [1]);
        return
        [
            OpShaders.PerGroup(OpShaders.Reduce, [group, partialKind, 0, 1],
                ReducePush(outputs, length, kept, reduced, length, splits, chunk), [partials, x], outputs * splits, c.Limits, label + " partials"),
            OpShaders.PerItem(OpShaders.Reduce, [OpShaders.ElementGroupSize(c.Limits), kind, round, 0],
                ReducePush(outputs, splits, rowsOfPartials, eachPartial, length, 1, splits), [output, partials], outputs, c.Limits, label),
        ];
    }

    /// <summary>How reduce.comp walks a reduction (its PER_GROUP specialization).</summary>
    public enum ReduceMode
    {
        /// <summary>One invocation per output, in order (short reductions, or strided ones with many outputs).</summary>
        PerInvocation,

        /// <summary>A workgroup tree per output (or per split of it): contiguous reduced elements.</summary>
        Tree,

        /// <summary>Workgroups of <see cref="ColumnTile"/> adjacent outputs, each sliced across the invocations: outer-axis reductions.</summary>
        ColumnTiles,
    }

    /// <summary>Adjacent outputs a column-tile workgroup covers (reduce.comp's COLUMNS).</summary>
    public const long ColumnTile = 32;

    /// <summary>The walk for a reduction: reads coalesced across neighbouring invocations, enough workgroups to fill a GPU.</summary>
    public static ReduceMode ModeOf(StridedLayout kept, StridedLayout reduced, long outputs, long length)
    {
        if (length < TreeThreshold) return ReduceMode.PerInvocation;
        // A tree reads coalesced when the innermost reduced run of words is at least a warp long.
        bool contiguous = reduced.Rank == 0 || (reduced.Strides[0][^1] == 1 && reduced.Dims[^1] >= ColumnTile);
        if (contiguous) return ReduceMode.Tree;
        bool adjacentOutputs = kept.Rank > 0 && kept.Strides[0][^1] == 1;
        if (adjacentOutputs && outputs >= ColumnTile) return ReduceMode.ColumnTiles;
        return outputs >= StridedOutputsForInvocations ? ReduceMode.PerInvocation : ReduceMode.Tree;
    }

    /// <summary>
    /// Workgroups per output for a long reduction with few outputs (1 when one per output already fills the device):
    /// enough for <see cref="TargetGroups"/> in all, each walking at least <see cref="MinSplitLength"/> elements.
    /// </summary>
    public static long Splits(long outputs, long length)
    {
        if (outputs >= TargetGroups || length < 2 * MinSplitLength) return 1;
        long splits = Math.Min((TargetGroups + outputs - 1) / outputs, length / MinSplitLength);
        long chunk = (length + splits - 1) / splits;
        return (length + chunk - 1) / chunk; // no empty split
    }

    private static byte[] ReducePush(long outputs, long length, StridedLayout kept, StridedLayout reduced, long divisor, long splits, long chunk) =>
        new PushConstants().U(outputs).U(length).U(kept.Rank).U(reduced.Rank).F(divisor).U(splits).U(chunk)
            .Fields(kept.Dims, MaxRank).Fields(kept.Strides[0], MaxRank)
            .Fields(reduced.Dims, MaxRank).Fields(reduced.Strides[0], MaxRank).ToArray();

    /// <summary>Dispatches for softmax or log_softmax along <paramref name="axis"/>.</summary>
    public static IReadOnlyList<Dispatch> Softmax(LoweringContext c, int axis, bool log)
    {
        var shape = c.In(0).Shape;
        int a = shape.Axis(axis);
        long outer = 1, inner = 1;
        for (int d = 0; d < a; d++) outer *= shape[d];
        for (int d = a + 1; d < shape.Rank; d++) inner *= shape[d];
        var x = BufferArg.Value(c.Node.Inputs[0], shape.ElementCount);
        return RowDispatch(c, log ? RowsLogSoftmax : RowsSoftmax, outer * inner, shape[a], inner, 0, [x, x]);
    }

    /// <summary>Dispatches for layer_norm over the last axis.</summary>
    public static IReadOnlyList<Dispatch> LayerNorm(LoweringContext c, LayerNormOp op)
    {
        var shape = c.In(0).Shape;
        int width = shape[-1];
        long rows = width == 0 ? 0 : shape.ElementCount / width;
        var gamma = BufferArg.Value(c.Node.Inputs[1], width);
        var beta = BufferArg.Value(c.Node.Inputs[2], width);
        return RowDispatch(c, RowsLayerNorm, rows, width, 1, (float)op.Epsilon, [gamma, beta]);
    }

    /// <summary>Dispatches for cross_entropy: one loss per row; a label outside [0, C) is a run-time error.</summary>
    public static IReadOnlyList<Dispatch> CrossEntropy(LoweringContext c)
    {
        var shape = c.In(0).Shape;
        long rows = c.In(1).Shape.ElementCount;
        var labels = BufferArg.Value(c.Node.Inputs[1], rows);
        return RowDispatch(c, RowsCrossEntropy, rows, shape[-1], 1, 0, [labels, labels]);
    }

    private static IReadOnlyList<Dispatch> RowDispatch(LoweringContext c, uint mode, long rows, long length, long inner, float epsilon, BufferArg[] aux)
    {
        if (rows == 0 || c.Out(0).Shape.ElementCount == 0) return [];
        var push = new PushConstants().U(rows).U(length).U(inner).F(epsilon).U(c.Node.Index + 1).ToArray();
        var buffers = new[]
        {
            BufferArg.Value(c.Node.Outputs[0], c.Out(0).Shape.ElementCount),
            BufferArg.Value(c.Node.Inputs[0], c.In(0).Shape.ElementCount),
            aux[0], aux[1], BufferArg.Status(),
        };
        uint round = OpShaders.RoundingOf(c.Out(0).DType);
        string label = ElementwiseLowering.Label(c);
        // Rows along an outer axis (inner > 1): an invocation per row reads neighbouring words across invocations.
        return inner > 1 || length < ShortRow
            ? [OpShaders.PerItem(OpShaders.Rows, [OpShaders.ElementGroupSize(c.Limits), mode, round, 0], push, buffers, rows, c.Limits, label)]
            : [OpShaders.PerGroup(OpShaders.Rows, [OpShaders.TreeGroupSize(length, c.Limits), mode, round, 1], push, buffers, rows, c.Limits, label)];
    }
}
