using Pixelfly.Backends.Cpu;
using Pixelfly.Backends.Reference;
using Pixelfly.Conformance;
using Pixelfly.Devices;
using Pixelfly.Perf.Cases;
using Pixelfly.Perf.Guard;
using Pixelfly.Perf.Protocol;
using Pixelfly.Perf.Reports;

namespace Pixelfly.Perf.Tests;

/// <summary>"No perf numbers for a case that failed conformance": the guard on correct, wrong and NaN-writing devices.</summary>
public sealed class ConformanceGuardTests
{
    private static readonly BenchSettings Quick = new(Trials: 2, MinTrialMs: 1, WarmupRuns: 1, WarmupMs: 0, PauseBetweenMs: 0);

    private IDevice _reference = null!;

    [SetUp]
    public void OpenReference() => _reference = new ReferenceBackend().Open(new ReferenceBackend().EnumerateDevices()[0], DeviceOptions.None);

    [TearDown]
    public void CloseReference() => _reference.Dispose();

    private ConformanceGuard Guard(List<string>? log = null, IReadOnlyList<ConformanceCase>? corpus = null) =>
        new(_reference, corpus ?? Corpus.LoadDefault(), log is null ? null : log.Add);

    private static BenchRunner Runner(ConformanceGuard? guard) =>
        new(Quick, null, "not loaded in this test")
        {
            PeakProbe = _ => (100, 50, "fixed by the test"),
            BandwidthProbe = _ => (10, "fixed by the test"),
            Guard = guard,
        };

    private static PerfCase Smoke(PerfCaseKind kind) => PerfCatalog.Suite(PerfCatalog.Smoke).First(c => c.Kind == kind);

    private static PerfCase Headline(PerfCaseKind kind, int b) =>
        PerfCatalog.Suite(PerfCatalog.CpuHeadline).First(c => c.Kind == kind && c.BlockSize == b);

    [Test]
    public void ASignatureNamesTheOpItsSparseModeTransposesBlockSizeAndDtypesButNoSizes()
    {
        var forward = Headline(PerfCaseKind.Forward, 32);
        Assert.That(OpSignature.AllOf(forward.Program.Graph).Select(s => s.Text), Is.EqualTo(new[] { "block_sparse_matmul dds tB b32 f32,f32" }));
        Assert.That(OpSignature.AllOf(forward.DenseProgram!.Graph).Select(s => s.Text), Is.EqualTo(new[] { "matmul tB f32,f32" }));
        Assert.That(OpSignature.AllOf(Headline(PerfCaseKind.WeightGradient, 64).Program.Graph).Single().Text, Is.EqualTo("block_sparse_matmul sdd tA b64 f32,f32"));
        Assert.That(OpSignature.AllOf(Headline(PerfCaseKind.InputGradient, 16).Program.Graph).Single().Text, Is.EqualTo("block_sparse_matmul dds b16 f32,f32"));
        // The 2048² headline case and the 128² smoke case of the same kind and block size share their signature.
        var smallForward = PerfGraphs.SparseForward("t", 8, Layouts.BlockLayout.FlatBlockButterfly(128, 128, 32, 4, 2));
        Assert.That(OpSignature.AllOf(smallForward.Graph), Is.EqualTo(OpSignature.AllOf(forward.Program.Graph)));
    }

    [Test]
    public void TheCorpusCasesThatVouchForACaseRunItsSignaturesAndThoseOfItsDenseCounterpart()
    {
        var covering = Guard().CoveringCases(Headline(PerfCaseKind.Forward, 32));
        Assert.That(covering.Select(c => c.Signature.Text), Is.EqualTo(new[] { "block_sparse_matmul dds tB b32 f32,f32", "matmul tB f32,f32" }));
        Assert.That(covering[0].Cases.Select(c => c.Id), Does.Contain("bsmm/dds/b32/butterfly/ta0-tb1"));
        Assert.That(covering[1].Cases.Select(c => c.Id), Does.Contain("matmul/f32/ta0-tb1"));
        foreach (var (signature, cases) in covering)
        {
            Assert.That(cases, Has.Count.InRange(1, ConformanceGuard.CasesPerSignature), signature.Text);
            foreach (var c in cases)
                Assert.That(OpSignature.AllOf(c.Graph), Does.Contain(signature), $"{c.Id} runs {signature}");
        }
    }

    [Test]
    public void ACorrectDeviceIsTimedAndItsResultSaysWhatVouchedForIt()
    {
        using var cpu = new CpuDevice(DeviceOptions.None, threadCount: 1);
        var forward = Smoke(PerfCaseKind.Forward);
        var r = Runner(Guard()).Run([cpu], [forward], "test").Results.Single();

        Assert.That(r.Status, Is.EqualTo(CaseReport.Ok), r.Reason);
        Assert.That(r.Conformance!.Status, Is.EqualTo(ConformanceCheck.PassedStatus));
        Assert.That(r.Conformance.CorpusCases, Does.Contain("bsmm/dds/b16/butterfly/ta0-tb1").And.Contain(forward.Id + " (itself)"));
        Assert.That(r.Conformance.Failures, Is.Empty);
        Assert.That(r.Conformance.Uncovered, Is.Empty);
    }

    [Test]
    public void ADeviceThatComputesWrongResultsIsNeverTimedAndTheResultNamesTheCasesItFailed()
    {
        using var broken = new BrokenDevice(new CpuDevice(DeviceOptions.None, threadCount: 1), Damage.OffByOne);
        var report = Runner(Guard()).Run([broken], [Smoke(PerfCaseKind.Forward), Smoke(PerfCaseKind.DenseGemm)], "test");

        foreach (var r in report.Results)
        {
            Assert.That(r.Status, Is.EqualTo(CaseReport.ConformanceFailed), r.Name);
            Assert.That(r.MedianMs, Is.Null, r.Name);
            Assert.That(r.SamplesMs, Is.Null, r.Name);
            Assert.That(r.UsefulGflops, Is.Null, r.Name);
            Assert.That(r.GbPerSecond, Is.Null, r.Name);
            Assert.That(r.Baselines, Is.Empty, r.Name);
            Assert.That(r.Conformance!.Failed, Is.True, r.Name);
        }
        Assert.That(report.Results[0].Reason, Does.StartWith("conformance-failed: bsmm/dds/b16/"));
        Assert.That(report.Results[0].Conformance!.Failures, Has.Some.Contains("(FAIL)"));
        Assert.That(report.Results[1].Reason, Does.StartWith("conformance-failed: matmul/"));

        // The table, the JSON and the plot carry no number for them.
        string md = MarkdownReport.Write(report);
        Assert.That(md, Does.Contain($"| `{report.Results[0].Name}` | 16 | 0.375 | conformance-failed: bsmm/dds/b16/"));
        Assert.That(md, Does.Contain("- conformance guard (`broken`): 0 case(s) passed, 2 failed and were not timed"));
        var again = BenchReportJson.Deserialize(BenchReportJson.Serialize(report), "test");
        Assert.That(again.Results.Select(r => r.Status), Is.All.EqualTo(CaseReport.ConformanceFailed));
        Assert.That(() => BenchPlot.Render(report), Throws.ArgumentException.With.Message.Contains("nothing to plot"));
    }

    [Test]
    public void NaNInTheCasesOwnOutputsAfterWarmUpStopsItBeforeAnyTrial()
    {
        var forward = Smoke(PerfCaseKind.Forward);
        // Correct on every corpus case, NaN on the perf program only (as a kernel that breaks at large sizes would be).
        using var broken = new BrokenDevice(new CpuDevice(DeviceOptions.None, threadCount: 1), Damage.NaN, g => ReferenceEquals(g, forward.Program.Graph));
        var guard = new ConformanceGuard(_reference, Corpus.LoadDefault()) { SelfCheckMaxDenseFlops = 0 };
        var r = Runner(guard).Run([broken], [forward], "test").Results.Single();

        Assert.That(r.Status, Is.EqualTo(CaseReport.ConformanceFailed));
        Assert.That(r.MedianMs, Is.Null);
        Assert.That(r.Conformance!.CorpusCases, Does.Contain("bsmm/dds/b16/butterfly/ta0-tb1"), "the corpus cases passed");
        Assert.That(r.Conformance.Failures.Single(), Does.Contain("(own outputs after warm-up): output 'y'").And.Contain("element 0 is NaN"));
        Assert.That(r.Reason, Does.StartWith($"conformance-failed: {forward.Id}"));
    }

    [Test]
    public void CorpusCasesRunOncePerDeviceAndAreSharedBetweenCases()
    {
        var log = new List<string>();
        var guard = Guard(log);
        using var cpu = new CpuDevice(DeviceOptions.None, threadCount: 1);
        var forward = Headline(PerfCaseKind.Forward, 64);

        Assert.That(guard.Check(cpu, forward).Status, Is.EqualTo(ConformanceCheck.PassedStatus));
        Assert.That(log, Has.Count.EqualTo(1).And.Some.Contains($"conformance guard for {forward.Id}"));
        Assert.That(guard.Check(cpu, forward).CorpusCases, Is.Not.Empty);
        Assert.That(log, Has.Count.EqualTo(1), "nothing ran again for the same signatures");

        using var another = new CpuDevice(DeviceOptions.None, threadCount: 1);
        guard.Check(another, forward);
        Assert.That(log, Has.Count.EqualTo(2), "another device is checked on its own");
    }

    [Test]
    public void TheReferenceIsNotCheckedAgainstItself()
    {
        var check = Guard().Check(_reference, Smoke(PerfCaseKind.Forward));
        Assert.That(check.Status, Is.EqualTo(ConformanceCheck.NotCheckedStatus));
        Assert.That(check.Note, Does.Contain("is the reference"));
    }

    [Test]
    public void ASignatureNoCorpusCaseCoversIsReportedButIsNoFailure()
    {
        // A corpus of dense matmuls only: nothing in it runs a block-sparse matmul.
        var denseOnly = Corpus.LoadDefault().Where(c => c.Id.StartsWith("matmul/", StringComparison.Ordinal)).ToArray();
        using var cpu = new CpuDevice(DeviceOptions.None, threadCount: 1);
        var check = Guard(corpus: denseOnly).Check(cpu, Headline(PerfCaseKind.Forward, 16));

        Assert.That(check.Status, Is.EqualTo(ConformanceCheck.PassedStatus));
        Assert.That(check.Uncovered, Is.EqualTo(new[] { "block_sparse_matmul dds tB b16 f32,f32" }));
        Assert.That(check.Note, Does.Contain("no corpus case covers block_sparse_matmul dds tB b16 f32,f32"));
        Assert.That(check.CorpusCases, Has.All.StartsWith("matmul/"));
    }

    [Test]
    public void WithoutAGuardEveryResultSaysItWasNotChecked()
    {
        using var cpu = new CpuDevice(DeviceOptions.None, threadCount: 1);
        var r = Runner(null).Run([cpu], [Smoke(PerfCaseKind.DenseGemm)], "test").Results.Single();
        Assert.That(r.Status, Is.EqualTo(CaseReport.Ok));
        Assert.That(r.Conformance!.Status, Is.EqualTo(ConformanceCheck.NotCheckedStatus));
        Assert.That(MarkdownReport.Write(Runner(null).Run([cpu], [Smoke(PerfCaseKind.DenseGemm)], "test")), Does.Contain("conformance guard (`cpu`): not checked"));
    }
}
