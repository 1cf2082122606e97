using Pixelfly.Layouts;

namespace Pixelfly.Backends.Vulkan.Lowering.MatMul;

/// <summary>
/// Lowers block_sparse_softmax and block_sparse_softmax_grad to bsr_softmax.comp / bsr_softmax_grad.comp: one
/// workgroup per element row (batch · layout rows), the layout's block-CSR row pointers as the table.
/// </summary>
internal static class BlockSparseSoftmaxLowering
{
    /// <summary>Invocations per element row: rows hold (blocks in the block row)·b elements, b ≥ 16 in practice.</summary>
    private const uint PreferredWorkgroup = 64;

    /// <summary>The dispatch of one softmax (<paramref name="gradient"/> false) or softmax-gradient node.</summary>
    public static IReadOnlyList<Dispatch> Lower(LoweringContext c, BlockLayout layout, double scale, bool gradient)
    {
        var shape = c.In(0).Shape;
        long elements = shape.ElementCount;
        if (elements == 0) return [];
        long rows = BatchCount.Leading(shape, 3) * layout.Rows;
        uint workgroup = WorkgroupSize(c.Limits);
        var push = new PushConstants().U(layout.Rows).U(layout.NnzBlocks).U(rows).F((float)scale).ToArray();
        var table = BufferArg.Table(layout.RowPtr.ToArray());
        var input = BufferArg.Value(c.Node.Inputs[0], elements);
        var output = BufferArg.Value(c.Node.Outputs[0], elements);
        BufferArg[] buffers = gradient
            ? [input, BufferArg.Value(c.Node.Inputs[1], elements), output, table]
            : [input, output, table];
        var (x, y, z) = Grid.For(rows, 1, c.Limits);
        string name = gradient ? "block_sparse_softmax_grad" : "block_sparse_softmax";
        return
        [
            new Dispatch(gradient ? "bsr_softmax_grad" : "bsr_softmax", [workgroup, 1, 1, (uint)layout.BlockSize], push, buffers,
                x, y, z, $"node {c.Node.Index} {name} b={layout.BlockSize}, {rows} element rows, {workgroup} invocations a row"),
        ];
    }

    /// <summary>The shader's tree reduction needs a power of two no larger than the device allows.</summary>
    private static uint WorkgroupSize(LoweringLimits limits)
    {
        uint size = PreferredWorkgroup;
        while (size > limits.MaxWorkgroupInvocations) size /= 2;
        if (size == 0)
            throw new NotSupportedException("block_sparse_softmax: the device reports no compute invocations per workgroup");
        return size;
    }
}
