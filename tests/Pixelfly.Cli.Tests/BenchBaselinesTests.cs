namespace Pixelfly.Cli.Tests;

// `pixelfly bench --compare A.json --baselines torch.json`: issue 6's goals table, as scripts/gpu-check prints it last.
public sealed class BenchBaselinesTests : ScratchFolder
{
    private const string Case = "linear-sparse/forward/128x128/t64/b16-s8-f2";

    private string TinyBench()
    {
        string json = PathOf("out.json");
        CliHarness.Succeeds("bench", "--device", "cpu", "--suite", "smoke", "--case", Case, "--trials", "1", "--min-trial-ms", "1", "--json", json);
        return json;
    }

    [Test]
    public void TheGoalsTableSetsEachCaseAgainstCublasAndTorchBsr()
    {
        string json = TinyBench();
        string torch = Write("torch.json", $$"""
            {"format": "pixelfly.external-baselines", "version": 1, "available": true, "reason": null, "source": "torch test",
             "device": "test GPU", "method": "events", "results": [
              {"case": "{{Case}}", "baseline": "cublas", "status": "ok", "description": "d", "medianMs": 0.01, "minMs": 0.01, "maxMs": 0.02, "runs": 3},
              {"case": "{{Case}}", "baseline": "torch-bsr", "status": "skipped", "description": "d", "reason": "no kernel"}]}
            """);
        string md = CliHarness.Succeeds("bench", "--compare", json, "--baselines", torch);
        Assert.That(md, Does.StartWith("Goals (issue 6): `cpu`"));
        Assert.That(md, Does.Contain("baselines: torch test on test GPU"));
        // Structure only, never timing values: the row has our time, cuBLAS's 0.01 ms and a verdict.
        Assert.That(md, Does.Match($@"(?m)^\| {System.Text.RegularExpressions.Regex.Escape(Case)} \| [0-9.]+ \| 0\.01 \| [0-9.]+ \| [0-9.]+ \| 37\.5 / 37\.5 \| - \| - \| (MISS|MUST|TARGET) \|"));
        Assert.That(md.TrimEnd(), Does.EndWith("of 1 case(s)"));
    }

    [Test]
    public void BadBaselinesAndMisplacedOptionsAreClearErrors()
    {
        string json = TinyBench();
        CliHarness.Fails(1, ["bench", "--compare", json, "--baselines", Write("bad.json", "{\"format\": \"x\"}")], "bad.json", "\"format\" is 'x'");
        CliHarness.Fails(1, ["bench", "--compare", json, "--baselines", PathOf("missing.json")], "does not exist");
        CliHarness.Fails(2, ["bench", "--compare", json, json, "--baselines", PathOf("t.json")], "--baselines sets one result file");
        CliHarness.Fails(2, ["bench", "--suite", "smoke", "--baselines", PathOf("t.json")], "--baselines is read with --compare");
    }
}
