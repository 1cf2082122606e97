namespace Pixelfly.Perf.Reports;

/// <summary>
/// The correctness check a case passed (or failed) on a device before it was timed (docs/PERFORMANCE.md, "The
/// conformance guard"): the conformance corpus cases that run the same op signatures, judged against the reference;
/// the case's own program against the reference when it is small; and its own outputs for NaN/Inf after the warm-up.
/// </summary>
/// <param name="Status">"passed", "failed" or "not-checked".</param>
/// <param name="Note">One line: what was checked, or why nothing was.</param>
/// <param name="CorpusCases">Ids of the conformance cases that vouch for this case on the device (run once per device and
/// bench invocation, shared between cases).</param>
/// <param name="Failures">"id (STATUS): detail" of every check that failed; empty when passed.</param>
/// <param name="Uncovered">Op signatures of the case that no supported corpus case exercises (not evidence either way).</param>
public sealed record ConformanceCheck(
    string Status,
    string Note,
    IReadOnlyList<string> CorpusCases,
    IReadOnlyList<string> Failures,
    IReadOnlyList<string> Uncovered)
{
    /// <summary>Every check passed.</summary>
    public const string PassedStatus = "passed";

    /// <summary>Some check failed: the case gets no timing.</summary>
    public const string FailedStatus = "failed";

    /// <summary>No check ran (the device is the reference itself, or no guard was configured).</summary>
    public const string NotCheckedStatus = "not-checked";

    /// <summary>True unless a check failed.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Failed => Status == FailedStatus;

    /// <summary>A check that did not run, with the reason.</summary>
    public static ConformanceCheck NotChecked(string why) => new(NotCheckedStatus, why, [], [], []);
}
