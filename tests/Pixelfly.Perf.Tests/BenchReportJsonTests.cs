using System.Text.Json.Nodes;
using Pixelfly.Perf.Reports;

namespace Pixelfly.Perf.Tests;

public sealed class BenchReportJsonTests
{
    private static string Json(BenchReport? r = null) => BenchReportJson.Serialize(r ?? TestReports.Simple());

    private static string Mutate(Action<JsonObject> change)
    {
        var o = JsonNode.Parse(Json())!.AsObject();
        change(o);
        return o.ToJsonString();
    }

    private static string Fails(string json) =>
        Assert.Throws<BenchFormatException>(() => BenchReportJson.Deserialize(json, "r.json"))!.Message;

    [Test]
    public void AReportRoundTrips()
    {
        var report = TestReports.Report([TestReports.Device(), TestReports.Device("ref")],
            [TestReports.Case("a", 1), TestReports.Skipped("a")]);
        var back = BenchReportJson.Deserialize(BenchReportJson.Serialize(report), "r.json");
        Assert.That(BenchReportJson.Serialize(back), Is.EqualTo(BenchReportJson.Serialize(report)));
        Assert.That(back.Results[0].Baselines.Select(b => b.Name), Is.EqualTo(new[] { "dense", "openblas" }));
    }

    [Test]
    public void EveryCaseCarriesNameMedianAndNamedBaselinesWithMedians()
    {
        // The shape issue 3 requires of the cpu-headline JSON.
        var o = JsonNode.Parse(Json())!;
        foreach (var r in o["results"]!.AsArray())
        {
            Assert.That((string?)r!["name"], Is.Not.Empty);
            Assert.That((double)r["medianMs"]!, Is.GreaterThan(0));
            foreach (var b in r["baselines"]!.AsArray())
            {
                Assert.That((string?)b!["name"], Is.Not.Empty);
                Assert.That((double)b["medianMs"]!, Is.GreaterThan(0));
            }
        }
        Assert.That((string?)o["format"], Is.EqualTo("pixelfly.bench"));
        Assert.That((string?)o["commit"], Is.EqualTo("0123456789abcdef"));
        Assert.That((string?)o["openBlas"]!["coreName"], Is.EqualTo("Cooperlake"));
        Assert.That((int)o["settings"]!["trials"]!, Is.EqualTo(3));
        Assert.That((string?)o["devices"]![0]!["capabilities"]!["threads"], Is.EqualTo("2"));
    }

    [Test]
    public void NotJsonIsRejectedWithTheFileName()
    {
        Assert.That(Fails("this is not json"), Does.StartWith("r.json: not a valid bench result file"));
        Assert.That(Fails("null"), Does.StartWith("r.json: not a valid bench result file"));
        Assert.That(Fails("[1, 2]"), Does.StartWith("r.json: not a valid bench result file"));
    }

    [Test]
    public void AnotherFormatOrVersionIsRejected()
    {
        Assert.That(Fails(Mutate(o => o["format"] = "pixelfly.certificate")), Does.Contain("\"format\" is 'pixelfly.certificate', expected 'pixelfly.bench'"));
        Assert.That(Fails(Mutate(o => o["version"] = 99)), Does.Contain("schema version 99 is not supported (this build reads versions 1 to 2)"));
        Assert.That(Fails(Mutate(o => o["version"] = 0)), Does.Contain("schema version 0 is not supported"));
    }

    [Test]
    public void AVersionOneFileWrittenBeforeTheGuardClocksAndTrafficStillReads()
    {
        string v1 = Mutate(o =>
        {
            o["version"] = 1;
            foreach (var d in o["devices"]!.AsArray())
                foreach (var key in new[] { "bandwidthGbPerSecond", "bandwidthNote" }) d!.AsObject().Remove(key);
            foreach (var r in o["results"]!.AsArray())
            {
                foreach (var key in new[] { "clock", "hostSamplesMs", "deviceSamplesMs", "minimalBytes", "gbPerSecond", "percentOfBandwidth", "conformance" })
                    r!.AsObject().Remove(key);
                foreach (var b in r!["baselines"]!.AsArray()) b!.AsObject().Remove("clock");
            }
        });
        var report = BenchReportJson.Deserialize(v1, "old.json");
        Assert.That(report.Version, Is.EqualTo(1));
        Assert.That(report.Results[0].Clock, Is.Null);
        Assert.That(report.Results[0].Conformance, Is.Null);
        Assert.That(MarkdownReport.Write(report), Does.Contain("| `linear-sparse/forward/x` |"), "an old file still renders");
    }

    [Test]
    public void AConformanceFailedResultIsValidOnlyWithoutTimings()
    {
        var report = TestReports.Report([TestReports.Device()], [TestReports.ConformanceFailed("k")]);
        var back = BenchReportJson.Deserialize(BenchReportJson.Serialize(report), "r.json");
        Assert.That(back.Results[0].Status, Is.EqualTo("conformance-failed"));
        Assert.That(back.Results[0].Conformance!.Failures, Has.Count.EqualTo(1));

        var o = JsonNode.Parse(BenchReportJson.Serialize(report))!.AsObject();
        o["results"]![0]!["medianMs"] = 1.5;
        Assert.That(Fails(o.ToJsonString()), Does.Contain("a conformance-failed result must carry no timing"));
    }

    [Test]
    public void TheClockMustBeHostOrDeviceAndADeviceClockNeedsItsSamples()
    {
        Assert.That(Fails(Mutate(o => o["results"]![0]!["clock"] = "sundial")), Does.Contain("\"clock\" is 'sundial', expected host or device"));
        Assert.That(Fails(Mutate(o => o["results"]![0]!["clock"] = "device")), Does.Contain("needs \"deviceSamplesMs\""));
    }

    [Test]
    public void AMissingRequiredMemberIsNamed()
    {
        string message = Fails(Mutate(o => o["results"]![0]!.AsObject().Remove("medianMs")));
        Assert.That(message, Does.Contain("medianMs"));
        Assert.That(Fails(Mutate(o => o.Remove("results"))), Does.Contain("results"));
        Assert.That(Fails(Mutate(o => o["results"]![0]!["baselines"]![0]!.AsObject().Remove("name"))), Does.Contain("name"));
    }

    [Test]
    public void AnUnknownMemberOrAWrongTypeIsRejectedWithItsPath()
    {
        Assert.That(Fails(Mutate(o => o["results"]![0]!["speedup"] = 2)), Does.Contain("speedup"));
        Assert.That(Fails(Mutate(o => o["results"]![0]!["medianMs"] = "fast")), Does.Contain("$.results[0].medianMs"));
    }

    [Test]
    public void AnOkResultWithoutTimesOrANullNameIsRejected()
    {
        Assert.That(Fails(Mutate(o => o["results"]![0]!["medianMs"] = null)), Does.Contain("an ok result needs positive \"medianMs\""));
        Assert.That(Fails(Mutate(o => o["results"]![0]!["name"] = null)), Does.Contain("name"));
    }

    [Test]
    public void ResultsMustNameAListedDeviceOnceAndSkippedOnesNeedAReason()
    {
        Assert.That(Fails(Mutate(o => o["results"]![0]!["device"] = "vulkan:0")), Does.Contain("device 'vulkan:0' is not in \"devices\""));
        Assert.That(Fails(Mutate(o => o["results"]![1]!["name"] = (string?)o["results"]![0]!["name"])), Does.Contain("appears twice"));
        Assert.That(Fails(Mutate(o =>
        {
            o["results"]![0]!["status"] = "skipped";
            o["results"]![0]!["reason"] = null;
        })), Does.Contain("needs a \"reason\""));
    }

    [Test]
    public void LoadNamesAMissingFileOrAFolder()
    {
        string missing = Path.Combine(Path.GetTempPath(), "pixelfly-" + Guid.NewGuid().ToString("N") + ".json");
        Assert.That(Assert.Throws<BenchFormatException>(() => BenchReportJson.Load(missing))!.Message, Does.Contain("does not exist"));
        Assert.That(Assert.Throws<BenchFormatException>(() => BenchReportJson.Load(Path.GetTempPath()))!.Message, Does.Contain("is a folder"));
    }
}
