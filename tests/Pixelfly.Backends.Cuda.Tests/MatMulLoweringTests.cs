using Pixelfly.Backends.Cuda.Lowering;
using Pixelfly.Backends.Cuda.Lowering.MatMul;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>
/// The matmul-family lowering without a GPU: every launch names a kernel of the embedded matmul sources with exactly
/// the parameters it passes, the variant is one <see cref="MatMulLowering.Variants"/> lists, and the paths, grids,
/// split-K decisions, strides and layout tables are the ones the kernels assume.
/// </summary>
[TestFixture]
public class MatMulLoweringTests
{
    private static readonly CudaLoweringLimits H100 = CudaLoweringLimits.H100;
    private static readonly CudaLoweringLimits A100 = new(80, 108, 166912, false);
    private static readonly CudaLoweringLimits Turing = new(75, 40, 65536, false);
    private static readonly CudaLoweringLimits H100Tf32 = CudaLoweringLimits.H100 with { Tf32 = true };

    // ---- kernel signatures, parsed from the embedded matmul sources ----

    private static readonly string[] MatMulSources = ["gemm_mma.cu", "gemm_tf32.cu", "gemm_simt.cu", "splitk_reduce.cu", "bsmm_mma.cu", "bsmm_simt.cu", "bsmm_any.cu", "bs_softmax.cu"];

    private static readonly Lazy<Dictionary<string, ParameterKind[]>> Signatures = new(() => KernelSignatures.Parse(MatMulSources));

    private static void AssertWellFormed(KernelLaunch launch, Graph graph, CudaLoweringLimits limits)
    {
        string key = $"{launch.Variant.Source}:{launch.Function}";
        Assert.That(Signatures.Value, Does.ContainKey(key), $"{launch.Label}: no kernel {key}");
        Assert.That(launch.Args.Select(KernelSignatures.KindOf), Is.EqualTo(Signatures.Value[key]), $"{launch.Label}: arguments of {key}");
        Assert.That(MatMulLowering.Variants(limits), Does.Contain(launch.Variant), launch.Label);
        Assert.That(launch.Grid.X, Is.GreaterThanOrEqualTo(1u), launch.Label);
        Assert.That((launch.Grid.Y, launch.Grid.Z), Is.EqualTo((1u, 1u)), launch.Label);
        Assert.That(launch.Block.X % 32, Is.Zero, $"{launch.Label}: whole warps");
        Assert.That(launch.Block.X, Is.InRange(32u, 1024u), launch.Label);
        Assert.That(launch.DynamicSharedBytes, Is.InRange(0, limits.MaxDynamicSharedBytes), launch.Label);
        foreach (var d in launch.Variant.Defines.Where(d => d.Key == "PF_THREADS"))
            Assert.That(d.Value, Is.EqualTo(launch.Block.X.ToString(System.Globalization.CultureInfo.InvariantCulture)), launch.Label);
        foreach (var d in launch.Variant.Defines.Where(d => d.Key == "PF_SMEM_BYTES"))
            Assert.That(d.Value, Is.EqualTo(launch.DynamicSharedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)), launch.Label);
        foreach (var arg in launch.Args)
        {
            if (arg.Kind == LaunchArgKind.Value) Assert.That(arg.Id, Is.InRange(0, graph.Values.Count - 1), launch.Label);
            if (arg.Kind == LaunchArgKind.Table) Assert.That(arg.Table, Is.Not.Null.And.Not.Empty, launch.Label);
            if (arg.Kind == LaunchArgKind.Scratch) Assert.That(arg.Bytes, Is.Positive, launch.Label);
        }
    }

    // ---- graphs ----

    private static (Graph Graph, IReadOnlyList<KernelLaunch> Launches) LowerLast(Func<GraphBuilder, Value> build, CudaLoweringLimits? limits = null)
    {
        var b = new GraphBuilder();
        b.Output("y", build(b));
        var graph = b.Build();
        var launches = MatMulLowering.Lower(new LoweringContext(graph, graph.Nodes[^1], limits ?? H100));
        foreach (var l in launches) AssertWellFormed(l, graph, limits ?? H100);
        return (graph, launches);
    }

    // A fixed pattern with every block row and column non-empty for the sizes used here: (p, q) stored iff (p + q) % 3 != 2.
    private static BlockLayout Layout(int rows, int cols, int b)
    {
        var mask = new bool[rows / b, cols / b];
        for (int p = 0; p < rows / b; p++)
            for (int q = 0; q < cols / b; q++)
                mask[p, q] = (p + q) % 3 != 2;
        return BlockLayout.FromMask(mask, b);
    }

    /// <summary>Every mode, transpose, block size (tiled and generic) and dtype, dense matmuls and the softmax pair.</summary>
    internal static Graph EveryMatMul(DType dtype)
    {
        var g = new GraphBuilder();
        int o = 0;
        void Out(Value v) => g.Output($"y{o++}", v);
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                Out(g.MatMul(g.Input($"a{o}", dtype, ta ? 40 : 24, ta ? 24 : 40), g.Input($"b{o}", dtype, tb ? 16 : 40, tb ? 40 : 16), ta, tb));
                Out(g.MatMul(g.Input($"a{o}", dtype, 3, ta ? 37 : 5, ta ? 5 : 37), g.Input($"b{o}", dtype, tb ? 11 : 37, tb ? 37 : 11), ta, tb, DType.F32));
            }
        foreach (int bs in new[] { 16, 32, 64, 8 })
        {
            var layout = Layout(2 * bs, 3 * bs, bs);
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    var sparse = g.Input($"w{o}", dtype, layout.NnzBlocks, bs, bs);
                    // Dds: op(A) [24 x k] · op(W) [k x n]
                    var (k, n) = tb ? (layout.Cols, layout.Rows) : (layout.Rows, layout.Cols);
                    Out(g.BlockSparseMatMul(SparseMode.Dds, layout, g.Input($"x{o}", dtype, ta ? k : 24, ta ? 24 : k), sparse, ta, tb));
                    // Dsd: op(W) [m x k] · op(B) [k x 24]
                    var (m, k2) = ta ? (layout.Cols, layout.Rows) : (layout.Rows, layout.Cols);
                    Out(g.BlockSparseMatMul(SparseMode.Dsd, layout, sparse, g.Input($"x{o}", dtype, tb ? 24 : k2, tb ? k2 : 24), ta, tb));
                    // Sdd: op(A) [rows x 40] · op(B) [40 x cols], batched
                    var a = g.Input($"x{o}a", dtype, 2, ta ? 40 : layout.Rows, ta ? layout.Rows : 40);
                    var b = g.Input($"x{o}b", dtype, 2, tb ? layout.Cols : 40, tb ? 40 : layout.Cols);
                    Out(g.BlockSparseMatMul(SparseMode.Sdd, layout, a, b, ta, tb));
                }
            var scores = g.Input($"s{o}", dtype, 2, layout.NnzBlocks, bs, bs);
            var y = g.BlockSparseSoftmax(layout, scores, 0.5);
            Out(y);
            Out(g.Apply1(new BlockSparseSoftmaxGradOp(layout, 0.5), y, scores));
        }
        return g.Build();
    }

    private static KernelLaunch Single(IReadOnlyList<KernelLaunch> launches)
    {
        Assert.That(launches, Has.Count.EqualTo(1), string.Join("; ", launches.Select(l => l.Label)));
        return launches[0];
    }

    private static long I64(KernelLaunch l, int index) => l.Args[index].Integer;

    // ---- tests ----

    [TestCase(DType.F32)]
    [TestCase(DType.F16)]
    [TestCase(DType.BF16)]
    public void EveryLaunchOfEveryMatMulFamilyNodeMatchesItsKernelSignature(DType dtype)
    {
        var graph = EveryMatMul(dtype);
        foreach (var limits in new[] { H100, A100, Turing, H100Tf32 })
            foreach (var node in graph.Nodes)
            {
                var launches = MatMulLowering.Lower(new LoweringContext(graph, node, limits));
                Assert.That(launches, Is.Not.Empty, $"node {node.Index} {node.Op.Name}");
                foreach (var l in launches) AssertWellFormed(l, graph, limits);
            }
    }

    [Test]
    public void Bf16DenseMatMulRunsOnTensorCoresWithOne128x128TilePerCta()
    {
        var (_, launches) = LowerLast(b => b.MatMul(b.Input("a", DType.BF16, 4, 1000, 256), b.Input("w", DType.BF16, 4, 256, 520)));
        var l = Single(launches);
        Assert.That(l.Function, Is.EqualTo("pf_gemm_mma"));
        Assert.That(l.Variant.Key, Is.EqualTo("gemm_mma.cu[PF_IN=2,PF_TRANS_A=0,PF_TRANS_B=0,PF_THREADS=256,PF_SMEM_BYTES=75776]"));
        Assert.That(l.Grid.X, Is.EqualTo(8u * 5u * 4u));   // ceil(1000/128) · ceil(520/128) · batch 4
        Assert.That(l.Block.X, Is.EqualTo(256u));
        Assert.That(I64(l, 6), Is.EqualTo(1000L * 256), "A's batch stride");
        Assert.That(I64(l, 7), Is.EqualTo(256L * 520), "B's batch stride");
    }

    [Test]
    public void ASharedOperandThatCannotFoldHasBatchStrideZero()
    {
        var (_, launches) = LowerLast(b => b.MatMul(b.Input("a", DType.BF16, 1000, 256), b.Input("w", DType.BF16, 4, 256, 520)));
        var l = Single(launches);
        Assert.That(I64(l, 6), Is.Zero, "the rank-2 A is shared by every batch");
        Assert.That(l.Args[11].Integer, Is.EqualTo(4));
    }

    [Test]
    public void ABatchAgainstASharedWeightIsFoldedIntoTheRows()
    {
        var (_, launches) = LowerLast(b => b.MatMul(b.Input("a", DType.BF16, 64, 49, 256), b.Input("w", DType.BF16, 256, 1024)));
        var l = Single(launches);
        Assert.That(l.Args[3].Integer, Is.EqualTo(64 * 49), "M = batches · rows");
        Assert.That(l.Args[11].Integer, Is.EqualTo(1), "one batch");
        Assert.That(l.Grid.X, Is.EqualTo((uint)((64 * 49 + 127) / 128 * 8)));
        var layout = Layout(256, 512, 64);
        var (_, sparse) = LowerLast(b => b.BlockSparseMatMul(SparseMode.Dds, layout,
            b.Input("x", DType.BF16, 64, 49, 512), b.Input("w", DType.BF16, layout.NnzBlocks, 64, 64), transB: true));
        var d = sparse[0];
        Assert.That(d.Args[4].Integer, Is.EqualTo(64 * 49));
        Assert.That(d.Args[12].Integer, Is.EqualTo(1), "one batch");
        var (_, transposed) = LowerLast(b => b.MatMul(b.Input("a", DType.BF16, 64, 256, 48), b.Input("w", DType.BF16, 256, 512), transA: true));
        Assert.That(transposed[0].Args[11].Integer, Is.EqualTo(64), "a transposed A cannot fold: its batches stay batches");
    }

    [Test]
    public void TransposedOperandsChangeTheSharedLayoutAndItsSize()
    {
        var (_, launches) = LowerLast(b => b.MatMul(b.Input("a", DType.F16, 256, 128), b.Input("w", DType.F16, 64, 256), transA: true, transB: true));
        var l = launches[0];
        // A as [32][128+8] and B as [128][32+8] per stage, 4 stages, 2 bytes.
        Assert.That(l.DynamicSharedBytes, Is.EqualTo(4 * (32 * 136 + 128 * 40) * 2));
        Assert.That(l.Variant.Defines.Single(d => d.Key == "PF_TRANS_A").Value, Is.EqualTo("1"));
    }

    [Test]
    public void F32MatMulUsesTheExactFfmaKernelWithElementStrides()
    {
        var (_, launches) = LowerLast(b => b.MatMul(b.Input("a", DType.F32, 30, 20), b.Input("w", DType.F32, 50, 30), transA: true, transB: true));
        var l = Single(launches);
        Assert.That(l.Function, Is.EqualTo("pf_gemm_simt"));
        Assert.That(l.DynamicSharedBytes, Is.Zero);
        // op(A)[m][k] = A[k][m]: strides (1, M = 20); op(B)[k][n] = W[n][k]: strides (1, K = 30).
        Assert.That(l.Args[8..12].Select(a => a.Integer), Is.EqualTo(new long[] { 1, 20, 1, 30 }));
    }

    [Test]
    public void F32MatMulRunsOnTf32TensorCoresOnlyWhenTheLimitsOptIn()
    {
        var (_, launches) = LowerLast(b => b.MatMul(b.Input("a", DType.F32, 1024, 2048), b.Input("w", DType.F32, 1024, 2048), transA: true), H100Tf32);
        var l = Single(launches);
        Assert.That(l.Function, Is.EqualTo("pf_gemm_tf32"));
        // 3 stages of A as [16][128+8] and B as [16][128+8] floats.
        Assert.That(l.DynamicSharedBytes, Is.EqualTo(3 * (16 * 136 + 16 * 136) * 4));
        var (_, exact) = LowerLast(b => b.MatMul(b.Input("a", DType.F32, 1024, 2048), b.Input("w", DType.F32, 1024, 2048), transA: true));
        Assert.That(Single(exact).Function, Is.EqualTo("pf_gemm_simt"), "without the opt-in f32 stays exact");
        var (_, odd) = LowerLast(b => b.MatMul(b.Input("a", DType.F32, 64, 30), b.Input("w", DType.F32, 30, 64)), H100Tf32);
        Assert.That(odd[0].Function, Is.EqualTo("pf_gemm_simt"), "K = 30 rows are not whole 4-float chunks");
        Assert.That(MatMulLowering.Variants(H100).Select(v => v.Source), Has.None.EqualTo("gemm_tf32.cu"));
    }

    [Test]
    public void HalfOperandsWithRowsNotWholeSixteenByteChunksFallBackToFfma()
    {
        var (_, launches) = LowerLast(b => b.MatMul(b.Input("a", DType.F16, 64, 30), b.Input("w", DType.F16, 30, 64)));
        Assert.That(Single(launches).Function, Is.EqualTo("pf_gemm_simt"));
        var (_, transposed) = LowerLast(b => b.MatMul(b.Input("a", DType.F16, 30, 64), b.Input("w", DType.F16, 30, 64), transA: true));
        Assert.That(Single(transposed).Function, Is.EqualTo("pf_gemm_mma"), "with A transposed the contiguous axes are M = 64 and N = 64");
    }

    [Test]
    public void DevicesWithoutSm80InstructionsNeverGetTensorCoreKernels()
    {
        var (_, launches) = LowerLast(b => b.MatMul(b.Input("a", DType.BF16, 256, 256), b.Input("w", DType.BF16, 256, 256)), Turing);
        Assert.That(launches[0].Function, Is.EqualTo("pf_gemm_simt"));
        Assert.That(MatMulLowering.Variants(Turing).Select(v => v.Source), Has.None.EqualTo("gemm_mma.cu").And.None.EqualTo("bsmm_mma.cu"));
    }

    [Test]
    public void ASmallOutputWithALongReductionSplitsKAndReducesInOrder()
    {
        var (graph, launches) = LowerLast(b => b.MatMul(b.Input("a", DType.BF16, 64, 8192), b.Input("w", DType.BF16, 8192, 64)));
        Assert.That(launches, Has.Count.EqualTo(2));
        var (main, reduce) = (launches[0], launches[1]);
        // One 128x128 tile; 256 k steps; enough splits to fill 132 SMs, capped at 32.
        Assert.That(main.Args[10].Integer, Is.EqualTo(32), "splits");
        Assert.That(main.Grid.X, Is.EqualTo(32u));
        Assert.That(main.Args[2].Kind, Is.EqualTo(LaunchArgKind.Scratch));
        Assert.That(main.Args[2].Bytes, Is.EqualTo(32L * 64 * 64 * 4));
        Assert.That(reduce.Function, Is.EqualTo("pf_splitk_reduce"));
        Assert.That(reduce.Args[0], Is.EqualTo(main.Args[2]), "the reduce reads the partials the split kernel wrote");
        Assert.That(reduce.Args[1].Id, Is.EqualTo(graph.Nodes[^1].Outputs[0]));
        Assert.That(reduce.Args[2].Integer, Is.EqualTo(64L * 64));
        Assert.That(reduce.Args[4].Integer, Is.EqualTo(2), "rounded once, to bf16");
    }

    [Test]
    public void AnOutputThatFillsTheDeviceIsNotSplit()
    {
        var (_, launches) = LowerLast(b => b.MatMul(b.Input("a", DType.BF16, 2048, 4096), b.Input("w", DType.BF16, 4096, 2048)));
        var l = Single(launches);
        Assert.That(l.Args[10].Integer, Is.EqualTo(1));
        Assert.That(l.Args[2].Kind, Is.EqualTo(LaunchArgKind.Value));
    }

    [Test]
    public void AnEmptyOutputLaunchesNothingAndAnEmptyReductionStillWritesZeros()
    {
        var (_, none) = LowerLast(b => b.MatMul(b.Input("a", DType.F32, 0, 8), b.Input("w", DType.F32, 8, 4)));
        Assert.That(none, Is.Empty);
        var (_, zeros) = LowerLast(b => b.MatMul(b.Input("a", DType.F32, 4, 0), b.Input("w", DType.F32, 0, 4)));
        Assert.That(Single(zeros).Args[5].Integer, Is.Zero, "K = 0: the kernel runs no k step and stores zeros");
    }

    [TestCase(false, TestName = "Dds walks the block columns of W through the CSC index")]
    [TestCase(true, TestName = "Dds with a transposed W walks the block rows of W through the CSR index")]
    public void DdsTablesListEachOutputBlockColumnsStoredBlocks(bool transB)
    {
        var layout = Layout(256, 128, 32);
        var (k, n) = transB ? (layout.Cols, layout.Rows) : (layout.Rows, layout.Cols);
        var (_, launches) = LowerLast(b => b.BlockSparseMatMul(SparseMode.Dds, layout,
            b.Input("x", DType.BF16, 10240, k), b.Input("w", DType.BF16, layout.NnzBlocks, 32, 32), transB: transB));
        var l = Single(launches);
        Assert.That(l.Function, Is.EqualTo("pf_bsmm_mma"));
        int lines = n / 32;
        var table = l.Args[3].Table!;
        Assert.That(table, Has.Length.EqualTo(lines + 1 + 2 * layout.NnzBlocks));
        for (int q = 0; q < lines; q++)
            for (int e = table[q]; e < table[q + 1]; e++)
            {
                int block = table[lines + 1 + e], p = table[lines + 1 + layout.NnzBlocks + e];
                // Entry (p, q) of op(W): block (p, q) of W, or block (q, p) of W when op(W) = Wᵀ.
                int expected = transB ? layout.IndexOf(q, p) : layout.IndexOf(p, q);
                Assert.That(block, Is.EqualTo(expected), $"line {q} entry {e}");
            }
        Assert.That(table[lines], Is.EqualTo(layout.NnzBlocks), "every stored block is listed once");
        // 10240 rows in 256-row tiles, one CTA per block column (enough to fill the device: no split).
        Assert.That(l.Grid.X, Is.EqualTo((uint)(40 * lines)));
        Assert.That(l.Block.X, Is.EqualTo(256u));
    }

    [Test]
    public void DsdWalksTheBlockRowsOfOpWAndTilesTheDenseColumns()
    {
        var layout = Layout(128, 192, 64);
        var (_, launches) = LowerLast(b => b.BlockSparseMatMul(SparseMode.Dsd, layout,
            b.Input("w", DType.F16, 3, layout.NnzBlocks, 64, 64), b.Input("x", DType.F16, 3, 192, 296)));
        var l = Single(launches);
        Assert.That(l.Function, Is.EqualTo("pf_bsmm_mma"));
        Assert.That(l.Args[3].Table, Is.EqualTo(BlockSparseTables.ByRow(layout)));
        Assert.That(l.Args[3].Table![..3], Is.EqualTo(layout.RowPtr.ToArray()));
        Assert.That(l.Grid.X, Is.EqualTo((uint)(3 * 2 * 3)), "ceil(296/128) column tiles · 2 block rows · batch 3");
        Assert.That(I64(l, 7), Is.EqualTo((long)layout.NnzBlocks * 64 * 64), "batched sparse operand");
        Assert.That(I64(l, 8), Is.EqualTo(192L * 296));
    }

    [Test]
    public void SddComputesOneStoredBlockPerCtaFromTheBlockCoordinates()
    {
        var layout = BlockLayout.Random(4096, 4096, 64, 0.125, 11);
        var (_, launches) = LowerLast(b => b.BlockSparseMatMul(SparseMode.Sdd, layout,
            b.Input("dy", DType.BF16, 8192, 4096), b.Input("x", DType.BF16, 8192, 4096), transA: true));
        var l = Single(launches);
        Assert.That(l.Function, Is.EqualTo("pf_bsmm_mma"));
        Assert.That(l.Args[3].Table, Is.EqualTo(layout.BlockRowOfEachBlock().Concat(layout.ColIdx.ToArray()).ToArray()));
        Assume.That(layout.NnzBlocks, Is.GreaterThanOrEqualTo(H100.SmCount));
        Assert.That(l.Grid.X, Is.EqualTo((uint)layout.NnzBlocks), "enough blocks to fill the device: no split");
        Assert.That(l.Block.X, Is.EqualTo(128u));
    }

    [Test]
    public void SddWithFewBlocksAndManyTokensSplitsTheTokensDeterministically()
    {
        var layout = BlockLayout.FromMask(new[,] { { true, false }, { false, true } }, 64);
        var (_, launches) = LowerLast(b => b.BlockSparseMatMul(SparseMode.Sdd, layout,
            b.Input("a", DType.F16, 8192, 128), b.Input("b", DType.F16, 8192, 128), transA: true));
        Assert.That(launches, Has.Count.EqualTo(2));
        int splits = (int)launches[0].Args[11].Integer;
        Assert.That(splits, Is.EqualTo(32), "2 blocks, 256 k steps: capped at 32 splits");
        Assert.That(launches[0].Grid.X, Is.EqualTo((uint)(2 * splits)));
        Assert.That(launches[1].Function, Is.EqualTo("pf_splitk_reduce"));
        Assert.That(launches[1].Args[2].Integer, Is.EqualTo(2L * 64 * 64));
    }

    [Test]
    public void F32BlockSparseUsesTheFfmaKernelWithBlockStrides()
    {
        var layout = Layout(64, 96, 16);
        var (_, launches) = LowerLast(b => b.BlockSparseMatMul(SparseMode.Dds, layout,
            b.Input("x", DType.F32, 4224, 96), b.Input("w", DType.F32, layout.NnzBlocks, 16, 16), transB: true));
        var l = Single(launches);
        Assert.That(l.Function, Is.EqualTo("pf_bsmm_simt"));
        // op(A) = x [4224][96]: (96, 1); op(W) = Wᵀ inside a block: (1, b).
        Assert.That(l.Args[9..13].Select(a => a.Integer), Is.EqualTo(new long[] { 96, 1, 1, 16 }));
        Assert.That(l.Grid.X, Is.EqualTo((uint)(33 * (64 / 16))), "33 128-row tiles per block column of Wᵀ");
    }

    [Test]
    public void BlockSizesWithoutATiledKernelUseTheGenericKernel()
    {
        var layout = Layout(24, 48, 8);
        var (_, launches) = LowerLast(b => b.BlockSparseMatMul(SparseMode.Dsd, layout,
            b.Input("w", DType.BF16, layout.NnzBlocks, 8, 8), b.Input("x", DType.BF16, 48, 5)));
        var l = Single(launches);
        Assert.That(l.Function, Is.EqualTo("pf_bsmm_any"));
        Assert.That(l.Args[13].Integer, Is.EqualTo(8), "b");
        Assert.That(l.Args[14].Integer, Is.EqualTo(3), "block rows of op(W)");
    }

    [Test]
    public void HalfDdsWithATransposedDenseOperandOfOddRowsFallsBackToFfma()
    {
        var layout = Layout(64, 64, 32);
        var (_, launches) = LowerLast(b => b.BlockSparseMatMul(SparseMode.Dds, layout,
            b.Input("x", DType.BF16, 64, 13), b.Input("w", DType.BF16, layout.NnzBlocks, 32, 32), transA: true));
        Assert.That(launches[0].Function, Is.EqualTo("pf_bsmm_simt"));
    }

    [Test]
    public void ATileWhoseRingDoesNotFitTheDevicesSharedMemoryIsNeitherListedNorLaunched()
    {
        var ampere86 = new CudaLoweringLimits(86, 84, 101376, false);   // 99 KiB opt-in shared memory
        var layout = Layout(128, 128, 64);
        var (_, launches) = LowerLast(b => b.BlockSparseMatMul(SparseMode.Dds, layout,
            b.Input("x", DType.BF16, 8192, 128), b.Input("w", DType.BF16, layout.NnzBlocks, 64, 64), transB: true), ampere86);
        // Dds b=64 with Wᵀ needs 4·(256·40 + 64·40)·2 = 102400 bytes: the FFMA kernel runs instead.
        Assert.That(launches[0].Function, Is.EqualTo("pf_bsmm_simt"));
        Assert.That(MatMulLowering.Variants(ampere86), Has.None.Matches<KernelVariant>(v => v.Source == "bsmm_mma.cu"
            && v.Defines.Contains(new("PF_BLOCK", "64")) && v.Defines.Contains(new("PF_MODE", "2"))
            && v.Defines.Contains(new("PF_TRANS_A", "0")) && v.Defines.Contains(new("PF_TRANS_B", "1"))));
        Assert.That(MatMulLowering.Variants(ampere86), Has.Some.Matches<KernelVariant>(v => v.Source == "bsmm_mma.cu"
            && v.Defines.Contains(new("PF_BLOCK", "64")) && v.Defines.Contains(new("PF_MODE", "2")) && v.Defines.Contains(new("PF_TRANS_B", "0"))));
    }

    [Test]
    public void SoftmaxRunsOneWarpPerElementRowOverTheRowPointers()
    {
        var layout = Layout(96, 64, 16);
        var (_, launches) = LowerLast(b => b.BlockSparseSoftmax(layout, b.Input("s", DType.F16, 5, layout.NnzBlocks, 16, 16), 0.125));
        var l = Single(launches);
        Assert.That(l.Function, Is.EqualTo("pf_bs_softmax"));
        Assert.That(l.Args[2].Table, Is.EqualTo(layout.RowPtr.ToArray()));
        Assert.That(l.Args[^1].Real, Is.EqualTo(0.125f));
        Assert.That(l.Args[^2].Integer, Is.EqualTo(5), "batches");
        Assert.That(l.Grid.X, Is.EqualTo((uint)(5 * 96 / 8)), "5 batches · 96 element rows, 8 warps a CTA");
    }

    [Test]
    public void VariantsListEveryVariantOnceAndTheSm90AndSm80ListsAgree()
    {
        var h100 = MatMulLowering.Variants(H100).ToList();
        Assert.That(h100.Distinct().Count(), Is.EqualTo(h100.Count));
        Assert.That(h100, Is.EquivalentTo(MatMulLowering.Variants(A100)));
        // 3 SIMT GEMM + reduce + 8 mma GEMM + 27 SIMT block-sparse + 72 mma block-sparse + 9 generic + 3 softmax.
        Assert.That(h100, Has.Count.EqualTo(3 + 1 + 8 + 27 + 72 + 9 + 3));
    }

    [Test]
    public void SplitKChoosesNoSplitWhenTilesFillTheDeviceAndRespectsItsBounds()
    {
        Assert.That(SplitK.Choose(132, 1000, 1 << 20, H100), Is.EqualTo(1));
        Assert.That(SplitK.Choose(66, 1000, 1 << 20, H100), Is.EqualTo(2));
        Assert.That(SplitK.Choose(1, 8, 1 << 10, H100), Is.EqualTo(2), "8 steps allow 2 splits of 4");
        Assert.That(SplitK.Choose(1, 7, 1 << 10, H100), Is.EqualTo(1), "too little work to split");
        Assert.That(SplitK.Choose(1, 10000, 256L << 20, H100), Is.EqualTo(1), "the partials would not fit the scratch budget");
    }
}
