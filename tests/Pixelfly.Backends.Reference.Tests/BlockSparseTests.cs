using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Reference.Tests.TestSupport;

namespace Pixelfly.Backends.Reference.Tests;

/// <summary>Block-sparse ops against dense computations on the densified matrix.</summary>
public sealed class BlockSparseTests
{
    private const int B = 4;

    /// <summary>3×5 blocks of 4 (a 12×20 matrix) with an empty block row, so nothing may assume one block per row.</summary>
    private static readonly BlockLayout MaskLayout = BlockLayout.FromMask(new[,]
    {
        { true, false, true, false, true },
        { false, false, false, false, false },
        { true, true, false, false, true },
    }, B);

    private static readonly BlockLayout RandomLayout = BlockLayout.Random(16, 12, B, 0.5, seed: 7);

    private static BlockLayout LayoutNamed(string name) => name == "mask" ? MaskLayout : RandomLayout;

    private static IEnumerable<TestCaseData> MatMulCases()
    {
        foreach (var mode in Enum.GetValues<SparseMode>())
            foreach (var transA in new[] { false, true })
                foreach (var transB in new[] { false, true })
                    foreach (var batching in new[] { "none", "shared", "perBatch" })
                        foreach (var layout in new[] { "mask", "random" })
                        {
                            // Sdd has two dense operands with equal batch dims: no shared variant.
                            if (mode == SparseMode.Sdd && batching == "shared") continue;
                            yield return new TestCaseData(mode, transA, transB, batching, layout);
                        }
    }

    [TestCaseSource(nameof(MatMulCases))]
    public void MatMulEqualsTheDenseProductOfTheDensifiedMatrix(SparseMode mode, bool transA, bool transB, string batching, string layoutName)
    {
        var layout = LayoutNamed(layoutName);
        Assert.That(layout.NnzBlocks, Is.GreaterThan(0));
        int batches = batching == "none" ? 1 : 2;
        int[] denseBatch = batching == "none" ? [] : [2];
        int[] sparseBatch = batching == "perBatch" ? [2] : [];
        int[] sparseDims = [.. sparseBatch, layout.NnzBlocks, B, B];
        int blockElements = layout.NnzBlocks * B * B;
        // A fixed seed per case (HashCode is randomised per process, so it would not reproduce).
        var random = new Random(((int)mode * 4 + (transA ? 2 : 0) + (transB ? 1 : 0)) * 16 + batching.Length * 2 + layoutName.Length);
        int rows = layout.Rows, cols = layout.Cols;

        int[] aDims, bDims;
        switch (mode)
        {
            case SparseMode.Sdd:
            {
                const int k = 6;
                aDims = [.. denseBatch, .. transA ? new[] { k, rows } : [rows, k]];
                bDims = [.. denseBatch, .. transB ? new[] { cols, k } : [k, cols]];
                break;
            }
            case SparseMode.Dsd:
            {
                int inner = transA ? rows : cols;
                const int n = 3;
                aDims = sparseDims;
                bDims = [.. denseBatch, .. transB ? new[] { n, inner } : [inner, n]];
                break;
            }
            default:
            {
                int inner = transB ? cols : rows;
                const int m = 3;
                aDims = [.. denseBatch, .. transA ? new[] { inner, m } : [m, inner]];
                bDims = sparseDims;
                break;
            }
        }
        var aValues = RandomValues(random, new Shape(aDims).ElementCount);
        var bValues = RandomValues(random, new Shape(bDims).ElementCount);

        var g = new GraphBuilder();
        var a = g.Input("a", DType.F64, aDims);
        var bb = g.Input("b", DType.F64, bDims);
        var y = RunSingle(g, g.BlockSparseMatMul(mode, layout, a, bb, transA, transB), ("a", F64(aValues, aDims)), ("b", F64(bValues, bDims)));

        int perBatch = y.Length / batches;
        for (int batch = 0; batch < batches; batch++)
        {
            double[] expected;
            switch (mode)
            {
                case SparseMode.Sdd:
                {
                    const int k = 6;
                    var product = DenseProduct(aValues, batch * rows * k, aDims[^1], transA, bValues, batch * k * cols, bDims[^1], transB, rows, k, cols);
                    expected = StoredBlocksOf(layout, product);
                    break;
                }
                case SparseMode.Dsd:
                {
                    var w = Densify(layout, aValues, sparseBatch.Length > 0 ? batch * blockElements : 0);
                    var (m, inner) = transA ? (cols, rows) : (rows, cols);
                    expected = DenseProduct(w, 0, cols, transA, bValues, batch * inner * 3, bDims[^1], transB, m, inner, 3);
                    break;
                }
                default:
                {
                    var w = Densify(layout, bValues, sparseBatch.Length > 0 ? batch * blockElements : 0);
                    var (inner, n) = transB ? (cols, rows) : (rows, cols);
                    expected = DenseProduct(aValues, batch * 3 * inner, aDims[^1], transA, w, 0, cols, transB, 3, inner, n);
                    break;
                }
            }
            Assert.That(perBatch, Is.EqualTo(expected.Length));
            Assert.That(y.AsSpan(batch * perBatch, perBatch).ToArray(), Is.EqualTo(expected).Within(1e-13), $"batch {batch}");
        }
    }

    [Test]
    public void SparseLinearForwardOnAButterflyLayoutMatchesXTimesDenseWTransposed()
    {
        // y = x·Wᵀ with W 64×32 flat-butterfly, b = 16: the Pixelfly layer's forward (Dds, transB).
        var layout = BlockLayout.FlatBlockButterfly(64, 32, 16, 2, 1);
        var random = new Random(3);
        var x = RandomValues(random, 5 * 32);
        var w = RandomValues(random, layout.NnzBlocks * 16 * 16);
        var g = new GraphBuilder();
        var xv = g.Input("x", DType.F64, 5, 32);
        var wv = g.Parameter("w", DType.F64, layout.NnzBlocks, 16, 16);
        var y = RunSingle(g, g.BlockSparseMatMul(SparseMode.Dds, layout, xv, wv, transB: true), ("x", F64(x, 5, 32)), ("w", F64(w, layout.NnzBlocks, 16, 16)));
        var expected = DenseProduct(x, 0, 32, false, Densify(layout, w), 0, 32, true, 5, 32, 64);
        Assert.That(y, Is.EqualTo(expected).Within(1e-13));
    }

    [Test]
    public void SddWritesEveryLayoutBlockAndNothingElse()
    {
        // Rows of op(A) in the empty block row are huge: a value from an unstored block would show.
        var layout = MaskLayout;
        const int k = 5;
        var random = new Random(5);
        var aValues = RandomValues(random, layout.Rows * k);
        for (int r = B; r < 2 * B; r++)
            for (int t = 0; t < k; t++) aValues[r * k + t] = 1e9;
        var bValues = RandomValues(random, k * layout.Cols);

        var g = new GraphBuilder();
        var a = g.Input("a", DType.F32, layout.Rows, k);
        var bb = g.Input("b", DType.F32, k, layout.Cols);
        g.Output("c", g.BlockSparseMatMul(SparseMode.Sdd, layout, a, bb));
        using var exe = Device.Compile(g.Build());

        var aT = Device.Upload(HostTensor.FromDoubles(new TensorType(DType.F32, layout.Rows, k), aValues));
        var bT = Device.Upload(HostTensor.FromDoubles(new TensorType(DType.F32, k, layout.Cols), bValues));
        var outType = new TensorType(DType.F32, layout.NnzBlocks, B, B);
        var cT = Device.Allocate(outType, guardBytes: 64);
        var poison = new HostTensor(outType);
        poison.AsSpan<float>().Fill(float.NaN);
        cT.Upload(poison.Data);

        exe.Run(new Dictionary<string, IDeviceTensor> { ["a"] = aT, ["b"] = bT }, new Dictionary<string, IDeviceTensor> { ["c"] = cT });

        Assert.That(cT.GuardsIntact(), Is.True, "a write landed outside the output tensor");
        var c = cT.Download().ToDoubles();
        Assert.That(c.All(double.IsFinite), Is.True, "an output element was left unwritten (still NaN)");
        Assert.That(c.Max(Math.Abs), Is.LessThan(1e3), "a value from an unstored block reached the output");
        var aRounded = HostTensor.FromDoubles(new TensorType(DType.F32, layout.Rows, k), aValues).ToDoubles();
        var bRounded = HostTensor.FromDoubles(new TensorType(DType.F32, k, layout.Cols), bValues).ToDoubles();
        var product = DenseProduct(aRounded, 0, k, false, bRounded, 0, layout.Cols, false, layout.Rows, k, layout.Cols);
        Assert.That(c, Is.EqualTo(StoredBlocksOf(layout, product).Select(v => (double)(float)v).ToArray()));
    }

    [Test]
    public void BlockSparseSoftmaxRowsSumToOneOverStoredElementsAndMatchMaskedDenseSoftmax()
    {
        var layout = MaskLayout;
        const double scale = 0.5;
        int count = 2 * layout.NnzBlocks * B * B;
        var x = RandomValues(new Random(9), count, -4, 4);
        var g = new GraphBuilder();
        var xv = g.Input("x", DType.F64, 2, layout.NnzBlocks, B, B);
        var y = RunSingle(g, g.BlockSparseSoftmax(layout, xv, scale), ("x", F64(x, 2, layout.NnzBlocks, B, B)));

        for (int batch = 0; batch < 2; batch++)
        {
            int offset = batch * layout.NnzBlocks * B * B;
            var expected = MaskedDenseSoftmax(layout, x, offset, scale);
            var actual = Densify(layout, y, offset);
            var mask = layout.ToMask();
            for (int r = 0; r < layout.Rows; r++)
            {
                bool anyStored = false;
                double rowSum = 0;
                for (int col = 0; col < layout.Cols; col++)
                {
                    if (!mask[r / B, col / B]) continue;
                    anyStored = true;
                    rowSum += actual[r * layout.Cols + col];
                    Assert.That(actual[r * layout.Cols + col], Is.EqualTo(expected[r * layout.Cols + col]).Within(1e-14));
                }
                if (anyStored) Assert.That(rowSum, Is.EqualTo(1.0).Within(1e-14), $"batch {batch} row {r}");
            }
        }
    }

    [Test]
    public void BlockSparseSoftmaxGradMatchesFiniteDifferences()
    {
        // dx = ∂/∂x Σ dy·softmax(scale·x), checked against central differences of the brute-force softmax.
        var layout = MaskLayout;
        const double scale = 1.5;
        int count = layout.NnzBlocks * B * B;
        var random = new Random(13);
        var x = RandomValues(random, count, -2, 2);
        var dy = RandomValues(random, count);

        var g = new GraphBuilder();
        var xv = g.Input("x", DType.F64, layout.NnzBlocks, B, B);
        var dyv = g.Input("dy", DType.F64, layout.NnzBlocks, B, B);
        var yv = g.BlockSparseSoftmax(layout, xv, scale);
        var dx = RunSingle(g, g.Apply1(new BlockSparseSoftmaxGradOp(layout, scale), yv, dyv),
            ("x", F64(x, layout.NnzBlocks, B, B)), ("dy", F64(dy, layout.NnzBlocks, B, B)));

        double Objective(double[] v)
        {
            var p = MaskedDenseSoftmax(layout, v, 0, scale);
            var d = Densify(layout, dy);
            double sum = 0;
            for (int i = 0; i < p.Length; i++) sum += p[i] * d[i];
            return sum;
        }
        const double h = 1e-6;
        for (int e = 0; e < count; e++)
        {
            var plus = (double[])x.Clone();
            var minus = (double[])x.Clone();
            plus[e] += h;
            minus[e] -= h;
            double numeric = (Objective(plus) - Objective(minus)) / (2 * h);
            Assert.That(dx[e], Is.EqualTo(numeric).Within(1e-7), $"element {e}");
        }
    }

    /// <summary>The stored blocks of a dense Rows×Cols matrix, in block-CSR order (row-major over the mask).</summary>
    private static double[] StoredBlocksOf(BlockLayout layout, double[] dense)
    {
        var mask = layout.ToMask();
        var blocks = new List<double>();
        for (int p = 0; p < layout.BlockRows; p++)
            for (int q = 0; q < layout.BlockCols; q++)
                if (mask[p, q])
                    for (int i = 0; i < B; i++)
                        for (int j = 0; j < B; j++)
                            blocks.Add(dense[(p * B + i) * layout.Cols + q * B + j]);
        return blocks.ToArray();
    }

    /// <summary>Dense Rows×Cols softmax of scale·x over each row's stored elements (unstored entries are 0).</summary>
    private static double[] MaskedDenseSoftmax(BlockLayout layout, double[] blocks, int offset, double scale)
    {
        var x = Densify(layout, blocks, offset);
        var mask = layout.ToMask();
        var y = new double[x.Length];
        for (int r = 0; r < layout.Rows; r++)
        {
            var stored = Enumerable.Range(0, layout.Cols).Where(c => mask[r / B, c / B]).ToArray();
            if (stored.Length == 0) continue;
            double total = stored.Sum(c => Math.Exp(scale * x[r * layout.Cols + c]));
            foreach (int c in stored) y[r * layout.Cols + c] = Math.Exp(scale * x[r * layout.Cols + c]) / total;
        }
        return y;
    }
}
