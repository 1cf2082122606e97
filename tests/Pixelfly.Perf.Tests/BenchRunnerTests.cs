using Pixelfly.Backends.Cpu;
using Pixelfly.Backends.Reference;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Perf.Baselines;
using Pixelfly.Perf.Cases;
using Pixelfly.Perf.Protocol;
using Pixelfly.Perf.Reports;
using Pixelfly.Tensors;

namespace Pixelfly.Perf.Tests;

/// <summary>Short real runs on the CPU and reference devices: the structure of what comes out, never the times.</summary>
public sealed class BenchRunnerTests
{
    private static readonly BenchSettings Quick = new(Trials: 2, MinTrialMs: 1, WarmupRuns: 1, WarmupMs: 0, PauseBetweenMs: 0);

    private static BenchRunner Runner(OpenBlas? blas = null, List<string>? log = null) =>
        new(Quick, blas, blas is null ? "not loaded in this test" : null, log is null ? null : log.Add)
        {
            PeakProbe = d => (d.Backend == "cpu" ? 100 : null, d.Backend == "cpu" ? 50 : null, "fixed by the test"),
        };

    private static PerfCase Smoke(PerfCaseKind kind) => PerfCatalog.Suite(PerfCatalog.Smoke).First(c => c.Kind == kind);

    [Test]
    public void EverySmokeCaseRunsOnTheCpuWithItsDenseBaselineAndMetrics()
    {
        using var cpu = new CpuDevice(DeviceOptions.None, threadCount: 2);
        var log = new List<string>();
        var cases = PerfCatalog.Suite(PerfCatalog.Smoke);
        var report = Runner(log: log).Run([cpu], cases, "suite smoke");

        Assert.That(report.Results.Select(r => r.Name), Is.EqualTo(cases.Select(c => c.Id)));
        foreach (var r in report.Results)
        {
            Assert.That(r.Status, Is.EqualTo(CaseReport.Ok), $"{r.Name}: {r.Reason}");
            Assert.That(r.SamplesMs, Has.Count.EqualTo(2), r.Name);
            Assert.That(r.MinMs, Is.LessThanOrEqualTo(r.MedianMs!.Value).And.GreaterThan(0), r.Name);
            Assert.That(r.MedianMs, Is.LessThanOrEqualTo(r.MaxMs!.Value), r.Name);
            Assert.That(r.CompileMs, Is.Not.Null, r.Name);
            Assert.That(r.UsefulGflops, Is.EqualTo(r.UsefulFlops / (r.MedianMs!.Value / 1000) / 1e9).Within(1e-9).Percent, r.Name);
            Assert.That(r.DenseEquivalentGflops, Is.EqualTo(r.DenseFlops / (r.MedianMs!.Value / 1000) / 1e9).Within(1e-9).Percent, r.Name);
            Assert.That(r.PercentOfPeak, Is.EqualTo(r.UsefulGflops / 100 * 100).Within(1e-9).Percent, r.Name);
            Assert.That(r.RatioToOpenBlas, Is.Null, "no OpenBLAS in this runner");
            bool isDense = r.Kind == "dense";
            Assert.That(r.RatioToDense is null, Is.EqualTo(isDense), r.Name);
            Assert.That(r.Baselines.Select(b => b.Name), Is.EqualTo(isDense ? Array.Empty<string>() : new[] { BaselineReport.Dense }), r.Name);
        }
        Assert.That(log, Has.Some.StartsWith("cpu: "));
        Assert.That(log, Has.Some.StartsWith($"[{cases.Count}/{cases.Count}] cpu "));
        Assert.That(report.Devices.Single().Threads, Is.EqualTo(2));
        Assert.That(report.OpenBlas.Available, Is.False);
        Assert.That(report.OpenBlas.Reason, Is.EqualTo("not loaded in this test"));

        // What the runner produced is a valid result file.
        Assert.DoesNotThrow(() => BenchReportJson.Deserialize(BenchReportJson.Serialize(report), "runner"));
    }

    [Test]
    public void OnTheCpuOpenBlasIsTimedWithEveryCaseThatHasADenseShape()
    {
        Assert.That(OpenBlas.TryLoad(out var blas, out var reason), Is.True,
            $"OpenBLAS is needed for this test: {reason} (scripts/test.sh installs libopenblas0 when it runs as root)");
        using var cpu = new CpuDevice(DeviceOptions.None, threadCount: 1);
        var cases = new[] { Smoke(PerfCaseKind.Forward), Smoke(PerfCaseKind.DenseGemm), Smoke(PerfCaseKind.TrainingStep) };
        var report = Runner(blas).Run([cpu], cases, "test");

        Assert.That(report.Results[0].Baselines.Select(b => b.Name), Is.EqualTo(new[] { BaselineReport.Dense, BaselineReport.OpenBlasSgemm }));
        Assert.That(report.Results[0].RatioToOpenBlas, Is.Not.Null);
        Assert.That(report.Results[1].Baselines.Select(b => b.Name), Is.EqualTo(new[] { BaselineReport.OpenBlasSgemm }));
        Assert.That(report.Results[2].Baselines.Select(b => b.Name), Is.EqualTo(new[] { BaselineReport.Dense }), "a training step has no GEMM shape");
        Assert.That(report.OpenBlas.Available, Is.True);
        Assert.That(report.OpenBlas.CoreName, Is.EqualTo(blas!.CoreName));
        Assert.That(report.OpenBlas.Threads, Is.EqualTo(1), "OpenBLAS runs on the device's thread count");
        Assert.That(report.OpenBlas.Environment.Keys, Is.EquivalentTo(BenchRunner.OpenBlasVariables));
    }

    [Test]
    public void TheReferenceDeviceSkipsCasesAboveItsFlopCapAndSaysWhy()
    {
        using var reference = new ReferenceBackend().Open(new ReferenceBackend().EnumerateDevices()[0], DeviceOptions.None);
        var headline = PerfCatalog.Suite(PerfCatalog.CpuHeadline).First();
        var report = Runner().Run([reference], [headline, Smoke(PerfCaseKind.InputGradient)], "test");

        Assert.That(report.Results[0].Status, Is.EqualTo(CaseReport.Skipped));
        Assert.That(report.Results[0].Reason, Does.Contain("float64 interpreter").And.Contain("--suite smoke"));
        Assert.That(report.Results[0].MedianMs, Is.Null);
        Assert.That(report.Results[1].Status, Is.EqualTo(CaseReport.Ok));
        Assert.That(report.Devices[0].PeakGflops, Is.Null);
    }

    [Test]
    public void AnOpTheDeviceDoesNotSupportIsASkippedCaseWithTheReason()
    {
        // The CPU device computes in f32; an f64 matmul is the reference's alone.
        var b = new GraphBuilder();
        b.Output("c", b.MatMul(b.Input("a", DType.F64, 8, 8), b.Input("b", DType.F64, 8, 8)));
        var program = new PerfProgram(b.Build(), [Conformance.InputSpec.Uniform("a", -1, 1, 1), Conformance.InputSpec.Uniform("b", -1, 1, 2)]);
        var c = new PerfCase("test/f64", ["test"], PerfCaseKind.DenseGemm, "f64 matmul", program, null, null, 1024, 1024);
        using var cpu = new CpuDevice();
        var r = Runner().Run([cpu], [c], "test").Results.Single();
        Assert.That(r.Status, Is.EqualTo(CaseReport.Skipped));
        Assert.That(r.Reason, Does.StartWith("unsupported on cpu:"));
    }

    [Test]
    public void ThePeakIsMeasuredOnlyForTheCpu()
    {
        var refReport = new DeviceReport("ref", "ref", "r", "d", 0, new Dictionary<string, string>(), null, null, null, "");
        var (peak, one, note) = BenchRunner.MeasurePeak(refReport);
        Assert.That(one, Is.Null);
        Assert.That(peak, Is.Null);
        Assert.That(note, Does.Contain("float64 interpreter"));
        var other = refReport with { Id = "vulkan:0", Backend = "vulkan" };
        Assert.That(BenchRunner.MeasurePeak(other).Note, Does.Contain("no peak measurement for backend 'vulkan'"));
    }

    [Test]
    public void APeakThatDidNotScaleOverTheThreadsWarnsThatTheMachineWasBusy()
    {
        var idle = new DeviceReport("cpu", "cpu", "c", "d", 0, new Dictionary<string, string>(), 2, 380, 200, "");
        Assert.That(idle.PeakScaling, Is.EqualTo(0.95).Within(1e-12));
        Assert.That(idle.BusyWarning(), Is.Null);
        var busy = idle with { PeakGflops = 210 };
        Assert.That(busy.BusyWarning(), Does.Contain("only 53% of 2 x").And.Contain("other work was using the cores"));
        Assert.That(busy with { PeakOneThreadGflops = null }, Has.Property(nameof(DeviceReport.PeakScaling)).Null);
    }

    [Test]
    public void ThePeakLoopRejectsAVectorWidthItHasNoLoopFor()
    {
        Assert.Throws<ArgumentException>(() => Peak.FmaPeak.MeasureGflops(1, 128));
        Assert.Throws<ArgumentOutOfRangeException>(() => Peak.FmaPeak.MeasureGflops(0, 256));
    }
}
