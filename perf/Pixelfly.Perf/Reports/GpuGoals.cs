using System.Globalization;
using System.Text;
using Pixelfly.Perf.Baselines;

namespace Pixelfly.Perf.Reports;

/// <summary>
/// Issue 6's goals table: each gpu-headline result of one device set against the external baselines measured in the
/// same session (cuBLAS through <c>torch.matmul</c> at the dense shape, torch's BSR matmul on the same layout).
/// Ratios are ratios of medians (the baselines were not interleaved with our trials). "% of cuBLAS per nonzero" is
/// cuBLAS time × density / our time: 100% means every stored block runs at cuBLAS's dense rate.
/// </summary>
public static class GpuGoals
{
    /// <summary>Verdict of a row whose target is met (so its must too).</summary>
    public const string Target = "TARGET";

    /// <summary>Verdict of a row whose must is met but not its target.</summary>
    public const string Must = "MUST";

    /// <summary>Verdict of a row that misses its must.</summary>
    public const string Miss = "MISS";

    /// <summary>Verdict of a row that cannot be judged (not timed, or no cuBLAS time).</summary>
    public const string Unknown = "n/a";

    /// <summary>
    /// The issue's thresholds for one row as (must, target) % of cuBLAS: per nonzero for a sparse case, plain for a
    /// dense one; null for a kind the issue sets no goal for (a layer, a training step). b = 16 must only be faster
    /// than dense: that is density × 100% per nonzero.
    /// </summary>
    public static (double Must, double Target)? Thresholds(string kind, int? blockSize, double? density) => (kind, blockSize) switch
    {
        ("dense", _) => (70, 90),
        ("forward" or "dx" or "dw", 64) => (50, 70),
        ("forward" or "dx" or "dw", 32) => (35, 50),
        // At a density above 1/4 "faster than dense" is stricter than the 25% target: the target is then the must.
        ("forward" or "dx" or "dw", 16) when density is > 0 => (100 * density.Value, Math.Max(25, 100 * density.Value)),
        _ => null,
    };

    /// <summary>One row of the table.</summary>
    /// <param name="Case">The case id.</param>
    /// <param name="Kind">forward, dx, dw or dense.</param>
    /// <param name="Status">Our result's status ("ok", "skipped", ...).</param>
    /// <param name="OursMs">Our median per-run time; null unless timed.</param>
    /// <param name="CublasMs">cuBLAS median at the dense shape; null when not measured.</param>
    /// <param name="Ratio">Ours / cuBLAS.</param>
    /// <param name="PercentOfCublas">% of cuBLAS: per nonzero for sparse cases (cuBLAS × density / ours), plain for dense.</param>
    /// <param name="BsrMs">torch BSR median; null when not measured.</param>
    /// <param name="SpeedupOverBsr">BSR / ours.</param>
    /// <param name="MustPercent">The must threshold in % of cuBLAS.</param>
    /// <param name="TargetPercent">The target threshold in % of cuBLAS.</param>
    /// <param name="Verdict"><see cref="Target"/>, <see cref="Must"/>, <see cref="Miss"/> or <see cref="Unknown"/>.</param>
    /// <param name="Note">Why something is missing, or which criterion missed.</param>
    public sealed record Row(string Case, string Kind, string Status, double? OursMs, double? CublasMs, double? Ratio, double? PercentOfCublas,
        double? BsrMs, double? SpeedupOverBsr, double? MustPercent, double? TargetPercent, string Verdict, string Note);

    /// <summary>
    /// The rows for <paramref name="deviceId"/>'s results (the first device of the report when null) of the kinds the
    /// issue sets goals for, in run order; <paramref name="baselines"/> may be null (no PyTorch): then every verdict
    /// is <see cref="Unknown"/>.
    /// </summary>
    public static IReadOnlyList<Row> Rows(BenchReport report, ExternalBaselines? baselines, string? deviceId = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        string device = deviceId ?? report.Devices[0].Id;
        if (report.Devices.All(d => d.Id != device))
            throw new ArgumentException($"device '{device}' is not in the bench report (devices: {string.Join(", ", report.Devices.Select(d => d.Id))})");
        return report.Results
            .Where(r => r.Device == device && Thresholds(r.Kind, r.BlockSize, r.Density) is not null)
            .Select(r => RowOf(r, baselines))
            .ToArray();
    }

    private static Row RowOf(CaseReport r, ExternalBaselines? baselines)
    {
        var (must, target) = Thresholds(r.Kind, r.BlockSize, r.Density)!.Value;
        var cublas = baselines?.Find(r.Name, ExternalBaselines.Cublas);
        var bsr = baselines?.Find(r.Name, ExternalBaselines.TorchBsr);
        double? ours = r.IsOk ? r.MedianMs : null;
        double? cublasMs = cublas is { IsOk: true } ? cublas.MedianMs : null;
        double? bsrMs = bsr is { IsOk: true } ? bsr.MedianMs : null;
        bool sparse = r.Kind != "dense";
        double? ratio = ours / cublasMs;
        // Sparse: cuBLAS's time for the dense product, scaled to the stored fraction, over ours.
        double? percent = ours is { } o && cublasMs is { } c ? 100 * c * (sparse ? r.Density ?? 1 : 1) / o : null;
        double? speedup = ours is { } o2 && bsrMs is { } bm ? bm / o2 : null;

        var notes = new List<string>();
        if (!r.IsOk) notes.Add($"ours {r.Status}: {FirstLine(r.Reason)}");
        if (baselines is null) notes.Add("no external baselines");
        else if (!baselines.Available) notes.Add($"baselines unavailable: {baselines.Reason}");
        else if (cublas is null) notes.Add("no cuBLAS time for this case");
        else if (!cublas.IsOk) notes.Add($"cuBLAS {cublas.Status}: {FirstLine(cublas.Reason)}");
        if (sparse && baselines is { Available: true })
        {
            if (bsr is null) notes.Add("no torch BSR time");
            else if (!bsr.IsOk) notes.Add($"torch BSR {bsr.Status}: {FirstLine(bsr.Reason)}");
        }

        string verdict;
        if (percent is not { } p)
            verdict = Unknown;
        else
        {
            // Faster than torch BSR is part of every sparse must, ≥ 2x of every sparse target, where BSR exists.
            bool bsrMust = speedup is not { } s || s > 1, bsrTarget = speedup is not { } s2 || s2 >= 2;
            verdict = p >= target && bsrTarget ? Target : p >= must && bsrMust ? Must : Miss;
            if (p < must) notes.Add(F($"below the must of {must:0.#}% of cuBLAS"));
            if (!bsrMust) notes.Add("not faster than torch BSR");
            else if (verdict == Must && !bsrTarget) notes.Add("less than 2x torch BSR");
        }
        return new Row(r.Name, r.Kind, r.Status, ours, cublasMs, ratio, percent, bsrMs, speedup, must, target, verdict,
            // The note lands in a Markdown cell: no pipes.
            string.Join("; ", notes).Replace('|', '/'));
    }

    /// <summary>
    /// The table as Markdown with a header naming the device and the baselines' source and a last line counting the
    /// verdicts (printed last by scripts/gpu-check).
    /// </summary>
    public static string ToMarkdown(BenchReport report, ExternalBaselines? baselines, string? deviceId = null)
    {
        var rows = Rows(report, baselines, deviceId);
        string device = deviceId ?? report.Devices[0].Id;
        var d = report.Devices.First(x => x.Id == device);
        var sb = new StringBuilder();
        sb.AppendLine($"Goals (issue 6): `{device}` ({d.Name}; {d.Driver}), commit `{report.Commit}`");
        sb.AppendLine(baselines is null ? "baselines: none given"
            : baselines.Available ? $"baselines: {baselines.Source} on {baselines.Device}; {baselines.Method}; ratios are ratios of medians"
            : $"baselines: not measured: {baselines.Reason}");
        sb.AppendLine();
        sb.AppendLine("| case | ours ms | cuBLAS ms | ratio | % cuBLAS (/nnz) | must / target % | torch BSR ms | speedup | verdict | note |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (var r in rows)
            sb.AppendLine($"| {r.Case} | {Num(r.OursMs, "0.###")} | {Num(r.CublasMs, "0.###")} | {Num(r.Ratio, "0.###")} | {Num(r.PercentOfCublas, "0.#")} | " +
                F($"{r.MustPercent:0.#} / {r.TargetPercent:0.#}") + $" | {Num(r.BsrMs, "0.###")} | {(r.SpeedupOverBsr is { } s ? F($"{s:0.##}x") : "-")} | {r.Verdict} | {r.Note} |");
        sb.AppendLine();
        sb.AppendLine(Summary(rows));
        return sb.ToString();
    }

    /// <summary>"goals: 3 TARGET, 10 MUST, 2 MISS, 9 n/a of 24 case(s)".</summary>
    public static string Summary(IReadOnlyList<Row> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int Count(string v) => rows.Count(r => r.Verdict == v);
        return $"goals: {Count(Target)} {Target}, {Count(Must)} {Must}, {Count(Miss)} {Miss}, {Count(Unknown)} {Unknown} of {rows.Count} case(s)";
    }

    private static string Num(double? v, string format) => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string FirstLine(string? s) => s is null ? "" : s.Split('\n')[0].Trim();

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
