using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Lowering;

/// <summary>
/// gather, one_hot and scatter_add (Kernels/index.cu). A gather or scatter_add index outside its range is a run-time
/// error reported through the status words (tag, index, limit, position); one_hot gives a zero row, as the reference.
/// </summary>
internal static class IndexLowering
{
    /// <summary>Output rows one scatter_add block accumulates at most (PF_SCATTER_TILE_ROWS in Kernels/index.cu).</summary>
    public const int MaxTileRows = 16;

    /// <summary>Launches for gather (an embedding lookup): table [V, ...rest], indices [...I] → [...I, ...rest].</summary>
    public static IReadOnlyList<KernelLaunch> Gather(LoweringContext c)
    {
        var table = c.In(0).Shape;
        long rowLength = RowLength(table, 1);
        long count = c.Out(0).Shape.ElementCount;
        long indexCount = c.In(1).Shape.ElementCount;
        if (count == 0) return indexCount == 0 ? [] : [CheckOnly(c, 1, indexCount, table[0])];
        LaunchArg[] args =
        [
            OpKernels.Output(c), OpKernels.Input(c, 1), OpKernels.Input(c, 0), LaunchArg.Status(),
            LaunchArg.I32(OpKernels.ElementSize(c.Out(0).DType)), LaunchArg.I64(count), LaunchArg.I32(checked((int)rowLength)),
            LaunchArg.I32(table[0]), LaunchArg.I32(OpKernels.Tag(c)),
        ];
        return [OpKernels.PerItem(OpKernels.Index, "pf_gather", args, count, c.Limits, OpKernels.Label(c))];
    }

    /// <summary>Launches for one_hot: [...] → [..., depth] in the op's dtype.</summary>
    public static IReadOnlyList<KernelLaunch> OneHot(LoweringContext c, OneHotOp op)
    {
        long count = c.Out(0).Shape.ElementCount;
        if (count == 0) return [];
        LaunchArg[] args =
        [
            OpKernels.Output(c), OpKernels.Input(c, 0), LaunchArg.I32(OpKernels.DTypeCode(op.DType)), LaunchArg.I64(count), LaunchArg.I32(op.Depth),
        ];
        return [OpKernels.PerItem(OpKernels.Index, "pf_one_hot", args, count, c.Limits, OpKernels.Label(c))];
    }

    /// <summary>
    /// Launches for scatter_add: a block per (tile of output rows, stripe of columns) that streams the indices and
    /// sums each column in index order; deterministic without atomics. Indices [...I], updates [...I, ...rest] →
    /// [rows, ...rest].
    /// </summary>
    public static IReadOnlyList<KernelLaunch> ScatterAdd(LoweringContext c, ScatterAddOp op)
    {
        long rowLength = RowLength(c.In(1).Shape, c.In(0).Shape.Rank);
        long indexCount = c.In(0).Shape.ElementCount;
        if (rowLength == 0) return indexCount == 0 ? [] : [CheckOnly(c, 0, indexCount, op.Rows)];
        var (threads, stripes, tileRows) = ScatterShape(rowLength, op.Rows);
        long blocks = (op.Rows + tileRows - 1) / tileRows * stripes;
        LaunchArg[] args =
        [
            OpKernels.Output(c), LaunchArg.I32(OpKernels.DTypeCode(c.Out(0).DType)), OpKernels.Input(c, 0), OpKernels.Input(c, 1), LaunchArg.Status(),
            LaunchArg.I32(checked((int)indexCount)), LaunchArg.I32(op.Rows), LaunchArg.I32(checked((int)rowLength)),
            LaunchArg.I32(tileRows), LaunchArg.I32(checked((int)stripes)), LaunchArg.I32(OpKernels.Tag(c)),
        ];
        return [OpKernels.PerBlock(OpKernels.Index, "pf_scatter_add", args, blocks, c.Limits, OpKernels.Label(c), threads)];
    }

    /// <summary>
    /// A scatter_add block's threads (a power of two in [32, <see cref="OpKernels.Block"/>] covering a row when it can),
    /// the column stripes per row, and the output rows per block (up to <see cref="MaxTileRows"/>).
    /// </summary>
    public static (int Threads, long Stripes, int TileRows) ScatterShape(long rowLength, int rows)
    {
        int threads = 32;
        while (threads < OpKernels.Block && threads < rowLength) threads *= 2;
        return (threads, (rowLength + threads - 1) / threads, Math.Min(MaxTileRows, rows));
    }

    // Rows of no elements: nothing moves, but a bad index is still an error, as on every other backend.
    private static KernelLaunch CheckOnly(LoweringContext c, int indices, long indexCount, int limit)
    {
        LaunchArg[] args = [OpKernels.Input(c, indices), LaunchArg.Status(), LaunchArg.I32(checked((int)indexCount)), LaunchArg.I32(limit), LaunchArg.I32(OpKernels.Tag(c))];
        return new KernelLaunch(OpKernels.Index, "pf_check_indices", args, (1, 1, 1), (OpKernels.Block, 1, 1), 0, $"{OpKernels.Label(c)} index check");
    }

    private static long RowLength(Shape shape, int leading)
    {
        long length = 1;
        for (int d = leading; d < shape.Rank; d++) length *= shape[d];
        return length;
    }
}
