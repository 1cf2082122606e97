using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;

namespace Pixelfly.Backends.Cuda.Lowering.MatMul;

/// <summary>
/// <see cref="BlockSparseMatMulOp"/> in its three modes. b ∈ {16, 32, 64}: tiled kernels — bsmm_mma.cu on tensor
/// cores for f16/bf16 when the dense operand's free contiguous axis is a multiple of 8, else bsmm_simt.cu (exact f32
/// FFMA, also f32 inputs); any other b: bsmm_any.cu. A transposed sparse operand is read in place through the other
/// index (CSC for CSR). Split-K as for dense GEMM when the output tiles would not fill the device: over the dense K
/// for Sdd, over each line's stored blocks for Dsd/Dds.
/// </summary>
internal static class BlockSparseLowering
{
    public static IReadOnlyList<KernelLaunch> Lower(LoweringContext c, BlockSparseMatMulOp op)
    {
        var p = Problem.Of(c, op);
        if (p.Count == 0) return [];
        int bs = op.Layout.BlockSize;
        if (!MatMulKernels.TiledBlockSizes.Contains(bs)) return [Any(c, op, p)];
        bool mma = UsesTensorCores(p, op, c.Limits);
        var tile = mma ? TileShapes.BlockSparseMma(op.Mode, bs) : TileShapes.BlockSparseSimt(op.Mode, bs);
        var layout = op.Layout;

        // CTA decomposition: tiles x lines x splits x batches (pf_tile_coord), and the k steps one tile reduces over.
        long tiles, lines, steps;
        int[] table;
        switch (op.Mode)
        {
            case SparseMode.Sdd:
                tiles = layout.NnzBlocks;
                lines = 1;
                steps = (p.K + tile.BK - 1) / tile.BK;
                table = BlockSparseTables.Coordinates(layout);
                break;
            case SparseMode.Dsd:
                tiles = (p.N + tile.BN - 1) / tile.BN;
                lines = p.M / bs;
                steps = MaxPerLine(layout, walkRowsOfW: !op.TransA) * (bs / tile.BK);
                table = BlockSparseTables.DsdLines(layout, op.TransA);
                break;
            default:
                tiles = (p.M + tile.BM - 1) / tile.BM;
                lines = p.N / bs;
                steps = MaxPerLine(layout, walkRowsOfW: op.TransB) * (bs / tile.BK);
                table = BlockSparseTables.DdsLines(layout, op.TransB);
                break;
        }
        int splits = SplitK.Choose(tiles * lines * p.Batches, steps, p.Count, c.Limits);
        string label = Label(c, op, p, $"{(mma ? "mma" : "simt")} {tile}{(splits > 1 ? $", split-K {splits}" : "")}");
        var grid = SplitK.Grid(tiles * lines * splits * p.Batches, label);
        var outArg = splits > 1 ? LaunchArg.Scratch(0, splits * p.Count * 4) : LaunchArg.Value(c.Node.Outputs[0]);
        LaunchArg[] head =
        [
            LaunchArg.Value(c.Node.Inputs[0]), LaunchArg.Value(c.Node.Inputs[1]), outArg, LaunchArg.TableOf(table),
            LaunchArg.I32(p.M), LaunchArg.I32(p.N), LaunchArg.I32(p.K), LaunchArg.I64(p.StrideA), LaunchArg.I64(p.StrideB),
        ];
        LaunchArg[] tail =
        [
            LaunchArg.I32((int)tiles), LaunchArg.I32((int)lines), LaunchArg.I32(splits), LaunchArg.I32((int)p.Batches),
            LaunchArg.I32(layout.NnzBlocks), LaunchArg.I32(p.OutKind),
        ];
        int mode = TileShapes.ModeCode(op.Mode);
        KernelLaunch main = mma
            ? new KernelLaunch(MatMulKernels.BsmmMma(p.InCode, bs, op.Mode, op.TransA, op.TransB), "pf_bsmm_mma",
                [.. head, .. tail], grid, ((uint)tile.Threads, 1, 1), MatMulKernels.MmaSharedBytes(tile, op.TransA, op.TransB), label)
            : new KernelLaunch(MatMulKernels.BsmmSimt(p.InCode, bs, mode), "pf_bsmm_simt",
                [.. head, .. p.ElementStrides(), .. tail], grid, ((uint)tile.Threads, 1, 1), 0, label);
        if (splits == 1) return [main];
        return [main, SplitK.Reduce(outArg, LaunchArg.Value(c.Node.Outputs[0]), p.Count, splits, p.OutKind, c.Limits, label)];
    }

    /// <summary>
    /// Tensor cores need f16/bf16, sm_80, room for the pipeline, and whole 16-byte chunks along the dense operand's
    /// contiguous axis where that axis is a free size (layout sizes are multiples of b, hence of 8).
    /// </summary>
    public static bool UsesTensorCores(Problem p, BlockSparseMatMulOp op, CudaLoweringLimits limits)
    {
        if (p.InCode == 0 || !MatMulKernels.HasTensorCores(limits)) return false;
        var tile = TileShapes.BlockSparseMma(op.Mode, op.Layout.BlockSize);
        if (MatMulKernels.MmaSharedBytes(tile, op.TransA, op.TransB) > limits.MaxDynamicSharedBytes) return false;
        const int chunk = MatMulKernels.ChunkElements;
        return op.Mode switch
        {
            SparseMode.Sdd => (op.TransA && !op.TransB) || p.K % chunk == 0,   // A rows or Bᵀ rows run along K
            SparseMode.Dsd => op.TransB || p.N % chunk == 0,                    // B rows run along N
            _ => !op.TransA || p.M % chunk == 0,                                // Aᵀ rows run along M
        };
    }

    // The longest block list of any line (the k steps of the busiest CTA, which bounds useful splits): W's block rows
    // when the walk follows CSR (Dsd on W, Dds on Wᵀ), else W's block columns.
    private static long MaxPerLine(BlockLayout layout, bool walkRowsOfW)
    {
        var starts = walkRowsOfW ? layout.RowPtr : layout.ColPtr;
        int max = 0;
        for (int i = 0; i + 1 < starts.Length; i++) max = Math.Max(max, starts[i + 1] - starts[i]);
        return max;
    }

    private static KernelLaunch Any(LoweringContext c, BlockSparseMatMulOp op, Problem p)
    {
        var layout = op.Layout;
        int[] table = op.Mode switch
        {
            SparseMode.Sdd => BlockSparseTables.Coordinates(layout),
            SparseMode.Dsd => BlockSparseTables.DsdLines(layout, op.TransA),
            _ => BlockSparseTables.DdsLines(layout, op.TransB),
        };
        int lines = op.Mode switch
        {
            SparseMode.Sdd => 1,
            SparseMode.Dsd => p.M / layout.BlockSize,
            _ => p.N / layout.BlockSize,
        };
        long blocks = Math.Clamp((p.Count + 255) / 256, 1, (long)c.Limits.SmCount * 16);
        string label = Label(c, op, p, "generic-b kernel");
        return new KernelLaunch(MatMulKernels.BsmmAny(p.InCode, TileShapes.ModeCode(op.Mode)), "pf_bsmm_any",
            [
                LaunchArg.Value(c.Node.Inputs[0]), LaunchArg.Value(c.Node.Inputs[1]), LaunchArg.Value(c.Node.Outputs[0]), LaunchArg.TableOf(table),
                LaunchArg.I32(p.M), LaunchArg.I32(p.N), LaunchArg.I32(p.K), LaunchArg.I64(p.StrideA), LaunchArg.I64(p.StrideB),
                .. p.ElementStrides(), LaunchArg.I32(layout.BlockSize), LaunchArg.I32(lines), LaunchArg.I32((int)p.Batches),
                LaunchArg.I32(layout.NnzBlocks), LaunchArg.I32(p.OutKind),
            ],
            ((uint)blocks, 1, 1), (256, 1, 1), 0, label);
    }

    private static string Label(LoweringContext c, BlockSparseMatMulOp op, Problem p, string how) =>
        $"node {c.Node.Index} block_sparse_matmul {op.Mode.ToString().ToLowerInvariant()} b={op.Layout.BlockSize} "
        + $"{op.Layout.NnzBlocks} blocks, {(p.Batches > 1 ? $"batch {p.Batches}, " : "")}{p.M}x{p.N}x{p.K}"
        + $"{(op.TransA ? " transA" : "")}{(op.TransB ? " transB" : "")}, {how}";

    /// <summary>
    /// Sizes of one block-sparse product: op(A) is M x K and op(B) K x N (the sparse side in its dense view), the
    /// batch count, each input's batch stride in elements (0 = shared), the output element count and dtype codes.
    /// </summary>
    internal readonly record struct Problem(int M, int N, int K, long Batches, long StrideA, long StrideB, long Count,
        int InCode, int OutKind, bool TransA, bool TransB, SparseMode Mode, int Block)
    {
        public static Problem Of(LoweringContext c, BlockSparseMatMulOp op)
        {
            var (a, b, result) = (c.In(0).Shape, c.In(1).Shape, c.Out(0).Shape);
            var layout = op.Layout;
            int bs = layout.BlockSize;
            long blockElements = (long)bs * bs * layout.NnzBlocks;
            int m, n, k;
            long strideA, strideB;
            switch (op.Mode)
            {
                case SparseMode.Sdd:
                    (m, n) = (layout.Rows, layout.Cols);
                    k = op.TransA ? a[-2] : a[-1];
                    strideA = a.Rank > 2 ? (long)m * k : 0;
                    strideB = b.Rank > 2 ? (long)k * n : 0;
                    break;
                case SparseMode.Dsd:
                    (m, k) = op.SparseOperandShape;
                    n = result[-1];
                    strideA = a.Rank > 3 ? blockElements : 0;
                    strideB = b.Rank > 2 ? (long)k * n : 0;
                    break;
                default:
                    (k, n) = op.SparseOperandShape;
                    m = result[-2];
                    strideA = a.Rank > 2 ? (long)m * k : 0;
                    strideB = b.Rank > 3 ? blockElements : 0;
                    break;
            }
            int batchDims = op.Mode == SparseMode.Sdd ? 3 : 2;
            long batches = 1;
            for (int d = 0; d < result.Rank - batchDims; d++) batches *= result[d];
            // Batch folding (Dds against shared weights, untransposed A): the batched rows are one (batches·M) x K
            // matrix and the output [batch][M][N] is [batches·M][N], so the batch becomes more row tiles.
            if (op.Mode == SparseMode.Dds && batches > 1 && strideB == 0 && !op.TransA && batches * m <= int.MaxValue)
            {
                m = (int)(batches * m);
                batches = 1;
                strideA = 0;
            }
            return new Problem(m, n, k, batches, strideA, strideB, result.ElementCount,
                MatMulKernels.InputCode(c.In(0).DType), MatMulKernels.OutputCode(c.Out(0).DType), op.TransA, op.TransB, op.Mode, bs);
        }

        /// <summary>
        /// sAm, sAk, sBk, sBn for the SIMT and generic kernels: op(A)[m][k] = A[m·sAm + k·sAk], op(B)[k][n] =
        /// B[k·sBk + n·sBn]; for the sparse operand the strides address inside one b x b block.
        /// </summary>
        public LaunchArg[] ElementStrides()
        {
            int bs = Block;
            (int, int) dense(int rows, int cols, bool trans) => trans ? (1, rows) : (cols, 1);   // [rows][cols] or its transpose
            (int, int) block(bool trans) => trans ? (1, bs) : (bs, 1);
            var (sAm, sAk) = Mode == SparseMode.Dsd ? block(TransA) : dense(M, K, TransA);
            var (sBk, sBn) = Mode == SparseMode.Dds ? block(TransB) : dense(K, N, TransB);
            return [LaunchArg.I32(sAm), LaunchArg.I32(sAk), LaunchArg.I32(sBk), LaunchArg.I32(sBn)];
        }
    }
}
