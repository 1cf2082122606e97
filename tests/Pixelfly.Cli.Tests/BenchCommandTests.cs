using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace Pixelfly.Cli.Tests;

public sealed class BenchCommandTests : ScratchFolder
{
    // The smallest real run: one tiny case, one short trial each; checks structure, never timing values.
    private static readonly string[] Tiny = ["bench", "--device", "cpu", "--suite", "smoke", "--case", "linear-sparse/forward/*", "--trials", "1", "--min-trial-ms", "1"];

    private string RunTinyBench(params string[] extra)
    {
        string json = PathOf("out.json");
        CliHarness.Succeeds([.. Tiny, "--json", json, .. extra]);
        return json;
    }

    [Test]
    public void ATinyBenchWritesValidJsonAPngAndAMarkdownTable()
    {
        string json = PathOf("out.json"), png = PathOf("out.png");
        var r = CliHarness.Run([.. Tiny, "--json", json, "--plot", png]);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());

        Assert.That(r.Out, Does.Contain("| case (`cpu`) | b | density | median ms [min–max] |"));
        Assert.That(r.Out, Does.Match(@"(?m)^\| `linear-sparse/forward/128x128/t64/b16-s8-f2` \| 16 \| 0\.375 \| "));
        Assert.That(r.Error, Does.Contain("[1/1] cpu linear-sparse/forward/"));

        var o = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.That((string?)o["format"], Is.EqualTo("pixelfly.bench"));
        Assert.That((string?)o["devices"]![0]!["id"], Is.EqualTo("cpu"));
        Assert.That((int)o["settings"]!["trials"]!, Is.EqualTo(1));
        var result = o["results"]!.AsArray().Single()!;
        Assert.That((string?)result["name"], Is.EqualTo("linear-sparse/forward/128x128/t64/b16-s8-f2"));
        Assert.That((string?)result["status"], Is.EqualTo("ok"));
        Assert.That(result["medianMs"]!.GetValue<double>(), Is.GreaterThan(0));
        Assert.That((string?)result["clock"], Is.EqualTo("host"), "the CPU has no device clock");
        Assert.That(result["gbPerSecond"]!.GetValue<double>(), Is.GreaterThan(0));
        Assert.That((string?)result["conformance"]!["status"], Is.EqualTo("passed"), "checked against the reference before timing");
        Assert.That(result["conformance"]!["corpusCases"]!.AsArray().Select(c => (string?)c), Does.Contain("bsmm/dds/b16/butterfly/ta0-tb1"));
        var baselines = result["baselines"]!.AsArray().Select(b => (string?)b!["name"]).ToArray();
        Assert.That(baselines, Does.Contain("dense"));
        foreach (var b in result["baselines"]!.AsArray())
            Assert.That(b!["medianMs"]!.GetValue<double>(), Is.GreaterThan(0));

        var bytes = File.ReadAllBytes(png);
        Assert.That(bytes.Take(4), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47 }));
        Assert.That(BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), Is.GreaterThan(0));
        AssertFolderHolds("out.json", "out.png");
    }

    [Test]
    public void AResultComparedWithItselfHasRatiosOfOne()
    {
        string json = RunTinyBench();
        string md = CliHarness.Succeeds("bench", "--compare", json, json);
        Assert.That(md, Does.Match(@"\| `linear-sparse/forward/128x128/t64/b16-s8-f2` \| [0-9.]+ \| [0-9.]+ \| 1\.000 \|"));
    }

    [Test]
    public void APlotCanBeRedrawnFromOneResultFile()
    {
        string json = RunTinyBench();
        CliHarness.Succeeds("bench", "--compare", json, "--plot", PathOf("again.png"));
        Assert.That(File.ReadAllBytes(PathOf("again.png")).Take(4), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47 }));
        CliHarness.Fails(2, ["bench", "--compare", json, json, "--plot", PathOf("two.png")], "draws one result file");
    }

    [Test]
    public void ListShowsTheSuitesAndTheHeadlineCases()
    {
        string o = CliHarness.Succeeds("bench", "--list", "--suite", "cpu-headline");
        Assert.That(o, Does.Contain("cpu-headline").And.Contain("smoke").And.Contain("layers"));
        Assert.That(o, Does.Contain("cases (suite cpu-headline: 10)"));
        Assert.That(o, Does.Contain("linear-sparse/dw/2048x2048/t2048/b64-s32-f3").And.Contain("gemm/2048x2048x2048"));
    }

    [Test]
    public void ExportedCasesCanBeRunFromTheFile()
    {
        string file = PathOf("cases.jsonl");
        Assert.That(CliHarness.Succeeds("bench", "--suite", "smoke", "--export-cases", file), Does.Contain("wrote 6 case(s)"));
        Assert.That(CliHarness.Succeeds("bench", "--cases", file, "--list"), Does.Contain($"cases (case file {file}: 6)"));
        CliHarness.Fails(1, ["bench", "--cases", file, "--suite", "cpu-headline", "--list"], "no case of", "is in suite 'cpu-headline'");
    }

    [Test]
    public void AnUnknownDeviceIsAnErrorBeforeAnythingRuns()
    {
        CliHarness.Fails(1, ["bench", "--device", "cpu,tpu", "--suite", "smoke"], "unknown device 'tpu'", "known backends");
        CliHarness.Fails(1, ["bench", "--device", "cpu,", "--suite", "smoke"], "empty entry");
        CliHarness.Fails(1, ["bench", "--device", "cpu,cpu", "--suite", "smoke"], "lists 'cpu' twice");
    }

    [Test]
    public void AnUnknownSuiteOrCaseIsAnError()
    {
        CliHarness.Fails(1, ["bench", "--suite", "gpu-headlines"], "unknown suite 'gpu-headlines'", "cpu-headline", "gpu-headline");
        CliHarness.Fails(1, ["bench", "--suite", "smoke", "--case", "gemm/1x1x1"], "no perf case 'gemm/1x1x1'", "similar ids: gemm/64x128x128");
        CliHarness.Fails(1, ["bench", "--cases", PathOf("missing.jsonl")], "does not exist");
        CliHarness.Fails(1, ["bench", "--cases", Write("bad.jsonl", "{\"id\": 1}\n")], "bad.jsonl line 1");
    }

    [TestCase("0")]
    [TestCase("-3")]
    [TestCase("1001")]
    public void TrialsOutOfRangeAreAnError(string trials) =>
        CliHarness.Fails(1, ["bench", "--suite", "smoke", "--trials", trials], "--trials must be between 1 and 1000");

    [Test]
    public void NonsenseNumbersAreUsageErrors()
    {
        CliHarness.Fails(2, ["bench", "--trials", "many"], "--trials", "expects an integer");
        CliHarness.Fails(2, ["bench", "--trials"], "--trials", "needs a value");
        CliHarness.Fails(1, ["bench", "--suite", "smoke", "--min-trial-ms", "0"], "--min-trial-ms must be between 1");
        CliHarness.Fails(1, ["bench", "--suite", "smoke", "--threads", "0"], "--threads must be between 1 and 4096");
    }

    [Test]
    public void OutputFilesAreCheckedBeforeRunning()
    {
        CliHarness.Fails(1, ["bench", "--suite", "smoke", "--plot", PathOf("plot.svg")], "ending in .png");
        CliHarness.Fails(1, ["bench", "--suite", "smoke", "--json", Path.Combine(Dir, "no", "such", "out.json")], "does not exist");
        CliHarness.Fails(1, ["bench", "--suite", "smoke", "--json", Dir], "is a folder");
        AssertFolderHolds();
    }

    [Test]
    public void CompareRejectsFilesThatAreNotBenchResults()
    {
        string notJson = Write("notjson.json", "hello");
        string other = Write("other.json", "{\"format\": \"pixelfly.certificate\"}");
        CliHarness.Fails(1, ["bench", "--compare", notJson], "notjson.json", "not a valid bench result file");
        CliHarness.Fails(1, ["bench", "--compare", other], "other.json", "not a valid bench result file");
        CliHarness.Fails(1, ["bench", "--compare", PathOf("missing.json")], "does not exist");
    }

    [Test]
    public void CompareRejectsAResultWithAMissingFieldAndFilesWithNothingInCommon()
    {
        string json = RunTinyBench();
        var o = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        o["results"]![0]!.AsObject().Remove("medianMs");
        string broken = Write("broken.json", o.ToJsonString());
        CliHarness.Fails(1, ["bench", "--compare", json, broken], "broken.json", "medianMs");

        var renamed = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        renamed["results"]![0]!["name"] = "some/other/case";
        string unrelated = Write("unrelated.json", renamed.ToJsonString());
        CliHarness.Fails(1, ["bench", "--compare", json, unrelated], "share no case");
    }

    [Test]
    public void CompareTakesOnlyFiles()
    {
        CliHarness.Fails(2, ["bench", "--compare"], "--compare needs one or two result files");
        CliHarness.Fails(2, ["bench", "--compare", "a.json", "--device", "cpu"], "--compare only reads result files", "--device");
        CliHarness.Fails(2, ["bench", "--compare", "a.json", "b.json", "c.json"], "unexpected argument 'c.json'");
        CliHarness.Fails(2, ["bench", "a.json"], "unexpected argument 'a.json'", "only with --compare");
    }

    [Test]
    public void ADeviceThatComputesWrongResultsGetsNoNumbersAndTheBenchFails()
    {
        OffByOneBackend.Register();
        string json = PathOf("wrong.json"), png = PathOf("wrong.png");
        var r = CliHarness.Run("bench", "--device", OffByOneBackend.BackendName, "--suite", "smoke", "--case", "linear-sparse/forward/*",
            "--trials", "1", "--min-trial-ms", "1", "--json", json, "--plot", png);

        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Out, Does.Match(@"(?m)^\| `linear-sparse/forward/128x128/t64/b16-s8-f2` \| 16 \| 0\.375 \| conformance-failed: bsmm/dds/b16/"));
        Assert.That(r.Error, Does.Contain("error: 1 case(s) failed the conformance guard and were not timed"));
        Assert.That(r.Error, Does.Contain($"note: no plot written to {png}: no case was timed"));

        var result = JsonNode.Parse(File.ReadAllText(json))!["results"]!.AsArray().Single()!;
        Assert.That((string?)result["status"], Is.EqualTo("conformance-failed"));
        Assert.That(result["medianMs"], Is.Null);
        Assert.That(result["samplesMs"], Is.Null);
        Assert.That((string?)result["conformance"]!["status"], Is.EqualTo("failed"));
        Assert.That(result["conformance"]!["failures"]!.AsArray(), Is.Not.Empty);
        AssertFolderHolds("wrong.json");
    }

    [Test]
    public void TwoDevicesGiveOneSideBySideTableAndOnePlot()
    {
        string json = PathOf("two.json"), png = PathOf("two.png");
        var r = CliHarness.Run("bench", "--device", "cpu,ref", "--suite", "smoke", "--case", "linear-sparse/forward/*,gemm/*",
            "--trials", "1", "--min-trial-ms", "1", "--json", json, "--plot", png);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());

        var headers = r.Out.Split('\n').Where(l => l.StartsWith("| case |", StringComparison.Ordinal)).ToArray();
        Assert.That(headers, Is.EqualTo(new[] { "| case | `cpu` ms [min–max] | `ref` ms [min–max] | `cpu` / its dense | `ref` / its dense | `ref` / `cpu` |" }));
        Assert.That(r.Out, Does.Match(@"(?m)^\| `gemm/64x128x128` \| [0-9.]+ \[[0-9.]+–[0-9.]+\] \| [0-9.]+ \[[0-9.]+–[0-9.]+\] \| – \| – \| [0-9.]+ \|$"));
        Assert.That(r.Out, Does.Contain("- conformance guard (`cpu`): 2 case(s) passed, 0 failed"));
        Assert.That(r.Out, Does.Contain("- conformance guard (`ref`): not checked"));
        Assert.That(r.Out, Does.Contain("| GB/s | % bw |"));

        var o = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.That(o["devices"]!.AsArray().Select(d => (string?)d!["id"]), Is.EqualTo(new[] { "cpu", "ref" }));
        foreach (var result in o["results"]!.AsArray())
        {
            Assert.That((string?)result!["status"], Is.EqualTo("ok"));
            Assert.That((string?)result["clock"], Is.EqualTo("host"));
            Assert.That(result["gbPerSecond"]!.GetValue<double>(), Is.GreaterThan(0));
            Assert.That((string?)result["conformance"]!["status"], Is.EqualTo((string?)result["device"] == "cpu" ? "passed" : "not-checked"));
        }
        Assert.That(File.ReadAllBytes(png).Take(4), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47 }));
    }
}
