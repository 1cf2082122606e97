using System.Globalization;
using System.Text;

namespace Pixelfly.Perf.Reports;

/// <summary>
/// Pivots one or two bench reports into Markdown: cases × (report, device) median times, and ratios B/A per case —
/// commit vs commit when both reports ran the same device, device vs device when each ran one different device.
/// The time / OpenBLAS ratios of each run are shown too: they are paired within a run, so they survive the noise
/// between runs that a plain B/A of medians does not.
/// </summary>
public static class BenchComparison
{
    /// <summary>A labelled report ("A", "B") and the file it came from.</summary>
    /// <param name="Label">Short label used in column headers.</param>
    /// <param name="Path">Where the report was read from.</param>
    /// <param name="Report">The report.</param>
    public sealed record Input(string Label, string Path, BenchReport Report);

    /// <summary>
    /// The comparison as Markdown. Throws <see cref="ArgumentException"/> when two reports share no case, so there is
    /// nothing to compare.
    /// </summary>
    public static string ToMarkdown(IReadOnlyList<Input> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count is < 1 or > 2)
            throw new ArgumentException($"compare takes one or two bench result files, got {inputs.Count}");
        if (inputs.Count == 2)
        {
            var a = inputs[0].Report.Results.Select(r => r.Name).ToHashSet();
            var common = inputs[1].Report.Results.Count(r => a.Contains(r.Name));
            if (common == 0)
                throw new ArgumentException(
                    $"'{inputs[0].Path}' ({inputs[0].Report.Selection}, {a.Count} case(s)) and '{inputs[1].Path}' ({inputs[1].Report.Selection}, " +
                    $"{inputs[1].Report.Results.Select(r => r.Name).Distinct().Count()} case(s)) share no case: nothing to compare");
        }

        var columns = inputs.SelectMany(i => i.Report.Devices.Select(d => (Input: i, Device: d.Id))).ToArray();
        var ratios = RatioColumns(inputs, columns);
        var cases = inputs.SelectMany(i => i.Report.Results.Select(r => r.Name)).Distinct().ToArray();
        CaseReport? Find((Input Input, string Device) col, string name) =>
            col.Input.Report.Results.FirstOrDefault(r => r.Device == col.Device && r.Name == name);

        var sb = new StringBuilder();
        foreach (var i in inputs)
        {
            var r = i.Report;
            sb.AppendLine($"- {i.Label}: `{i.Path}`: {r.Selection}, commit `{r.Commit}`, {r.CreatedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC, " +
                $"{r.Machine.CpuModel}, devices {string.Join(", ", r.Devices.Select(d => $"`{d.Id}` ({d.Threads?.ToString(CultureInfo.InvariantCulture) ?? "-"} thr)"))}" +
                (r.OpenBlas.Available ? $", OpenBLAS `{r.OpenBlas.CoreName}` {r.OpenBlas.Threads} thr" : ""));
        }
        if (ratios.Count > 0)
            sb.AppendLine("- ratios are of medians from separate runs (not interleaved): noise between runs can reach ~1.8x on a busy machine; the time / OpenBLAS columns are paired within each run");
        sb.AppendLine();

        var header = new List<string> { "case" };
        header.AddRange(columns.Select(c => $"{c.Input.Label} `{c.Device}` ms"));
        header.AddRange(ratios.Select(r => r.Title));
        bool anyBlas = inputs.Any(i => i.Report.Results.Any(r => r.RatioToOpenBlas is not null));
        if (anyBlas) header.AddRange(columns.Select(c => $"{c.Input.Label} `{c.Device}` / OpenBLAS"));
        sb.AppendLine("| " + string.Join(" | ", header) + " |");
        sb.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", header.Count - 1)));
        foreach (var name in cases)
        {
            var cells = new List<string> { $"`{name}`" };
            cells.AddRange(columns.Select(c => Find(c, name) is { IsOk: true } r ? MarkdownReport.Ms(r.MedianMs!.Value) : Find(c, name)?.Status ?? "–"));
            foreach (var (_, a, b) in ratios)
                cells.Add(Find(a, name) is { IsOk: true } ra && Find(b, name) is { IsOk: true } rb
                    ? (rb.MedianMs!.Value / ra.MedianMs!.Value).ToString("0.000", CultureInfo.InvariantCulture)
                    : "–");
            if (anyBlas)
                cells.AddRange(columns.Select(c => Find(c, name) is { IsOk: true, RatioToOpenBlas: { } o } ? MarkdownReport.Ratio(o) : "–"));
            sb.AppendLine("| " + string.Join(" | ", cells) + " |");
        }
        return sb.ToString();
    }

    private static List<(string Title, (Input, string) A, (Input, string) B)> RatioColumns(IReadOnlyList<Input> inputs, (Input Input, string Device)[] columns)
    {
        var result = new List<(string, (Input, string), (Input, string))>();
        if (inputs.Count == 1)
        {
            if (columns.Length == 2)
                result.Add(($"`{columns[1].Device}` / `{columns[0].Device}`", columns[0], columns[1]));
            return result;
        }
        var (ia, ib) = (inputs[0], inputs[1]);
        var shared = ia.Report.Devices.Select(d => d.Id).Intersect(ib.Report.Devices.Select(d => d.Id)).ToArray();
        foreach (var d in shared)
            result.Add(($"{ib.Label}/{ia.Label} `{d}`", (ia, d), (ib, d)));
        if (shared.Length == 0 && ia.Report.Devices.Count == 1 && ib.Report.Devices.Count == 1)
        {
            string da = ia.Report.Devices[0].Id, db = ib.Report.Devices[0].Id;
            result.Add(($"{ib.Label} `{db}` / {ia.Label} `{da}`", (ia, da), (ib, db)));
        }
        return result;
    }
}
