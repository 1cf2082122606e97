using Pixelfly.Devices;

namespace Pixelfly.Conformance;

/// <summary>
/// The results of a conformance run with their provenance: the certificate (<see cref="ToJson"/>) and the Markdown
/// summary (<see cref="ToMarkdown"/>). Certified means zero Fail, zero Error, zero UnexpectedPass (counted only when
/// expected failures are verified) and at least one Pass.
/// </summary>
public sealed class ConformanceReport
{
    /// <summary>Builds a report from results and provenance.</summary>
    public ConformanceReport(
        DeviceInfo device,
        DeviceInfo reference,
        IReadOnlyList<CaseResult> results,
        bool verifyExpectedFailures,
        string corpusSha256,
        string pixelflyCommit,
        DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(corpusSha256);
        ArgumentNullException.ThrowIfNull(pixelflyCommit);
        Device = device;
        Reference = reference;
        Results = results;
        VerifyExpectedFailures = verifyExpectedFailures;
        CorpusSha256 = corpusSha256;
        PixelflyCommit = pixelflyCommit;
        Timestamp = timestamp.ToUniversalTime();
        Counts = Enum.GetValues<CaseStatus>().ToDictionary(s => s, s => results.Count(r => r.Status == s));
    }

    /// <summary>The device under test.</summary>
    public DeviceInfo Device { get; }

    /// <summary>The oracle it was judged against.</summary>
    public DeviceInfo Reference { get; }

    /// <summary>Per-case results in run order.</summary>
    public IReadOnlyList<CaseResult> Results { get; }

    /// <summary>Whether an UnexpectedPass counts against certification.</summary>
    public bool VerifyExpectedFailures { get; }

    /// <summary>SHA-256 of the corpus the cases came from.</summary>
    public string CorpusSha256 { get; }

    /// <summary>The suite version (<see cref="Corpus.SuiteVersion"/>).</summary>
    public int SuiteVersion => Corpus.SuiteVersion;

    /// <summary>The Pixelfly commit (<see cref="Provenance.PixelflyCommit"/>).</summary>
    public string PixelflyCommit { get; }

    /// <summary>When the run finished (UTC).</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Number of results per status (every status present, possibly 0).</summary>
    public IReadOnlyDictionary<CaseStatus, int> Counts { get; }

    /// <summary>Cases that passed.</summary>
    public int Passed => Counts[CaseStatus.Pass];

    /// <summary>Cases that failed a check.</summary>
    public int Failed => Counts[CaseStatus.Fail];

    /// <summary>Cases that threw.</summary>
    public int Errors => Counts[CaseStatus.Error];

    /// <summary>Cases not supported (device or manifest).</summary>
    public int Unsupported => Counts[CaseStatus.Unsupported];

    /// <summary>Expected failures that failed.</summary>
    public int ExpectedFailures => Counts[CaseStatus.ExpectedFailure];

    /// <summary>Expected failures that passed.</summary>
    public int UnexpectedPasses => Counts[CaseStatus.UnexpectedPass];

    /// <summary>Zero Fail, zero Error, zero UnexpectedPass when verifying expected failures, and at least one Pass.</summary>
    public bool Certified => Failed == 0 && Errors == 0 && (!VerifyExpectedFailures || UnexpectedPasses == 0) && Passed > 0;

    /// <summary>The command that reruns one case on this report's device.</summary>
    public string RerunCommand(CaseResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return $"pixelfly conformance --device {Device.Id} --case {r.CaseId}";
    }

    /// <summary>The certificate: indented JSON (fields in docs/conformance.md).</summary>
    public string ToJson() => CertificateJson.Write(this);

    /// <summary>A Markdown summary: provenance, counts, and one table row per case that did not simply pass, with its rerun command.</summary>
    public string ToMarkdown() => MarkdownSummary.Write(this);
}
