using Pixelfly.Layouts;

namespace Pixelfly.Backends.Cuda.Lowering.MatMul;

/// <summary>
/// Block-sparse softmax and its gradient (bs_softmax.cu): one warp per element row of a block row, over the layout's
/// block-CSR row pointers; any block size. The tensor's dtype is both input and output dtype.
/// </summary>
internal static class BlockSparseSoftmaxLowering
{
    private const int WarpsPerBlock = 8;

    public static IReadOnlyList<KernelLaunch> Lower(LoweringContext c, BlockLayout layout, double scale, bool gradient)
    {
        long elements = c.Out(0).Shape.ElementCount;
        long perBatch = (long)layout.NnzBlocks * layout.BlockSize * layout.BlockSize;
        if (elements == 0 || perBatch == 0) return [];
        long batches = elements / perBatch;
        long rows = batches * layout.BlockRows * layout.BlockSize;
        long blocks = (rows + WarpsPerBlock - 1) / WarpsPerBlock;
        string label = $"node {c.Node.Index} block_sparse_softmax{(gradient ? "_grad" : "")} b={layout.BlockSize} {layout.NnzBlocks} blocks, batch {batches}";
        var grid = SplitK.Grid(blocks, label);
        var variant = MatMulKernels.Softmax(MatMulKernels.InputCode(c.In(0).DType));
        LaunchArg[] tensors = gradient
            ? [LaunchArg.Value(c.Node.Inputs[0]), LaunchArg.Value(c.Node.Inputs[1]), LaunchArg.Value(c.Node.Outputs[0])]
            : [LaunchArg.Value(c.Node.Inputs[0]), LaunchArg.Value(c.Node.Outputs[0])];
        return
        [
            new KernelLaunch(variant, gradient ? "pf_bs_softmax_grad" : "pf_bs_softmax",
                [
                    .. tensors, LaunchArg.TableOf(layout.RowPtr.ToArray()), LaunchArg.I32(layout.BlockSize),
                    LaunchArg.I32(layout.BlockRows), LaunchArg.I32(layout.NnzBlocks), LaunchArg.I32((int)batches), LaunchArg.F32((float)scale),
                ],
                grid, (WarpsPerBlock * 32, 1, 1), 0, label),
        ];
    }
}
