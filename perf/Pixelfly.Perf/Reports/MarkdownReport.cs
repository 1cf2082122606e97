using System.Globalization;
using System.Text;
using Pixelfly.Perf.Protocol;

namespace Pixelfly.Perf.Reports;

/// <summary>
/// A bench report as Markdown, pasteable as is into docs/PERFORMANCE.md: a provenance list, then per device a table
/// of every case with its median and spread, throughput, % of peak and time ratios to the baselines.
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
            sb.AppendLine($"- device `{d.Id}`: {d.Name}; {d.Driver}; {d.Threads?.ToString(CultureInfo.InvariantCulture) ?? "-"} thread(s); {peak}");
            if (d.BusyWarning() is { } busy)
                sb.AppendLine($"- **warning**: {busy}");
        }
        foreach (var d in report.Devices)
        {
            var rows = report.Results.Where(r => r.Device == d.Id).ToArray();
            if (rows.Length == 0) continue;
            sb.AppendLine().Append(Table(rows));
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
        sb.AppendLine($"| case (`{device}`) | b | density | median ms [min–max] | useful GFLOP/s | dense-eq. GFLOP/s | % peak | time / our dense | time / OpenBLAS | OpenBLAS ms [min–max] |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            string b = r.BlockSize?.ToString(CultureInfo.InvariantCulture) ?? "–";
            string density = r.Density is { } dn ? F($"{dn:0.####}") : "–";
            if (!r.IsOk)
            {
                sb.AppendLine($"| `{r.Name}` | {b} | {density} | {r.Status} | | | | | | |");
                continue;
            }
            var blas = r.Baselines.FirstOrDefault(x => x.Name == BaselineReport.OpenBlasSgemm);
            sb.AppendLine(string.Join(" | ",
                $"| `{r.Name}`", b, density,
                Range(r.MedianMs!.Value, r.MinMs!.Value, r.MaxMs!.Value),
                F($"{r.UsefulGflops:0.0}"), F($"{r.DenseEquivalentGflops:0.0}"),
                r.PercentOfPeak is { } pp ? F($"{pp:0.0}") : "–",
                Ratio(r.RatioToDense), Ratio(r.RatioToOpenBlas),
                blas is null ? "–" : Range(blas.MedianMs, blas.MinMs, blas.MaxMs)) + " |");
        }
        return sb.ToString();
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
