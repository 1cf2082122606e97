using System.Globalization;
using Pixelfly.IO;
using ScottPlot;

namespace Pixelfly.Perf.Reports;

/// <summary>
/// Plots a bench report as a PNG (ScottPlot). When some (device, kind, block size) group was measured at several
/// densities, the plot is time / our dense vs density, one series per device, kind and block size (a group measured
/// at one density is a single point), with the ideal
/// (time proportional to density) as a dashed line. Otherwise it is one group of bars per case: dense-equivalent
/// GFLOP/s of the case on each device and of each baseline, so a bar k times taller is k times faster on the
/// same dense problem.
/// </summary>
public static class BenchPlot
{
    /// <summary>Image width in pixels.</summary>
    public const int Width = 1200;

    /// <summary>Image height in pixels.</summary>
    public const int Height = 700;

    /// <summary>The font family used when installed (Debian: fonts-dejavu-core); without any font there is no text.</summary>
    public const string FontFamily = "DejaVu Sans";

    /// <summary>Writes the plot atomically to <paramref name="path"/>; throws when no case was timed.</summary>
    public static void Write(BenchReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.WriteAllBytes(path, Render(report));
    }

    /// <summary>The PNG bytes.</summary>
    public static byte[] Render(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var ok = report.Results.Where(r => r.IsOk).ToArray();
        if (ok.Length == 0)
            throw new ArgumentException("no case was timed successfully, so there is nothing to plot");
        using var plot = new Plot();
        if (SkiaSharp.SKFontManager.Default.FontFamilies.Contains(FontFamily))
            plot.Font.Set(FontFamily);
        var groups = ok.Where(r => r.Density is not null && r.RatioToDense is not null)
            .GroupBy(r => (r.Device, r.Kind, r.BlockSize))
            .ToArray();
        // Any sweep makes it a density plot; groups measured at one density then show as single points.
        if (groups.Any(g => g.Select(r => r.Density).Distinct().Count() > 1)) DensityPlot(plot, groups);
        else BarPlot(plot, report, ok);
        plot.Title($"Pixelfly bench: {report.Selection} ({Short(report.Commit)}, {report.Machine.CpuModel})");
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    private static void DensityPlot(Plot plot, IGrouping<(string Device, string Kind, int? BlockSize), CaseReport>[] sweeps)
    {
        var palette = new ScottPlot.Palettes.Category20();
        int i = 0;
        foreach (var g in sweeps.OrderBy(g => g.Key.Device).ThenBy(g => g.Key.Kind).ThenBy(g => g.Key.BlockSize))
        {
            // Several shapes may share a density: plot the mean ratio per density.
            var points = g.GroupBy(r => r.Density!.Value).OrderBy(p => p.Key)
                .Select(p => (X: p.Key, Y: p.Average(r => r.RatioToDense!.Median))).ToArray();
            var s = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), palette.GetColor(i++));
            s.LegendText = $"{g.Key.Device} {g.Key.Kind} b{g.Key.BlockSize}";
            s.MarkerSize = 8;
            s.LineWidth = 2;
        }
        double maxDensity = sweeps.SelectMany(g => g).Max(r => r.Density!.Value);
        var ideal = plot.Add.Line(0, 0, maxDensity, maxDensity);
        ideal.LinePattern = LinePattern.Dashed;
        ideal.Color = Colors.Gray;
        ideal.LegendText = "ideal: time ∝ density";
        plot.XLabel("layout density (stored blocks / all blocks)");
        plot.YLabel("time / our dense matmul (same device; lower is better)");
        plot.Axes.SetLimitsX(0, maxDensity * 1.05);
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperLeft);
    }

    private static void BarPlot(Plot plot, BenchReport report, CaseReport[] ok)
    {
        // Series: the case on each device, then each device's baselines (OpenBLAS once: it is the same library).
        var series = new List<(string Label, Func<CaseReport, double?> Value, string? Device)>();
        foreach (var d in report.Devices)
        {
            string id = d.Id;
            // A device timed on its own clock says so: its bars exclude launch and synchronisation.
            string clock = ok.Any(r => r.Device == id) && ok.Where(r => r.Device == id).All(r => r.Clock == Protocol.Measurement.DeviceClock) ? " (device clock)" : "";
            series.Add(($"{id}: case{clock}", r => r.Device == id ? r.DenseEquivalentGflops : null, id));
            series.Add(($"{id}: our dense{clock}", r => r.Device == id ? Baseline(r, BaselineReport.Dense) : null, id));
        }
        series.Add(($"OpenBLAS sgemm ({report.OpenBlas.CoreName}, {report.OpenBlas.Threads} thr)", r => Baseline(r, BaselineReport.OpenBlasSgemm), null));
        series.RemoveAll(s => !ok.Any(r => s.Value(r) is not null));

        var cases = ok.Select(r => r.Name).Distinct().ToArray();
        var palette = new ScottPlot.Palettes.Category20();
        double width = 0.8 / series.Count;
        for (int si = 0; si < series.Count; si++)
        {
            var color = palette.GetColor(si);
            var bars = new List<Bar>();
            for (int ci = 0; ci < cases.Length; ci++)
            {
                // OpenBLAS appears once per case: take the first device's measurement of it.
                double? v = ok.Where(r => r.Name == cases[ci]).Select(series[si].Value).FirstOrDefault(x => x is not null);
                if (v is null) continue;
                bars.Add(new Bar { Position = ci + (si - (series.Count - 1) / 2.0) * width, Value = v.Value, Size = width * 0.95, FillColor = color });
            }
            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[si].Label, FillColor = color });
        }
        var labels = ShortLabels(cases);
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, cases.Length).Select(i => (double)i).ToArray(), labels);
        plot.Axes.Bottom.TickLabelStyle.Rotation = -35;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        // Room for the longest rotated label (about 4 px of height per character at -35°), within half the image.
        plot.Axes.Bottom.MinimumSize = Math.Clamp(labels.Max(l => l.Length) * 4.5f, 130, Height / 2);
        plot.YLabel("dense-equivalent GFLOP/s = 2·M·N·K / time (higher is faster)");
        // Headroom above the tallest bar keeps the legend off the bars.
        double top = ok.SelectMany(r => series.Select(x => x.Value(r) ?? 0)).Max();
        plot.Axes.SetLimits(-0.6, cases.Length - 0.4, 0, top * 1.35);
        plot.ShowLegend(Alignment.UpperRight);
    }

    private static double? Baseline(CaseReport r, string name) => r.Baselines.FirstOrDefault(b => b.Name == name)?.DenseGflops;

    /// <summary>
    /// Short tick labels: within each family of ids (same first segment, same depth) the segments every member shares
    /// are dropped, so the cpu-headline cases read "forward b16-s32-f3"; a family of one keeps its whole id.
    /// </summary>
    internal static string[] ShortLabels(IReadOnlyList<string> ids)
    {
        var split = ids.Select(id => id.Split('/')).ToArray();
        return split.Select(parts =>
        {
            var family = split.Where(o => o.Length == parts.Length && o[0] == parts[0]).ToArray();
            if (family.Length == 1) return string.Join(" ", parts);
            var kept = parts.Where((seg, i) => family.Any(o => o[i] != seg)).ToArray();
            return string.Join(" ", kept);
        }).ToArray();
    }

    private static string Short(string commit) =>
        commit.Length > 10 && commit.All(Uri.IsHexDigit) ? commit[..10] : commit.ToString(CultureInfo.InvariantCulture);
}
