using Pixelfly.Ir.Ops;
using Pixelfly.Perf.Cases;

namespace Pixelfly.Perf.Tests;

public sealed class PerfCatalogTests
{
    private static BlockSparseMatMulOp SparseOp(PerfCase c) =>
        c.Program.Graph.Nodes.Select(n => n.Op).OfType<BlockSparseMatMulOp>().Single();

    [Test]
    public void CpuHeadlineHoldsExactlyTheNineSparseCasesOfIssue3AndTheDenseGemm()
    {
        var cases = PerfCatalog.Suite(PerfCatalog.CpuHeadline);

        Assert.That(cases, Has.Count.EqualTo(10));
        var sparse = cases.Where(c => c.Kind != PerfCaseKind.DenseGemm).ToArray();
        Assert.That(sparse.Select(c => (c.Kind, c.BlockSize)), Is.EquivalentTo(
            from b in new int?[] { 16, 32, 64 }
            from k in new[] { PerfCaseKind.Forward, PerfCaseKind.InputGradient, PerfCaseKind.WeightGradient }
            select (k, b)));
        var gemm = cases.Single(c => c.Kind == PerfCaseKind.DenseGemm);
        Assert.That(gemm.DenseShape, Is.EqualTo(new GemmShape(2048, 2048, 2048)));
        Assert.That(gemm.Program.Graph.Nodes.Single().Op, Is.InstanceOf<MatMulOp>());
        Assert.That(gemm.DenseProgram, Is.Null, "the dense GEMM is the device's own dense reference");
    }

    [Test]
    public void CpuHeadlineSparseCasesUseTheFlatButterflyAtDensityOneEighthWithBatch2048()
    {
        foreach (var c in PerfCatalog.Suite(PerfCatalog.CpuHeadline).Where(c => c.Kind != PerfCaseKind.DenseGemm))
        {
            var op = SparseOp(c);
            var l = op.Layout;
            Assert.That((l.Rows, l.Cols, l.BlockSize), Is.EqualTo((2048, 2048, c.BlockSize!.Value)), c.Id);
            Assert.That(l.Density, Is.EqualTo(0.125), c.Id);
            Assert.That(l, Is.EqualTo(Layouts.BlockLayout.FlatBlockButterfly(2048, 2048, l.BlockSize, 32, 3)), c.Id);
            Assert.That(c.Program.Graph.Inputs.First().Type.Shape[0], Is.EqualTo(2048), c.Id + ": batch of 2048 tokens");
            Assert.That(c.UsefulFlops, Is.EqualTo(2.0 * 2048 * l.NnzBlocks * l.BlockSize * l.BlockSize), c.Id);
            Assert.That(c.UsefulFlops, Is.EqualTo(c.DenseFlops / 8), c.Id);
            Assert.That(c.DenseFlops, Is.EqualTo(2.0 * 2048 * 2048 * 2048), c.Id);
        }
    }

    [TestCase(PerfCaseKind.Forward, "Dds", false, true)]
    [TestCase(PerfCaseKind.InputGradient, "Dds", false, false)]
    [TestCase(PerfCaseKind.WeightGradient, "Sdd", true, false)]
    public void EachSparseKindIsTheMatmulTheLayerNeedsAndItsDenseShapeHasTheSameTransposes(PerfCaseKind kind, string mode, bool transA, bool transB)
    {
        foreach (var c in PerfCatalog.All.Where(c => c.Kind == kind))
        {
            var op = SparseOp(c);
            Assert.That((op.Mode.ToString(), op.TransA, op.TransB), Is.EqualTo((mode, transA, transB)), c.Id);
            Assert.That((c.DenseShape!.TransA, c.DenseShape.TransB), Is.EqualTo((transA, transB)), c.Id);
            var denseOp = (MatMulOp)c.DenseProgram!.Graph.Nodes.Single().Op;
            Assert.That((denseOp.TransA, denseOp.TransB), Is.EqualTo((transA, transB)), c.Id);
            Assert.That(c.DenseFlops, Is.EqualTo(c.DenseShape.Flops), c.Id);
        }
    }

    [Test]
    public void EveryBuiltInCaseIsValidUniqueAndInAKnownSuite()
    {
        var known = PerfCatalog.Suites.Select(s => s.Name).ToHashSet();
        Assert.That(PerfCatalog.All.Select(c => c.Id), Is.Unique);
        foreach (var c in PerfCatalog.All)
        {
            Assert.DoesNotThrow(c.Validate, c.Id);
            Assert.That(c.Suites, Is.SubsetOf(known), c.Id);
            Assert.DoesNotThrow(() => c.ToConformanceCase().Validate(), c.Id);
        }
    }

    [Test]
    public void TheLayersSuiteSweepsDensityAndHasALayerAndATrainingStep()
    {
        var layers = PerfCatalog.Suite(PerfCatalog.Layers);
        var b32Forward = layers.Where(c => c.Kind == PerfCaseKind.Forward && c.BlockSize == 32).Select(c => c.Density).Distinct();
        Assert.That(b32Forward.Count(), Is.GreaterThanOrEqualTo(3));
        Assert.That(layers.Select(c => c.BlockSize).Distinct(), Is.SupersetOf(new int?[] { 16, 32, 64 }));
        Assert.That(layers.Any(c => c.Kind == PerfCaseKind.Layer), Is.True);
        var train = layers.Single(c => c.Kind == PerfCaseKind.TrainingStep);
        Assert.That(train.DenseShape, Is.Null, "a training step has no single-GEMM equivalent for OpenBLAS");
        Assert.That(train.DenseProgram!.Graph.Outputs.Select(o => o.Name), Does.Contain("loss"));
        Assert.That(train.Program.Graph.Outputs.Count(o => o.Donates is not null), Is.GreaterThan(0), "the step updates its parameters in place");
    }

    [Test]
    public void AnUnknownSuiteNamesTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => PerfCatalog.Suite("cpu-headlines"));
        Assert.That(e!.Message, Does.Contain("unknown suite 'cpu-headlines'").And.Contain(PerfCatalog.CpuHeadline).And.Contain(PerfCatalog.Smoke));
    }

    [Test]
    public void SelectMatchesIdsAndGlobsAndRejectsAnUnknownIdWithSimilarOnes()
    {
        var all = PerfCatalog.All;
        Assert.That(PerfCatalog.Select(all, "gemm/2048x2048x2048", "x").Single().Id, Is.EqualTo("gemm/2048x2048x2048"));
        Assert.That(PerfCatalog.Select(all, "linear-sparse/forward/2048x2048/*", "x"), Has.Count.EqualTo(3));
        Assert.That(PerfCatalog.Select(all, "*/dw/2048x2048/*,gemm/2048*", "x"), Has.Count.EqualTo(4));

        var e = Assert.Throws<ArgumentException>(() => PerfCatalog.Select(all, "linear-sparse/forward/2048x2048/t2048/b33-s32-f3", "the catalog"));
        Assert.That(e!.Message, Does.Contain("no perf case 'linear-sparse/forward/2048x2048/t2048/b33-s32-f3' in the catalog")
            .And.Contain("similar ids: linear-sparse/forward/2048x2048/t2048/b"));
    }

    [Test]
    public void ACaseWithoutADenseProgramMustBeTheDenseGemm()
    {
        var c = PerfCatalog.Suite(PerfCatalog.Smoke).First(c => c.Kind == PerfCaseKind.Forward) with { DenseProgram = null };
        var e = Assert.Throws<ArgumentException>(c.Validate);
        Assert.That(e!.Message, Does.Contain("only a dense GEMM case may have no dense program"));
    }
}
