using System.Text.Json.Nodes;
using Pixelfly.Devices;
using Pixelfly.Tensors;

namespace Pixelfly.Conformance.Tests;

public sealed class ReportTests
{
    private static readonly DeviceInfo Device = new("vulkan:1", "vulkan", "Test GPU", "driver 1.2.3", 1 << 30,
        new Dictionary<string, string> { ["subgroup.size"] = "32" });

    private static readonly DeviceInfo Reference = new("ref", "ref", "Reference", ".NET", 0, new Dictionary<string, string>());

    private static CaseResult Result(string id, CaseStatus status, double nmse = 1e-13) =>
        new(id, status, [new OutputMetrics("y", DType.F32, nmse, 1e-7, 3, 0, Tolerances.F32)], null,
            status == CaseStatus.Pass ? null : $"{status} detail", 1.5);

    private static ConformanceReport Report(bool verify, params CaseResult[] results) =>
        new(Device, Reference, results, verify, new string('a', 64), "abc1234", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)));

    [Test]
    public void CertificationNeedsAPassAndNoFailureErrorOrVerifiedUnexpectedPass()
    {
        Assert.That(Report(false, Result("a", CaseStatus.Pass), Result("b", CaseStatus.Unsupported), Result("c", CaseStatus.ExpectedFailure)).Certified, Is.True);
        Assert.That(Report(false, Result("a", CaseStatus.Unsupported)).Certified, Is.False);
        Assert.That(Report(false, Result("a", CaseStatus.Pass), Result("b", CaseStatus.Fail)).Certified, Is.False);
        Assert.That(Report(false, Result("a", CaseStatus.Pass), Result("b", CaseStatus.Error)).Certified, Is.False);
        Assert.That(Report(false, Result("a", CaseStatus.Pass), Result("b", CaseStatus.UnexpectedPass)).Certified, Is.True);
        Assert.That(Report(true, Result("a", CaseStatus.Pass), Result("b", CaseStatus.UnexpectedPass)).Certified, Is.False);
    }

    [Test]
    public void TheCertificateHoldsProvenanceCountsAndPerCaseResults()
    {
        var report = Report(false, Result("a", CaseStatus.Pass), Result("b", CaseStatus.Fail, double.PositiveInfinity));
        var json = JsonNode.Parse(report.ToJson())!;
        Assert.That((string?)json["device"]!["id"], Is.EqualTo("vulkan:1"));
        Assert.That((string?)json["device"]!["name"], Is.EqualTo("Test GPU"));
        Assert.That((string?)json["device"]!["driver"], Is.EqualTo("driver 1.2.3"));
        Assert.That((string?)json["device"]!["backend"], Is.EqualTo("vulkan"));
        Assert.That((string?)json["device"]!["capabilities"]!["subgroup.size"], Is.EqualTo("32"));
        Assert.That((string?)json["pixelfly_commit"], Is.EqualTo("abc1234"));
        Assert.That((int?)json["suite_version"], Is.EqualTo(Corpus.SuiteVersion));
        Assert.That((string?)json["corpus_sha256"], Is.EqualTo(new string('a', 64)));
        Assert.That((string?)json["timestamp"], Is.EqualTo("2025-01-02T01:04:05.000Z"));
        Assert.That((int?)json["counts"]!["pass"], Is.EqualTo(1));
        Assert.That((int?)json["counts"]!["fail"], Is.EqualTo(1));
        Assert.That((int?)json["counts"]!["unexpected_pass"], Is.Zero);
        Assert.That((bool?)json["certified"], Is.False);
        var results = json["results"]!.AsArray();
        Assert.That((string?)results[1]!["status"], Is.EqualTo("fail"));
        Assert.That((string?)results[1]!["detail"], Is.EqualTo("Fail detail"));
        Assert.That((string?)results[1]!["outputs"]![0]!["nmse"], Is.EqualTo("Infinity"));
        Assert.That((double?)results[0]!["outputs"]![0]!["nmse_threshold"], Is.EqualTo(Tolerances.F32.Nmse));
    }

    [Test]
    public void TheMarkdownSummaryListsProblemsWithTheirRerunCommands()
    {
        var report = Report(false, Result("ok/case", CaseStatus.Pass), Result("bad/case", CaseStatus.Fail));
        string md = report.ToMarkdown();
        Assert.That(md, Does.Contain("NOT CERTIFIED").And.Contain("| FAIL | 1 |").And.Contain("| PASS | 1 |"));
        Assert.That(md, Does.Contain("`pixelfly conformance --device vulkan:1 --case bad/case`"));
        Assert.That(md, Does.Not.Contain("--case ok/case"));
    }

    [Test]
    public void TheRerunCommandNamesTheDeviceAndTheCase()
    {
        var report = Report(false, Result("bsmm/dds/b16/butterfly/ta0-tb1", CaseStatus.Fail));
        Assert.That(report.RerunCommand(report.Results[0]), Is.EqualTo("pixelfly conformance --device vulkan:1 --case bsmm/dds/b16/butterfly/ta0-tb1"));
    }

    [Test]
    [NonParallelizable]
    public void TheCommitComesFromTheEnvironmentWhenSet()
    {
        string? before = Environment.GetEnvironmentVariable(Provenance.CommitEnvVar);
        try
        {
            Environment.SetEnvironmentVariable(Provenance.CommitEnvVar, "0123456789abcdef");
            Assert.That(Provenance.PixelflyCommit(), Is.EqualTo("0123456789abcdef"));
            Environment.SetEnvironmentVariable(Provenance.CommitEnvVar, null);
            Assert.That(Provenance.PixelflyCommit(), Does.Match("^([0-9a-f]{40}|[0-9a-f]{64}|unknown)$"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Provenance.CommitEnvVar, before);
        }
    }
}
