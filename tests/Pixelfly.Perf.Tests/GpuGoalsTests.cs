using Pixelfly.Perf.Baselines;
using Pixelfly.Perf.Reports;
using static Pixelfly.Perf.Tests.ExternalBaselinesTests;

namespace Pixelfly.Perf.Tests;

// Issue 6's goals table: ratios to cuBLAS and torch BSR, % per nonzero, and the must / target verdicts.
public sealed class GpuGoalsTests
{
    private static BenchReport Report(params CaseReport[] cases) => TestReports.Report([TestReports.Device("cuda:0")], cases);

    private static CaseReport Sparse(string id, int block, double ms) => TestReports.Case(id, ms, "cuda:0", 0.125, block);

    private static CaseReport Dense(string id, double ms) => TestReports.Case(id, ms, "cuda:0", null, null, "dense");

    private static ExternalBaselines Baselines(params string[] entries) => ExternalBaselines.Parse(File(entries), "torch.json");

    [TestCase(64, 50.0, 70.0)]
    [TestCase(32, 35.0, 50.0)]
    [TestCase(16, 12.5, 25.0)]
    public void SparseThresholdsAreTheIssuesPerNonzeroPercentages(int block, double must, double target)
    {
        foreach (var kind in new[] { "forward", "dx", "dw" })
            Assert.That(GpuGoals.Thresholds(kind, block, 0.125), Is.EqualTo((must, target)), kind);
        Assert.That(GpuGoals.Thresholds("dense", null, null), Is.EqualTo((70.0, 90.0)));
        Assert.That(GpuGoals.Thresholds("train", 32, 0.125), Is.Null);
        Assert.That(GpuGoals.Thresholds("forward", 16, 0.375), Is.EqualTo((37.5, 37.5)), "never a target below the must");
    }

    [Test]
    public void PercentPerNonzeroIsCublasTimeTimesDensityOverOurs()
    {
        // cuBLAS 8 ms dense; at density 1/8 a perfect kernel takes 1 ms. Ours 2 ms: ratio 0.25, 50% per nonzero.
        var row = GpuGoals.Rows(Report(Sparse("s", 64, 2)), Baselines(Ok("s", "cublas", 8), Ok("s", "torch-bsr", 5))).Single();
        Assert.That(row.Ratio, Is.EqualTo(0.25).Within(1e-12));
        Assert.That(row.PercentOfCublas, Is.EqualTo(50).Within(1e-9));
        Assert.That(row.SpeedupOverBsr, Is.EqualTo(2.5).Within(1e-12));
        Assert.That(row.Verdict, Is.EqualTo(GpuGoals.Must), "50% meets b=64's must, not its 70% target");
    }

    [Test]
    public void VerdictsFollowMustTargetAndTheTorchBsrConditions()
    {
        var report = Report(Sparse("fast", 32, 1.5), Sparse("slow", 32, 4), Sparse("bsr-wins", 32, 1.5), Sparse("b16", 16, 7.9), Dense("gemm", 10));
        var baselines = Baselines(
            Ok("fast", "cublas", 8), Ok("fast", "torch-bsr", 4),          // 66.7% >= 50, 2.67x BSR: target
            Ok("slow", "cublas", 8), Ok("slow", "torch-bsr", 20),          // 25% < 35: miss
            Ok("bsr-wins", "cublas", 8), Ok("bsr-wins", "torch-bsr", 1.4), // fast enough, but slower than BSR: miss
            Ok("b16", "cublas", 8), NotOk("b16", "torch-bsr", "skipped", "no kernel"), // faster than dense, 12.7% < 25: must
            Ok("gemm", "cublas", 8));                                       // 80% of cuBLAS: must
        var rows = GpuGoals.Rows(report, baselines).ToDictionary(r => r.Case);
        Assert.That(rows["fast"].Verdict, Is.EqualTo(GpuGoals.Target));
        Assert.That(rows["slow"].Verdict, Is.EqualTo(GpuGoals.Miss));
        Assert.That(rows["slow"].Note, Does.Contain("below the must of 35% of cuBLAS"));
        Assert.That(rows["bsr-wins"].Verdict, Is.EqualTo(GpuGoals.Miss));
        Assert.That(rows["bsr-wins"].Note, Does.Contain("not faster than torch BSR"));
        Assert.That(rows["b16"].Verdict, Is.EqualTo(GpuGoals.Must));
        Assert.That(rows["b16"].Note, Does.Contain("torch BSR skipped: no kernel"));
        Assert.That(rows["gemm"].PercentOfCublas, Is.EqualTo(80).Within(1e-9));
        Assert.That(rows["gemm"].Verdict, Is.EqualTo(GpuGoals.Must));
        Assert.That(rows["gemm"].SpeedupOverBsr, Is.Null);
    }

    [Test]
    public void WithoutTorchOrWithoutOurTimeTheVerdictIsNotAvailableAndSaysWhy()
    {
        var report = Report(Sparse("s", 64, 2), TestReports.ConformanceFailed("wrong", "cuda:0"));
        var none = GpuGoals.Rows(report, ExternalBaselines.Parse(
            """{"format": "pixelfly.external-baselines", "version": 1, "available": false, "reason": "PyTorch is not installed here", "results": []}""", "t"));
        Assert.That(none.Select(r => r.Verdict), Is.All.EqualTo(GpuGoals.Unknown));
        Assert.That(none[0].Note, Does.Contain("baselines unavailable: PyTorch is not installed here"));
        Assert.That(none[1].Note, Does.StartWith("ours conformance-failed"));
        Assert.That(GpuGoals.Rows(report, null)[0].Note, Does.Contain("no external baselines"));
    }

    [Test]
    public void TheMarkdownTableHasARowPerGoalCaseAndEndsWithTheCounts()
    {
        var report = Report(Sparse("s64", 64, 1.2), Dense("gemm", 10), TestReports.Case("layer", 3, "cuda:0", kind: "layer"));
        string md = GpuGoals.ToMarkdown(report, Baselines(Ok("s64", "cublas", 8), Ok("s64", "torch-bsr", 6), Ok("gemm", "cublas", 9.5)));
        var lines = md.TrimEnd().Split('\n');
        Assert.That(lines[0], Does.StartWith("Goals (issue 6): `cuda:0`"));
        Assert.That(lines, Has.Some.StartsWith("| s64 | 1.2 | 8 | 0.15 | 83.3 | 50 / 70 | 6 | 5x | TARGET |"));
        Assert.That(lines, Has.Some.StartsWith("| gemm | 10 | 9.5 | 1.053 | 95 | 70 / 90 | - | - | TARGET |"));
        Assert.That(md, Does.Not.Contain("| layer |"), "the issue sets no goal for a whole layer");
        Assert.That(lines[^1], Is.EqualTo("goals: 2 TARGET, 0 MUST, 0 MISS, 0 n/a of 2 case(s)"));
    }

    [Test]
    public void AnUnknownDeviceIsNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => GpuGoals.Rows(Report(Sparse("s", 64, 1)), null, "cuda:1"));
        Assert.That(e!.Message, Does.Contain("device 'cuda:1' is not in the bench report (devices: cuda:0)"));
    }
}
