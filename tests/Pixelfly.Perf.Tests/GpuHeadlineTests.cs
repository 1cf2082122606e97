using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Perf.Cases;
using Pixelfly.Tensors;

namespace Pixelfly.Perf.Tests;

// Issue 6's gpu-headline suite: the cases, shapes, layouts, dtypes and FLOP counts the goals are judged on.
public sealed class GpuHeadlineTests
{
    private static IReadOnlyList<PerfCase> Suite => PerfCatalog.Suite(PerfCatalog.GpuHeadline);

    private static BlockSparseMatMulOp SparseOp(PerfCase c) =>
        c.Program.Graph.Nodes.Select(n => n.Op).OfType<BlockSparseMatMulOp>().Single();

    [Test]
    public void TheSuiteHoldsForwardDxDwAtTwoSizesAndThreeBlockSizesAndADenseGemmPerDenseShape()
    {
        var sparse = Suite.Where(c => c.Kind != PerfCaseKind.DenseGemm).ToArray();
        Assert.That(sparse.Select(c => (c.Kind, c.BlockSize, SparseOp(c).Layout.Rows)), Is.EquivalentTo(
            from n in new[] { 4096, 8192 }
            from b in new int?[] { 16, 32, 64 }
            from k in new[] { PerfCaseKind.Forward, PerfCaseKind.InputGradient, PerfCaseKind.WeightGradient }
            select (k, b, n)));
        var gemms = Suite.Where(c => c.Kind == PerfCaseKind.DenseGemm).ToArray();
        Assert.That(gemms.Select(c => c.DenseShape), Is.EquivalentTo(sparse.Select(c => c.DenseShape).Distinct()),
            "one dense GEMM case for each dense shape the sparse cases are measured against");
        Assert.That(gemms, Has.Length.EqualTo(6));
        Assert.That(Suite, Has.Count.EqualTo(24));
    }

    [Test]
    public void EverySparseCaseIsTheFlatButterflyS32F3AtExactlyOneEighthWith8192Tokens()
    {
        foreach (var c in Suite.Where(c => c.Kind != PerfCaseKind.DenseGemm))
        {
            var l = SparseOp(c).Layout;
            int n = l.Rows, b = l.BlockSize;
            Assert.That(l.Cols, Is.EqualTo(n), c.Id);
            Assert.That(l, Is.EqualTo(BlockLayout.FlatBlockButterfly(n, n, b, 32, 3)), c.Id);
            Assert.That(l.Density, Is.EqualTo(0.125), c.Id + ": density exactly 1/8 at every b");
            Assert.That(l.NnzBlocks, Is.EqualTo((n / b) * (n / b) / 8), c.Id);
            Assert.That(c.Density, Is.EqualTo(0.125), c.Id);
            Assert.That(c.BlockSize, Is.EqualTo(b), c.Id);
            Assert.That(c.Program.Graph.Inputs.First().Type.Shape[0], Is.EqualTo(8192), c.Id + ": 8192 tokens");
        }
    }

    [Test]
    public void FlopCountsAreTwoTimesTokensTimesStoredElementsAndTheDenseProduct()
    {
        foreach (var c in Suite)
        {
            int n = c.DenseShape!.N;
            Assert.That(c.DenseFlops, Is.EqualTo(2.0 * 8192 * n * n), c.Id);
            Assert.That(c.DenseFlops, Is.EqualTo(c.DenseShape.Flops), c.Id);
            if (c.Kind == PerfCaseKind.DenseGemm)
            {
                Assert.That(c.UsefulFlops, Is.EqualTo(c.DenseFlops), c.Id);
                continue;
            }
            var l = SparseOp(c).Layout;
            Assert.That(c.UsefulFlops, Is.EqualTo(2.0 * 8192 * l.NnzBlocks * l.BlockSize * l.BlockSize), c.Id);
            Assert.That(c.UsefulFlops, Is.EqualTo(c.DenseFlops / 8), c.Id);
        }
    }

    [Test]
    public void EveryOperandAndResultIsBf16AndTheDenseCounterpartToo()
    {
        foreach (var c in Suite)
        {
            foreach (var program in new[] { c.Program, c.DenseProgram }.OfType<PerfProgram>())
            {
                var g = program.Graph;
                Assert.That(g.Bindable.Select(v => v.Type.DType), Is.All.EqualTo(DType.BF16), c.Id);
                Assert.That(g.Outputs.Select(o => g.Values[o.Value].Type.DType), Is.All.EqualTo(DType.BF16), c.Id);
            }
            // bf16 in HBM: 2 bytes per element read once and written once.
            Assert.That(c.Program.MinimalBytes, Is.EqualTo(
                c.Program.Graph.Bindable.Sum(v => 2.0 * v.Type.Shape.ElementCount) +
                c.Program.Graph.Outputs.Sum(o => 2.0 * c.Program.Graph.Values[o.Value].Type.Shape.ElementCount)), c.Id);
        }
    }

    [Test]
    public void IdsNameTheDtypeAndTheCpuSuitesKeepTheirIds()
    {
        Assert.That(Suite.Select(c => c.Id), Is.All.EndsWith("-bf16"));
        Assert.That(Suite.Select(c => c.Id), Does.Contain("linear-sparse/dw/8192x8192/t8192/b64-s32-f3-bf16").And.Contain("gemm/4096x4096x8192-ta-bf16"));
        Assert.That(PerfCatalog.Suite(PerfCatalog.CpuHeadline).Select(c => c.Id), Does.Contain("gemm/2048x2048x2048").And.Contain("linear-sparse/forward/2048x2048/t2048/b32-s32-f3"));
        Assert.That(PerfCatalog.Suite(PerfCatalog.CpuHeadline).SelectMany(c => c.Program.Graph.Bindable).Select(v => v.Type.DType), Is.All.EqualTo(DType.F32));
    }

    [Test]
    public void TheSuiteExportsAndReadsBackAsACaseFile()
    {
        // What scripts/gpu-check hands to scripts/gpu/torch_baselines.py: the layout travels inside each graph.
        var c = Suite.First(x => x.Id == "linear-sparse/forward/4096x4096/t8192/b64-s32-f3-bf16");
        var back = PerfCaseJson.Deserialize(PerfCaseJson.Serialize(c), "test");
        Assert.That(SparseOp(back).Layout, Is.EqualTo(SparseOp(c).Layout));
        Assert.That(back.DenseShape, Is.EqualTo(c.DenseShape));
        Assert.That(back.Program.Graph.Inputs.Single().Type.DType, Is.EqualTo(DType.BF16));
    }
}
