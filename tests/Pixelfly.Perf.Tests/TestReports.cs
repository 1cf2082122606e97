using Pixelfly.Perf.Protocol;
using Pixelfly.Perf.Reports;

namespace Pixelfly.Perf.Tests;

/// <summary>Hand-made bench reports with known numbers, for the report, compare and plot code.</summary>
internal static class TestReports
{
    public static DeviceReport Device(string id = "cpu") =>
        new(id, id, $"{id} device", "test driver", 1L << 30, new Dictionary<string, string> { ["threads"] = "2" }, 2, 100, 50, "test peak", 20, "test bandwidth");

    public static BaselineReport Baseline(string name, double ms) =>
        new(name, $"{name} baseline", 3, ms, ms * 0.9, ms * 1.2, ms * 0.95, ms * 1.1, [ms * 0.9, ms, ms * 1.2], 8e9 / (ms / 1000) / 1e9);

    public static CaseReport Case(string name, double ms, string device = "cpu", double? density = 0.125, int? block = 32, string kind = "forward",
        double denseMs = 8, double blasMs = 7)
    {
        double useful = 1e9, dense = 8e9;
        return new CaseReport(device, name, kind, ["test"], "a test case", CaseReport.Ok, null, block, density, useful, dense, "1024x1024x1024 tB",
            12.5, 3, 4, ms, ms * 0.9, ms * 1.2, ms * 0.95, ms * 1.1, [ms * 0.9, ms, ms * 1.2],
            useful / (ms / 1000) / 1e9, dense / (ms / 1000) / 1e9, useful / (ms / 1000) / 1e9,
            new RatioStats(ms / denseMs, ms / denseMs * 0.9, ms / denseMs * 1.1),
            new RatioStats(ms / blasMs, ms / blasMs * 0.9, ms / blasMs * 1.1),
            [Baseline(BaselineReport.Dense, denseMs), Baseline(BaselineReport.OpenBlasSgemm, blasMs)],
            Clock: "host", HostSamplesMs: [ms * 0.9, ms, ms * 1.2], MinimalBytes: 4e6, GbPerSecond: 4e6 / (ms / 1000) / 1e9, PercentOfBandwidth: 4e6 / (ms / 1000) / 1e9 / 20 * 100,
            Conformance: new ConformanceCheck(ConformanceCheck.PassedStatus, "test check", ["bsmm/dds/b32/butterfly/ta0-tb1"], [], []));
    }

    public static CaseReport ConformanceFailed(string name, string device = "cpu") =>
        new(device, name, "forward", ["test"], "a case the device computes wrongly", CaseReport.ConformanceFailed,
            "conformance-failed: bsmm/dds/b32/butterfly/ta0-tb1; not timed", 32, 0.125, 1e9, 8e9, null,
            null, null, null, null, null, null, null, null, null, null, null, null, null, null, [],
            MinimalBytes: 4e6,
            Conformance: new ConformanceCheck(ConformanceCheck.FailedStatus, "test check", ["bsmm/dds/b32/butterfly/ta0-tb1"],
                ["bsmm/dds/b32/butterfly/ta0-tb1 (FAIL): output 'c': NMSE 1 > 1e-10"], []));

    public static CaseReport Skipped(string name, string device = "ref") =>
        new(device, name, "dense", ["test"], "a skipped case", CaseReport.Skipped, "too big for the test", null, null, 1e9, 1e9, null,
            null, null, null, null, null, null, null, null, null, null, null, null, null, null, []);

    public static BenchReport Report(IReadOnlyList<DeviceReport> devices, IReadOnlyList<CaseReport> results, string commit = "0123456789abcdef") =>
        new("pixelfly.bench", BenchReportJson.Version, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), commit, "suite test",
            new MachineInfo("Test CPU", 2, "TestOS", ".NET test"), new BenchSettings(Trials: 3),
            new OpenBlasInfo(true, "libopenblas.so.0", "Cooperlake", 2, null, new Dictionary<string, string?> { ["OPENBLAS_CORETYPE"] = "Cooperlake" }, null),
            devices, results);

    public static BenchReport Simple(double forwardMs = 1, string commit = "0123456789abcdef") =>
        Report([Device()], [Case("linear-sparse/forward/x", forwardMs), Case("gemm/x", 8, kind: "dense", density: null, block: null)], commit);
}
