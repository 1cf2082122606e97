using System.Globalization;
using System.Text;

namespace Pixelfly.Conformance;

/// <summary>Writes the Markdown summary of a <see cref="ConformanceReport"/>.</summary>
internal static class MarkdownSummary
{
    public static string Write(ConformanceReport report)
    {
        var sb = new StringBuilder();
        var d = report.Device;
        sb.Append(CultureInfo.InvariantCulture, $"# Pixelfly conformance: {d.Id} — {(report.Certified ? "CERTIFIED" : "NOT CERTIFIED")}\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"- Device: `{d.Id}` {d.Name} (backend {d.Backend}, driver {d.Driver})\n");
        sb.Append(CultureInfo.InvariantCulture, $"- Reference: `{report.Reference.Id}` {report.Reference.Name}\n");
        sb.Append(CultureInfo.InvariantCulture, $"- Pixelfly commit: `{report.PixelflyCommit}`\n");
        sb.Append(CultureInfo.InvariantCulture, $"- Suite v{report.SuiteVersion}, corpus sha256 `{report.CorpusSha256}`\n");
        sb.Append(CultureInfo.InvariantCulture, $"- Run at {report.Timestamp:yyyy-MM-dd HH:mm:ss} UTC{(report.VerifyExpectedFailures ? ", expected failures verified" : "")}\n\n");

        sb.Append("| Status | Cases |\n|---|---:|\n");
        foreach (var (status, n) in report.Counts)
            sb.Append(CultureInfo.InvariantCulture, $"| {CaseResult.Label(status)} | {n} |\n");
        sb.Append(CultureInfo.InvariantCulture, $"| **Total** | **{report.Results.Count}** |\n\n");

        var notable = report.Results.Where(r => r.Status != CaseStatus.Pass).ToList();
        if (notable.Count == 0)
        {
            sb.Append("Every case passed.\n");
            return sb.ToString();
        }
        sb.Append("| Case | Status | Worst NMSE | Worst max rel | Detail | Rerun |\n|---|---|---:|---:|---|---|\n");
        foreach (var r in notable)
        {
            string nmse = r.Outputs.Count == 0 ? "" : r.WorstNmse.ToString("0.##e+0", CultureInfo.InvariantCulture);
            string rel = r.Outputs.Count == 0 ? "" : r.WorstMaxRelError.ToString("0.##e+0", CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture,
                $"| `{r.CaseId}` | {CaseResult.Label(r.Status)} | {nmse} | {rel} | {Escape(r.Detail)} | `{report.RerunCommand(r)}` |\n");
        }
        return sb.ToString();
    }

    private static string Escape(string? s) => (s ?? "").Replace("|", "\\|").Replace("\r", " ").Replace("\n", " ");
}
