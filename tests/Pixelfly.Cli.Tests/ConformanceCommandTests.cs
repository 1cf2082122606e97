using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pixelfly.Conformance;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Cli.Tests;

public sealed class ConformanceCommandTests : ScratchFolder
{
    private static ConformanceCase ExpCase()
    {
        var b = new GraphBuilder();
        b.Output("y", b.Exp(b.Input("x", DType.F32, 3, 5)));
        return new ConformanceCase("cli/exp", ["op:exp"], CaseClass.Numeric, b.Build(), [InputSpec.Uniform("x", -1, 1, 11)]);
    }

    private static ConformanceCase MatMulCase()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 4, 6);
        var w = b.Parameter("w", DType.F32, 5, 6);
        b.Output("y", b.MatMul(x, w, transB: true));
        return new ConformanceCase("cli/matmul", ["op:matmul"], CaseClass.Numeric, b.Build(),
            [InputSpec.Uniform("x", -1, 1, 12), InputSpec.Uniform("w", -1, 1, 13)]);
    }

    private string WriteCases() => Write("cases.jsonl", Corpus.ToJsonl([ExpCase(), MatMulCase()]));

    [SetUp]
    public void RegisterTestDevices() => OffByOneBackend.Register();

    [Test]
    public void TheReferenceCertifiesItselfAndSaysItIsOnlyASelfCheck()
    {
        string cases = WriteCases();
        string cert = PathOf("cert.json"), summary = PathOf("summary.md");
        string stdout = CliHarness.Succeeds("conformance", "--device", "ref", "--cases", cases, "--report", cert, "--summary", summary);

        Assert.That(stdout, Does.Contain("self-check"));
        Assert.That(stdout, Does.Match(@"(?m)^PASS\s+cli/exp nmse="));
        Assert.That(stdout, Does.Match(@"(?m)^PASS\s+cli/matmul nmse="));
        Assert.That(stdout, Does.Match(@"(?m)^PASS\s+2$"));
        Assert.That(stdout, Does.Match(@"(?m)^FAIL\s+0$"));
        Assert.That(stdout, Does.Contain("CERTIFIED: ref passes 2 of 2"));

        var json = JsonNode.Parse(File.ReadAllText(cert))!;
        Assert.That((bool)json["certified"]!, Is.True);
        Assert.That((string)json["device"]!["id"]!, Is.EqualTo("ref"));
        Assert.That((string)json["corpus_sha256"]!, Is.EqualTo(Corpus.FileSha256(cases)));
        Assert.That(json["results"]!.AsArray().Select(r => (string)r!["id"]!), Is.EqualTo(new[] { "cli/exp", "cli/matmul" }));
        Assert.That(File.ReadAllText(summary), Does.StartWith("# Pixelfly conformance: ref — CERTIFIED"));
    }

    [Test]
    public void AWrongDeviceIsNotCertifiedAndEveryFailureGetsItsRerunCommand()
    {
        string cases = WriteCases();
        string cert = PathOf("cert.json"), summary = PathOf("summary.md");
        var r = CliHarness.Run("conformance", "--device", OffByOneBackend.BackendName, "--cases", cases, "--report", cert, "--summary", summary);

        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Out, Does.Not.Contain("self-check"));
        Assert.That(r.Out, Does.Match(@"(?m)^FAIL\s+cli/exp nmse=.* — output 'y'"));
        Assert.That(r.Out, Does.Match(@"(?m)^FAIL\s+cli/matmul "));
        Assert.That(r.Out, Does.Match(@"(?m)^FAIL\s+2$"));
        Assert.That(r.Out, Does.Contain("NOT CERTIFIED"));
        foreach (var id in new[] { "cli/exp", "cli/matmul" })
            Assert.That(r.Out, Does.Contain($"pixelfly conformance --device {OffByOneBackend.BackendName} --case {id} --cases {cases}"));
        Assert.That(r.Error.Trim(), Does.StartWith("error: device 'offbyone' is not certified: 2 failed"));

        // The certificate and summary are written for an uncertified device too: they are the evidence.
        Assert.That((bool)JsonNode.Parse(File.ReadAllText(cert))!["certified"]!, Is.False);
        Assert.That(File.ReadAllText(summary), Does.Contain("NOT CERTIFIED").And.Contain("cli/matmul"));
    }

    [Test]
    public void ThePrintedRerunCommandRunsExactlyThatCase()
    {
        string cases = WriteCases();
        var first = CliHarness.Run("conformance", "--device", OffByOneBackend.BackendName, "--cases", cases);
        var rerun = Regex.Match(first.Out, @"pixelfly (conformance --device \S+ --case cli/matmul --cases \S+)").Groups[1].Value;
        Assert.That(rerun, Is.Not.Empty, first.ToString());

        var again = CliHarness.Run(rerun.Split(' '));
        Assert.That(again.ExitCode, Is.EqualTo(1), again.ToString());
        Assert.That(again.Out, Does.Contain("1 case(s)"));
        Assert.That(again.Out, Does.Match(@"(?m)^FAIL\s+cli/matmul "));
        Assert.That(again.Out, Does.Not.Contain("cli/exp"));
    }

    [Test]
    public void AnUnknownCaseIdIsAnErrorThatSuggestsSimilarIds() =>
        CliHarness.Fails(1, ["conformance", "--device", "ref", "--cases", WriteCases(), "--case", "cli/matmull"],
            "no case 'cli/matmull'", "2 cases", "similar ids: cli/matmul");

    [Test]
    public void AMissingCaseFileIsAnErrorNamingIt() =>
        CliHarness.Fails(1, ["conformance", "--device", "ref", "--cases", PathOf("nope.jsonl")], "cannot read case file", "nope.jsonl");

    [Test]
    public void AMalformedCaseFileIsAnErrorNamingTheLine()
    {
        string cases = Write("cases.jsonl", Corpus.ToJsonl([ExpCase()]) .Concat("{ not json\n"u8.ToArray()).ToArray());
        CliHarness.Fails(1, ["conformance", "--device", "ref", "--cases", cases], "cases.jsonl line 2");
    }

    [Test]
    public void AReportInAMissingFolderFailsBeforeAnythingRuns()
    {
        var r = CliHarness.Run("conformance", "--device", "ref", "--cases", WriteCases(), "--report", Path.Combine(Dir, "no", "cert.json"));
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Error, Does.Contain("does not exist"));
        Assert.That(r.Out, Is.Empty, "nothing ran");
        AssertFolderHolds("cases.jsonl");
    }

    [Test]
    public void AnUnknownDeviceIsAnErrorAndWritesNothing()
    {
        CliHarness.Fails(1, ["conformance", "--device", "quantum", "--cases", WriteCases(), "--report", PathOf("cert.json")], "unknown device 'quantum'");
        AssertFolderHolds("cases.jsonl");
    }

    [Test]
    public void AnExistingCertificateIsReplacedOnlyByACompleteRun()
    {
        string cert = Write("cert.json", "previous");
        CliHarness.Fails(1, ["conformance", "--device", "quantum", "--cases", WriteCases(), "--report", cert], "unknown device");
        Assert.That(File.ReadAllText(cert), Is.EqualTo("previous"));
        CliHarness.Succeeds("conformance", "--device", "ref", "--cases", PathOf("cases.jsonl"), "--report", cert);
        Assert.That((bool)JsonNode.Parse(File.ReadAllText(cert))!["certified"]!, Is.True);
    }

    [Test]
    public void OneCaseOfTheBuiltInCorpusRunsByItsId()
    {
        var corpus = Corpus.LoadDefault();
        string id = corpus[0].Id;
        string stdout = CliHarness.Succeeds("conformance", "--device", "ref", "--case", id);
        Assert.That(stdout, Does.Contain($"built-in {Corpus.DefaultFileName}: 1 case(s)"));
        Assert.That(stdout, Does.Match($@"(?m)^PASS\s+{Regex.Escape(id)}( |$)"));
    }
}
