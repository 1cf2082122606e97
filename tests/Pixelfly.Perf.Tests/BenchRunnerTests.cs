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
            BandwidthProbe = d => (d.Backend == "cpu" ? 20 : null, "fixed by the test"),
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
            Assert.That(r.GbPerSecond, Is.EqualTo(r.MinimalBytes / (r.MedianMs!.Value / 1000) / 1e9).Within(1e-9).Percent, r.Name);
            Assert.That(r.PercentOfBandwidth, Is.EqualTo(r.GbPerSecond / 20 * 100).Within(1e-9).Percent, r.Name);
            Assert.That(r.Clock, Is.EqualTo("host"), "the CPU has no device clock");
            Assert.That(r.HostSamplesMs, Is.EqualTo(r.SamplesMs), r.Name);
            Assert.That(r.DeviceSamplesMs, Is.Null, r.Name);
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
    public void MinimalTrafficCountsEveryInputReadOnceAndEveryOutputWrittenOnce()
    {
        var forward = Smoke(PerfCaseKind.Forward);
        var layout = Layouts.BlockLayout.FlatBlockButterfly(128, 128, 16, 8, 2);
        double x = 64 * 128, w = layout.NnzBlocks * 16 * 16, y = 64 * 128;
        Assert.That(forward.Program.MinimalBytes, Is.EqualTo(4 * (x + w + y)));

        // A training step's donated outputs (updated weights) are written as well as read.
        var step = Smoke(PerfCaseKind.TrainingStep).Program;
        double read = step.Graph.Bindable.Sum(v => (double)v.Type.ByteCount);
        double written = step.Graph.Outputs.Sum(o => (double)step.Graph.Values[o.Value].Type.ByteCount);
        Assert.That(step.Graph.Outputs.Count(o => o.Donates is not null), Is.GreaterThan(0));
        Assert.That(step.MinimalBytes, Is.EqualTo(read + written));
    }

    [Test]
    public void ADeviceWithItsOwnClockIsTimedOnItAndTheHostWallTimeIsKeptNextToIt()
    {
        using var clocked = new ClockedDevice(new CpuDevice(DeviceOptions.None, threadCount: 1), deviceMs: 0.25);
        var forward = Smoke(PerfCaseKind.Forward);
        var r = Runner().Run([clocked], [forward], "test").Results.Single();

        Assert.That(r.Status, Is.EqualTo(CaseReport.Ok), r.Reason);
        Assert.That(r.Clock, Is.EqualTo("device"));
        Assert.That(r.DeviceSamplesMs, Has.Count.EqualTo(2).And.All.EqualTo(0.25));
        Assert.That(r.SamplesMs, Is.EqualTo(r.DeviceSamplesMs));
        Assert.That(r.MedianMs, Is.EqualTo(0.25));
        Assert.That(r.HostSamplesMs, Has.Count.EqualTo(2).And.All.GreaterThan(0));
        Assert.That(r.UsefulGflops, Is.EqualTo(forward.UsefulFlops / 0.25e-3 / 1e9).Within(1e-9).Percent);
        var dense = r.Baselines.Single(b => b.Name == BaselineReport.Dense);
        Assert.That(dense.Clock, Is.EqualTo("device"), "the dense counterpart runs on the same device");
        Assert.That(r.RatioToDense!.Median, Is.EqualTo(1.0), "both on the device clock: 0.25 / 0.25");

        var report = Runner().Run([clocked], [forward], "test");
        Assert.That(MarkdownReport.Write(report), Does.Contain("- clock (`clocked`): the device's own timestamps for every case"));
        Assert.DoesNotThrow(() => BenchReportJson.Deserialize(BenchReportJson.Serialize(report), "clocked"));
    }

    [Test]
    public void ADeviceClockThatGivesNoReadingLeavesTheCaseOnTheHostClock()
    {
        using var clocked = new ClockedDevice(new CpuDevice(DeviceOptions.None, threadCount: 1), deviceMs: null);
        var r = Runner().Run([clocked], [Smoke(PerfCaseKind.DenseGemm)], "test").Results.Single();
        Assert.That(r.Status, Is.EqualTo(CaseReport.Ok), r.Reason);
        Assert.That(r.Clock, Is.EqualTo("host"));
        Assert.That(r.DeviceSamplesMs, Is.Null);
    }

    [Test]
    public void TwoDevicesGiveOneSideBySideTableWithEachDevicesRatioToTheFirst()
    {
        using var cpu = new CpuDevice(DeviceOptions.None, threadCount: 1);
        using var reference = new ReferenceBackend().Open(new ReferenceBackend().EnumerateDevices()[0], DeviceOptions.None);
        var cases = new[] { Smoke(PerfCaseKind.Forward), Smoke(PerfCaseKind.DenseGemm) };
        var report = Runner().Run([cpu, reference], cases, "suite smoke");
        string md = MarkdownReport.Write(report);

        var headers = md.Split('\n').Where(l => l.StartsWith("| case |", StringComparison.Ordinal)).ToArray();
        Assert.That(headers, Has.Length.EqualTo(1), "one side-by-side table");
        Assert.That(headers[0], Is.EqualTo("| case | `cpu` ms [min–max] | `ref` ms [min–max] | `cpu` / its dense | `ref` / its dense | `ref` / `cpu` |"));
        foreach (var c in cases)
        {
            var row = md.Split('\n').First(l => l.StartsWith($"| `{c.Id}` | ", StringComparison.Ordinal));
            double ratio = report.Results.Single(r => r.Device == "ref" && r.Name == c.Id).MedianMs!.Value
                / report.Results.Single(r => r.Device == "cpu" && r.Name == c.Id).MedianMs!.Value;
            Assert.That(row, Does.EndWith($"| {ratio.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} |"), c.Id);
        }
        // The plot has the devices as series: it renders one image for both.
        Assert.That(BenchPlot.Render(report).Take(4), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47 }));
    }

    [Test]
    public void TheBandwidthIsMeasuredOnlyForTheCpuAndTheProbeRejectsBadSizes()
    {
        var refReport = new DeviceReport("ref", "ref", "r", "d", 0, new Dictionary<string, string>(), null, null, null, "");
        Assert.That(BenchRunner.MeasureBandwidth(refReport).GbPerSecond, Is.Null);
        Assert.That(BenchRunner.MeasureBandwidth(refReport with { Backend = "vulkan" }).Note, Does.Contain("no bandwidth measurement for backend 'vulkan'"));
        Assert.That(Peak.ReadBandwidth.MeasureGbPerSecond(1, 1 << 20, passes: 1), Is.GreaterThan(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Peak.ReadBandwidth.MeasureGbPerSecond(0));
        Assert.Throws<ArgumentException>(() => Peak.ReadBandwidth.MeasureGbPerSecond(1, 16));
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
