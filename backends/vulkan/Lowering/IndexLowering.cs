using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Lowering;

/// <summary>
/// gather, one_hot and scatter_add (Shaders/index.comp). Bad indices of gather and scatter_add are reported through
/// the status buffer: word 1 the index, word 2 the limit, word 3 its position in the indices.
/// </summary>
internal static class IndexLowering
{
    private const uint Gather = 0, OneHot = 1, ScatterAdd = 2;

    /// <summary>Dispatches for gather (an embedding lookup).</summary>
    public static IReadOnlyList<Dispatch> GatherRows(LoweringContext c)
    {
        var table = c.In(0).Shape;
        long rowLength = RowLength(table, 1);
        long count = c.Out(0).Shape.ElementCount;
        long indexCount = c.In(1).Shape.ElementCount;
        if (count == 0) return indexCount == 0 ? [] : [CheckOnly(c, c.Node.Inputs[1], indexCount, table[0])];
        var push = Push(count, rowLength, table[0], indexCount, 0, 0, c);
        var buffers = Buffers(c, c.Node.Inputs[1], c.Node.Inputs[0]);
        return [OpShaders.PerItem(OpShaders.Index, [OpShaders.ElementGroupSize(c.Limits), Gather, 0], push, buffers, count, c.Limits, ElementwiseLowering.Label(c))];
    }

    /// <summary>Dispatches for one_hot (out-of-range indices give rows of zeros, not errors).</summary>
    public static IReadOnlyList<Dispatch> OneHotRows(LoweringContext c, OneHotOp op)
    {
        long count = c.Out(0).Shape.ElementCount;
        if (count == 0) return [];
        var push = Push(count, op.Depth, op.Depth, c.In(0).Shape.ElementCount, 0, ElementwiseLowering.BitsOf(op.DType, 1), c);
        var buffers = Buffers(c, c.Node.Inputs[0], c.Node.Inputs[0]);
        return [OpShaders.PerItem(OpShaders.Index, [OpShaders.ElementGroupSize(c.Limits), OneHot, 0], push, buffers, count, c.Limits, ElementwiseLowering.Label(c))];
    }

    /// <summary>Output rows one scatter_add workgroup sums at most (each a shared-memory row of the column stripe).</summary>
    public const int MaxTileRows = 16;

    /// <summary>
    /// Dispatches for scatter_add: one workgroup per (tile of output rows, stripe of columns), streaming the indices
    /// through shared memory and summing each column in index order; deterministic without atomics.
    /// </summary>
    public static IReadOnlyList<Dispatch> ScatterAddRows(LoweringContext c, ScatterAddOp op)
    {
        long rowLength = RowLength(c.In(1).Shape, c.In(0).Shape.Rank);
        long indexCount = c.In(0).Shape.ElementCount;
        if (rowLength == 0) return indexCount == 0 ? [] : [CheckOnly(c, c.Node.Inputs[0], indexCount, op.Rows)];
        uint group = OpShaders.TreeGroupSize(rowLength, c.Limits);
        long stripes = (rowLength + group - 1) / group;
        long tileRows = TileRows(group, op.Rows, c.Limits);
        long groups = (op.Rows + tileRows - 1) / tileRows * stripes;
        var push = Push(groups, rowLength, op.Rows, indexCount, stripes, 0, c);
        var buffers = Buffers(c, c.Node.Inputs[0], c.Node.Inputs[1]);
        uint[] specialization = [group, ScatterAdd, OpShaders.RoundingOf(c.Out(0).DType), (uint)tileRows];
        return [OpShaders.PerGroup(OpShaders.Index, specialization, push, buffers, groups, c.Limits, ElementwiseLowering.Label(c))];
    }

    /// <summary>Rows per scatter_add tile: up to <see cref="MaxTileRows"/>, as many as shared memory holds next to the index chunk.</summary>
    public static long TileRows(uint group, long rows, LoweringLimits limits)
    {
        long fit = (limits.MaxSharedMemoryBytes - 4L * group) / (4L * group);
        return Math.Max(1, Math.Min(Math.Min(MaxTileRows, fit), rows));
    }

    // Rows of no elements: nothing to move, but a bad index is still an error, as on every other backend. One
    // scatter_add workgroup with no columns runs only its index check; its output binding is a one-word scratch.
    private static Dispatch CheckOnly(LoweringContext c, int indices, long indexCount, long limit)
    {
        var push = Push(1, 0, limit, indexCount, 1, 0, c);
        BufferArg[] buffers = [BufferArg.Scratch(0, 1), BufferArg.Value(indices, indexCount), BufferArg.Value(indices, indexCount), BufferArg.Status()];
        return OpShaders.PerGroup(OpShaders.Index, [OpShaders.TreeGroupSize(1, c.Limits), ScatterAdd, 0, 1], push, buffers, 1, c.Limits,
            $"{ElementwiseLowering.Label(c)} index check");
    }

    private static long RowLength(Shape shape, int leading)
    {
        long length = 1;
        for (int d = leading; d < shape.Rank; d++) length *= shape[d];
        return length;
    }

    private static byte[] Push(long count, long rowLength, long limit, long indexCount, long stripes, uint one, LoweringContext c) =>
        new PushConstants().U(count).U(rowLength).U(limit).U(indexCount).U(stripes).U(one).U(c.Node.Index + 1).ToArray();

    private static BufferArg[] Buffers(LoweringContext c, int indices, int source) =>
    [
        BufferArg.Value(c.Node.Outputs[0], c.Out(0).Shape.ElementCount),
        BufferArg.Value(indices, c.Graph.Values[indices].Type.Shape.ElementCount),
        BufferArg.Value(source, c.Graph.Values[source].Type.Shape.ElementCount),
        BufferArg.Status(),
    ];
}
