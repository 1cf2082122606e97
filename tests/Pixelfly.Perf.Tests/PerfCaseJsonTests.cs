using System.Text.Json.Nodes;
using Pixelfly.Ir.Json;
using Pixelfly.Perf.Cases;

namespace Pixelfly.Perf.Tests;

public sealed class PerfCaseJsonTests
{
    private static PerfCase Forward => PerfCatalog.Suite(PerfCatalog.Smoke).First(c => c.Kind == PerfCaseKind.Forward);

    private static string Mutate(Action<JsonObject> change)
    {
        var o = JsonNode.Parse(PerfCaseJson.Serialize(Forward))!.AsObject();
        change(o);
        return o.ToJsonString();
    }

    private static string Fails(string line) =>
        Assert.Throws<BenchFormatException>(() => PerfCaseJson.Deserialize(line, "cases.jsonl line 1"))!.Message;

    [Test]
    public void EveryKindOfCaseRoundTrips()
    {
        foreach (var c in PerfCatalog.Suite(PerfCatalog.Smoke))
        {
            string line = PerfCaseJson.Serialize(c);
            var back = PerfCaseJson.Deserialize(line, "x");
            Assert.That(PerfCaseJson.Serialize(back), Is.EqualTo(line), c.Id);
            Assert.That((back.Id, back.Kind, back.UsefulFlops, back.DenseFlops, back.DenseShape, back.BlockSize, back.Density),
                Is.EqualTo((c.Id, c.Kind, c.UsefulFlops, c.DenseFlops, c.DenseShape, c.BlockSize, c.Density)), c.Id);
            Assert.That(GraphJson.Serialize(back.Program.Graph), Is.EqualTo(GraphJson.Serialize(c.Program.Graph)), c.Id);
            Assert.That(back.Program.Inputs, Is.EqualTo(c.Program.Inputs), c.Id);
        }
    }

    [Test]
    public void TheProgramIsStoredInTheConformanceCaseForm()
    {
        var o = JsonNode.Parse(PerfCaseJson.Serialize(Forward))!;
        Assert.That((string?)o["program"]!["class"], Is.EqualTo("numeric"));
        Assert.That((string?)o["program"]!["inputs"]![0]!["kind"], Is.EqualTo("uniform"));
        Assert.That((string?)o["program"]!["graph"]!["format"], Is.EqualTo("pixelfly.graph"));
    }

    [Test]
    public void MalformedLinesAreRejectedWithWhereAndWhat()
    {
        Assert.That(Fails("{not json"), Does.StartWith("cases.jsonl line 1: malformed JSON"));
        Assert.That(Fails(Mutate(o => o["format"] = "pixelfly.graph")), Does.Contain("\"format\" is 'pixelfly.graph'"));
        Assert.That(Fails(Mutate(o => o["speed"] = 1)), Does.Contain("unknown property 'speed'"));
        Assert.That(Fails(Mutate(o => o["kind"] = "sideways")), Does.Contain("unknown kind 'sideways'"));
        Assert.That(Fails(Mutate(o => o.Remove("usefulFlops"))), Does.Contain("missing required property \"usefulFlops\""));
        Assert.That(Fails(Mutate(o => o["usefulFlops"] = -1)), Does.Contain("FLOP counts must be positive"));
        Assert.That(Fails(Mutate(o => o["program"]!["inputs"]!.AsArray().RemoveAt(0))), Does.Contain("no input spec for 'x'"));
    }

    [Test]
    public void AFileWithADuplicateIdOrNoCasesIsRejected()
    {
        string path = Path.Combine(Path.GetTempPath(), "pixelfly-perf-" + Guid.NewGuid().ToString("N") + ".jsonl");
        try
        {
            File.WriteAllText(path, PerfCaseJson.ToJsonl([Forward, Forward]));
            Assert.That(Assert.Throws<BenchFormatException>(() => PerfCaseJson.Load(path))!.Message, Does.Contain("line 2: case id").And.Contain("appears twice"));
            File.WriteAllText(path, "\n\n");
            Assert.That(Assert.Throws<BenchFormatException>(() => PerfCaseJson.Load(path))!.Message, Does.Contain("holds no cases"));
            File.WriteAllText(path, PerfCaseJson.ToJsonl(PerfCatalog.Suite(PerfCatalog.Smoke)));
            Assert.That(PerfCaseJson.Load(path).Select(c => c.Id), Is.EqualTo(PerfCatalog.Suite(PerfCatalog.Smoke).Select(c => c.Id)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
