using System.Globalization;
using System.Text;
using Pixelfly.Perf.Protocol;

namespace Pixelfly.Perf.Reports;

/// <summary>
/// A bench report as Markdown, pasteable as is into docs/PERFORMANCE.md: a provenance list; with several devices one
/// side-by-side table (cases × devices); then per device a table of every case with its median and spread,
/// throughput, traffic, % of peak and bandwidth, time ratios to the baselines, and which clock timed it.
/// </summary>
public static class MarkdownReport
{
    /// <summary>The whole report.</summary>
    public static string Write(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        sb.AppendLine($"Pixelfly bench: {report.Selection}, commit `{Short(report.Commit)}`, {report.CreatedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC").AppendLine();
        var m = report.Machine;
        sb.AppendLine($"- machine: {m.CpuModel}, {m.LogicalCores} logical core(s); {m.Os}; {m.Dotnet}");
        var s = report.Settings;
        sb.AppendLine(F($"- protocol: {s.Trials} trial(s) per measurement, each >= {s.MinTrialMs:0.#} ms of repeated runs, candidate and baselines interleaved; warm-up >= {s.WarmupRuns} run(s) and {s.WarmupMs:0.#} ms"));
        var ob = report.OpenBlas;
        string env = string.Join(", ", ob.Environment.Where(e => e.Value is not null).Select(e => $"{e.Key}={e.Value}"));
        sb.AppendLine(ob.Available
            ? $"- OpenBLAS: {ob.Library}, core `{ob.CoreName}`, {ob.Threads?.ToString(CultureInfo.InvariantCulture) ?? "-"} thread(s); environment: {(env.Length > 0 ? env : "no OPENBLAS_* variables set")}"
            : $"- OpenBLAS: not available ({ob.Reason})");
        if (ob.Warning is not null)
            sb.AppendLine($"- **warning**: {ob.Warning}");
        foreach (var d in report.Devices)
        {
            string peak = d.PeakGflops is { } p ? F($"peak {p:0.#} GFLOP/s ({d.PeakNote})") : $"peak n/a ({d.PeakNote})";
            string bandwidth = d.BandwidthGbPerSecond is { } bw ? F($"read bandwidth {bw:0.#} GB/s ({d.BandwidthNote})")
                : d.BandwidthNote is { } why ? $"read bandwidth n/a ({why})" : "read bandwidth not measured";
            sb.AppendLine($"- device `{d.Id}`: {d.Name}; {d.Driver}; {d.Threads?.ToString(CultureInfo.InvariantCulture) ?? "-"} thread(s); {peak}; {bandwidth}");
            if (d.BusyWarning() is { } busy)
                sb.AppendLine($"- **warning**: {busy}");
            if (GuardLine(d.Id, report.Results.Where(r => r.Device == d.Id).ToArray()) is { } guard)
                sb.AppendLine(guard);
        }
        if (report.Devices.Count > 1)
            sb.AppendLine().Append(SideBySide(report));
        foreach (var d in report.Devices)
        {
            var rows = report.Results.Where(r => r.Device == d.Id).ToArray();
            if (rows.Length == 0) continue;
            sb.AppendLine().Append(Table(rows));
            sb.AppendLine().AppendLine(ClockNote(d.Id, rows));
        }
        var notOk = report.Results.Where(r => !r.IsOk).ToArray();
        if (notOk.Length > 0)
        {
            sb.AppendLine();
            foreach (var r in notOk)
                sb.AppendLine($"- {r.Status} on `{r.Device}`: `{r.Name}`: {r.Reason}");
        }
        return sb.ToString();
    }

    /// <summary>One table for the results of one device.</summary>
    public static string Table(IReadOnlyList<CaseReport> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder();
        string device = rows.Count > 0 ? rows[0].Device : "?";
        sb.AppendLine($"| case (`{device}`) | b | density | median ms [min–max] | useful GFLOP/s | dense-eq. GFLOP/s | % peak | GB/s | % bw | time / our dense | time / OpenBLAS | OpenBLAS ms [min–max] |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            string b = r.BlockSize?.ToString(CultureInfo.InvariantCulture) ?? "–";
            string density = r.Density is { } dn ? F($"{dn:0.####}") : "–";
            if (!r.IsOk)
            {
                sb.AppendLine($"| `{r.Name}` | {b} | {density} | {StatusCell(r)} | | | | | | | | |");
                continue;
            }
            var blas = r.Baselines.FirstOrDefault(x => x.Name == BaselineReport.OpenBlasSgemm);
            sb.AppendLine(string.Join(" | ",
                $"| `{r.Name}`", b, density,
                Range(r.MedianMs!.Value, r.MinMs!.Value, r.MaxMs!.Value),
                F($"{r.UsefulGflops:0.0}"), F($"{r.DenseEquivalentGflops:0.0}"),
                r.PercentOfPeak is { } pp ? F($"{pp:0.0}") : "–",
                r.GbPerSecond is { } gb ? F($"{gb:0.0}") : "–",
                r.PercentOfBandwidth is { } pb ? F($"{pb:0.0}") : "–",
                Ratio(r.RatioToDense), Ratio(r.RatioToOpenBlas),
                blas is null ? "–" : Range(blas.MedianMs, blas.MinMs, blas.MaxMs)) + " |");
        }
        return sb.ToString();
    }

    /// <summary>
    /// One table for several devices: a row per case, per device its median [min–max] and its time / its own dense
    /// counterpart, then each further device's median over the first device's (below 1: faster than the first).
    /// </summary>
    public static string SideBySide(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var devices = report.Devices.Select(d => d.Id).ToArray();
        var names = report.Results.Select(r => r.Name).Distinct().ToArray();
        CaseReport? Find(string device, string name) => report.Results.FirstOrDefault(r => r.Device == device && r.Name == name);

        var header = new List<string> { "case" };
        header.AddRange(devices.Select(d => $"`{d}` ms [min–max]"));
        header.AddRange(devices.Select(d => $"`{d}` / its dense"));
        header.AddRange(devices.Skip(1).Select(d => $"`{d}` / `{devices[0]}`"));
        var sb = new StringBuilder();
        sb.AppendLine("| " + string.Join(" | ", header) + " |");
        sb.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", header.Count - 1)));
        foreach (var name in names)
        {
            var cells = new List<string> { $"`{name}`" };
            cells.AddRange(devices.Select(d => Find(d, name) switch
            {
                null => "–",
                { IsOk: true } r => Range(r.MedianMs!.Value, r.MinMs!.Value, r.MaxMs!.Value) + (r.Clock == Measurement.DeviceClock ? " (device clock)" : ""),
                var r => StatusCell(r),
            }));
            cells.AddRange(devices.Select(d => Find(d, name) is { IsOk: true, RatioToDense: { } rd } ? Ratio(rd) : "–"));
            var first = Find(devices[0], name);
            cells.AddRange(devices.Skip(1).Select(d => first is { IsOk: true } a && Find(d, name) is { IsOk: true } o
                ? F($"{o.MedianMs!.Value / a.MedianMs!.Value:0.000}")
                : "–"));
            sb.AppendLine("| " + string.Join(" | ", cells) + " |");
        }
        return sb.ToString();
    }

    /// <summary>Which clock timed the device's cases, for the line under its table.</summary>
    public static string ClockNote(string device, IReadOnlyList<CaseReport> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var ok = rows.Where(r => r.IsOk).ToArray();
        int onDevice = ok.Count(r => r.Clock == Measurement.DeviceClock);
        string note = onDevice == 0
            ? $"- clock (`{device}`): host wall clock around the runs for every case"
            : onDevice == ok.Length
                ? $"- clock (`{device}`): the device's own timestamps for every case; host wall time per trial is in the JSON (`hostSamplesMs`)"
                : $"- clock (`{device}`): device timestamps for {onDevice} of {ok.Length} timed case(s), host wall clock for the others (JSON `clock` per case)";
        if (ok.Any(r => r.Baselines.Any(b => b.Name == BaselineReport.OpenBlasSgemm)))
            note += "; OpenBLAS on the host clock";
        return note + ". GB/s = minimal traffic (every input read once, every output written once) / median time";
    }

    // The status of a case that was not timed; a conformance failure names the cases it failed.
    private static string StatusCell(CaseReport r) =>
        r.Status == CaseReport.ConformanceFailed && r.Conformance is { } c
            ? $"{CaseReport.ConformanceFailed}: {string.Join(", ", c.Failures.Select(f => f[..Math.Max(0, f.IndexOf(" (", StringComparison.Ordinal))]))}"
            : r.Status;

    private static string? GuardLine(string device, IReadOnlyList<CaseReport> rows)
    {
        var checks = rows.Select(r => r.Conformance).OfType<ConformanceCheck>().ToArray();
        if (checks.Length == 0) return null;
        int failed = checks.Count(c => c.Failed), passed = checks.Count(c => c.Status == ConformanceCheck.PassedStatus);
        var corpus = checks.SelectMany(c => c.CorpusCases).Distinct().Count();
        if (passed == 0 && failed == 0)
            return $"- conformance guard (`{device}`): not checked ({checks[0].Note})";
        var uncovered = checks.SelectMany(c => c.Uncovered).Distinct().ToArray();
        return $"- conformance guard (`{device}`): {passed} case(s) passed, {failed} failed and were not timed; {corpus} conformance check(s) against the reference" +
            (uncovered.Length > 0 ? $"; no corpus case covers {string.Join("; ", uncovered)}" : "");
    }

    /// <summary>"0.152 [0.148–0.160]"; "–" when absent.</summary>
    public static string Ratio(RatioStats? r) => r is null ? "–" : F($"{r.Median:0.000} [{r.Min:0.000}–{r.Max:0.000}]");

    /// <summary>A time with its spread, digits chosen by size.</summary>
    public static string Range(double median, double min, double max) => $"{Ms(median)} [{Ms(min)}–{Ms(max)}]";

    /// <summary>Milliseconds with 3 significant digits or more.</summary>
    public static string Ms(double ms) => ms.ToString(ms >= 100 ? "0.0" : ms >= 10 ? "0.00" : ms >= 1 ? "0.000" : "0.0000", CultureInfo.InvariantCulture);

    private static string Short(string commit) => commit.Length > 12 && commit.All(Uri.IsHexDigit) ? commit[..12] : commit;

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
