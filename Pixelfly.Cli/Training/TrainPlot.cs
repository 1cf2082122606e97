using System.Text.Json.Nodes;
using Pixelfly.IO;
using ScottPlot;

namespace Pixelfly.Cli.Training;

/// <summary>
/// PNG plots of one or more training runs from their metrics.jsonl: training loss per step, held-out loss per epoch
/// and (for image tasks) held-out accuracy per epoch, one series per run.
/// </summary>
internal static class TrainPlot
{
    private const string FontFamily = "DejaVu Sans";

    /// <summary>Writes loss.png (and accuracy.png when any run has accuracy) into <paramref name="folder"/>.</summary>
    public static IReadOnlyList<string> Write(string folder, IReadOnlyList<(string Label, string MetricsPath)> runs)
    {
        var series = runs.Select(r => (r.Label, Events: Read(r.MetricsPath))).ToList();
        var written = new List<string>();
        string loss = Path.Combine(folder, "loss.png");
        AtomicFile.WriteAllBytes(loss, Render("Loss", "step", series, e => (string?)e["event"] == "step" ? ((double)e["step"]!, (double)e["loss"]!) : null,
            e => (string?)e["event"] == "epoch" ? ((double)e["step"]!, (double)e["evalLoss"]!) : null));
        written.Add(loss);
        if (series.Any(s => s.Events.Any(e => e["accuracy"] is JsonValue)))
        {
            string acc = Path.Combine(folder, "accuracy.png");
            AtomicFile.WriteAllBytes(acc, Render("Held-out accuracy", "epoch", series, e => (string?)e["event"] == "epoch" && e["accuracy"] is JsonValue ? ((double)e["epoch"]!, (double)e["accuracy"]!) : null, null));
            written.Add(acc);
        }
        return written;
    }

    private static List<JsonObject> Read(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l) as JsonObject ?? throw new FormatException($"{path}: a line is not a JSON object")).ToList();

    private static byte[] Render(string title, string x, List<(string Label, List<JsonObject> Events)> series,
        Func<JsonObject, (double X, double Y)?> main, Func<JsonObject, (double X, double Y)?>? marks)
    {
        using var plot = new Plot();
        if (SkiaSharp.SKFontManager.Default.FontFamilies.Contains(FontFamily)) plot.Font.Set(FontFamily);
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < series.Count; i++)
        {
            var (label, events) = series[i];
            var color = palette.GetColor(i);
            var points = events.Select(main).OfType<(double X, double Y)>().ToArray();
            if (points.Length > 0)
            {
                var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), color);
                line.LegendText = marks is null ? label : $"{label} (train)";
                line.MarkerSize = points.Length > 50 ? 0 : 5;
            }
            if (marks is null) continue;
            var held = events.Select(marks).OfType<(double X, double Y)>().ToArray();
            if (held.Length == 0) continue;
            var dots = plot.Add.Scatter(held.Select(p => p.X).ToArray(), held.Select(p => p.Y).ToArray(), color);
            dots.LineStyle.Pattern = LinePattern.Dashed;
            dots.MarkerSize = 8;
            dots.LegendText = $"{label} (held out)";
        }
        plot.Title(title);
        plot.XLabel(x);
        plot.ShowLegend();
        return plot.GetImageBytes(1000, 600, ImageFormat.Png);
    }
}
