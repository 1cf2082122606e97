using System.Globalization;

namespace Pixelfly.Conformance;

/// <summary>The result of one case on one device.</summary>
/// <param name="CaseId">The case.</param>
/// <param name="Status">The outcome.</param>
/// <param name="Outputs">Per-output metrics (empty when the case did not run).</param>
/// <param name="LossCurve">Per-step losses of a multi-step case, else null.</param>
/// <param name="Detail">Why it failed, was unsupported or errored (null on a plain pass).</param>
/// <param name="ElapsedMs">Wall time of the case: both devices, compile and checks.</param>
public sealed record CaseResult(
    string CaseId,
    CaseStatus Status,
    IReadOnlyList<OutputMetrics> Outputs,
    IReadOnlyList<StepLoss>? LossCurve,
    string? Detail,
    double ElapsedMs)
{
    /// <summary>The largest NMSE over the outputs (0 when none).</summary>
    public double WorstNmse => Outputs.Select(o => o.Nmse).DefaultIfEmpty(0).Max();

    /// <summary>The largest max-relative-error over the outputs (0 when none).</summary>
    public double WorstMaxRelError => Outputs.Select(o => o.MaxRelError).DefaultIfEmpty(0).Max();

    /// <summary>The status as a short upper-case word ("PASS", "XFAIL").</summary>
    public static string Label(CaseStatus status) => status switch
    {
        CaseStatus.Pass => "PASS",
        CaseStatus.Fail => "FAIL",
        CaseStatus.Unsupported => "UNSUPPORTED",
        CaseStatus.ExpectedFailure => "XFAIL",
        CaseStatus.UnexpectedPass => "XPASS",
        CaseStatus.Error => "ERROR",
        _ => status.ToString(),
    };

    /// <inheritdoc/>
    public override string ToString()
    {
        string metrics = Outputs.Count == 0 ? "" :
            string.Create(CultureInfo.InvariantCulture, $" nmse={WorstNmse:0.##e+0} maxrel={WorstMaxRelError:0.##e+0}");
        string detail = Detail is null ? "" : $" — {Detail}";
        return string.Create(CultureInfo.InvariantCulture, $"{Label(Status),-11} {CaseId}{metrics} ({ElapsedMs:0} ms){detail}");
    }
}
