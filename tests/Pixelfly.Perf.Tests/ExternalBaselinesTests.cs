using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Pixelfly.Perf.Baselines;
using Pixelfly.Perf.Cases;

namespace Pixelfly.Perf.Tests;

// The file scripts/gpu/torch_baselines.py writes and `pixelfly bench --compare A.json --baselines` reads.
public sealed class ExternalBaselinesTests
{
    internal static string Ok(string caseId, string baseline, double ms) =>
        $$"""{"case": "{{caseId}}", "baseline": "{{baseline}}", "status": "ok", "description": "d", "medianMs": {{ms}}, "minMs": {{ms * 0.9}}, "maxMs": {{ms * 1.1}}, "runs": 20}""";

    internal static string NotOk(string caseId, string baseline, string status, string reason) =>
        $$"""{"case": "{{caseId}}", "baseline": "{{baseline}}", "status": "{{status}}", "description": "d", "reason": "{{reason}}"}""";

    internal static string File(params string[] entries) =>
        $$"""{"format": "pixelfly.external-baselines", "version": 1, "available": true, "reason": null, "source": "torch 2.11.0+cu130", "device": "NVIDIA H100", "method": "CUDA events", "results": [{{string.Join(", ", entries)}}]}""";

    private static string Fails(string json) =>
        Assert.Throws<BenchFormatException>(() => ExternalBaselines.Parse(json, "torch.json"))!.Message;

    private static string Mutate(Action<JsonObject> change)
    {
        var o = JsonNode.Parse(File(Ok("a", "cublas", 2)))!.AsObject();
        change(o);
        return o.ToJsonString();
    }

    [Test]
    public void AFileWithOkSkippedAndErrorEntriesReads()
    {
        var b = ExternalBaselines.Parse(File(Ok("a", "cublas", 2), NotOk("a", "torch-bsr", "skipped", "no kernel"), NotOk("b", "cublas", "error", "OOM")), "torch.json");
        Assert.That(b.Available, Is.True);
        Assert.That(b.Source, Is.EqualTo("torch 2.11.0+cu130"));
        Assert.That(b.Find("a", ExternalBaselines.Cublas)!.MedianMs, Is.EqualTo(2));
        Assert.That(b.Find("a", ExternalBaselines.TorchBsr)!.Reason, Is.EqualTo("no kernel"));
        Assert.That(b.Find("b", ExternalBaselines.Cublas)!.IsOk, Is.False);
        Assert.That(b.Find("c", ExternalBaselines.Cublas), Is.Null);
    }

    [Test]
    public void AnUnavailableFileNeedsAReasonAndNoResults()
    {
        var b = ExternalBaselines.Parse("""{"format": "pixelfly.external-baselines", "version": 1, "available": false, "reason": "no torch", "results": []}""", "t");
        Assert.That((b.Available, b.Reason, b.Results.Count), Is.EqualTo((false, "no torch", 0)));
        Assert.That(Fails("""{"format": "pixelfly.external-baselines", "version": 1, "available": false, "results": []}"""), Does.Contain("no \"reason\""));
        Assert.That(Fails(Mutate(o => { o["available"] = false; o["reason"] = "x"; })), Does.Contain("\"results\" is not empty"));
    }

    [Test]
    public void BadFilesFailWithTheFileTheEntryAndTheRule()
    {
        Assert.That(Fails("{not json"), Does.StartWith("torch.json: malformed JSON"));
        Assert.That(Fails("[]"), Does.Contain("expected a JSON object"));
        Assert.That(Fails(Mutate(o => o["format"] = "pixelfly.bench")), Does.Contain("\"format\" is 'pixelfly.bench', expected 'pixelfly.external-baselines'"));
        Assert.That(Fails(Mutate(o => o["version"] = 2)), Does.Contain("version 2 is not supported"));
        Assert.That(Fails(Mutate(o => o["extra"] = 1)), Does.Contain("unknown property 'extra'"));
        Assert.That(Fails(Mutate(o => o.Remove("available"))), Does.Contain("missing required property \"available\""));
        Assert.That(Fails(File(Ok("a", "cublas", -1))), Does.StartWith("torch.json results[0]").And.Contain("\"medianMs\" must be positive"));
        Assert.That(Fails(File(Ok("a", "mkl", 1))), Does.Contain("\"baseline\" is 'mkl', expected cublas or torch-bsr"));
        Assert.That(Fails(File(Ok("a", "cublas", 1), Ok("a", "cublas", 2))), Does.Contain("results[1] ('cublas' for 'a'): appears twice"));
        Assert.That(Fails(File(NotOk("a", "cublas", "skipped", ""))), Does.Contain("a skipped entry needs a \"reason\""));
        Assert.That(Fails(File(NotOk("a", "cublas", "done", "x"))), Does.Contain("\"status\" is 'done'"));
        Assert.That(Fails(File("""{"case": "a", "baseline": "cublas", "status": "ok", "medianMs": 2, "minMs": 3, "maxMs": 4, "runs": 1}""")),
            Does.Contain("minMs <= medianMs <= maxMs does not hold"));
        Assert.That(Fails(File("""{"case": "a", "baseline": "cublas", "status": "ok", "medianMs": "fast", "minMs": 1, "maxMs": 4, "runs": 1}""")),
            Does.StartWith("torch.json results[0]"));
    }

    [Test]
    public void LoadNamesAMissingFileOrAFolder()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"pixelfly-no-such-{Guid.NewGuid():N}.json");
        Assert.That(Assert.Throws<BenchFormatException>(() => ExternalBaselines.Load(missing))!.Message, Does.Contain("does not exist"));
        Assert.That(Assert.Throws<BenchFormatException>(() => ExternalBaselines.Load(Path.GetTempPath()))!.Message, Does.Contain("is a folder"));
    }

    [Test]
    public void TheTorchScriptWritesAReadableFileWhereItCannotMeasure()
    {
        // The contract between scripts/gpu/torch_baselines.py and this reader, on the one path a machine without a
        // GPU can take: no PyTorch (or no CUDA device) gives an "available": false file and exit code 0.
        string script = Path.Combine(RepoRoot(), "scripts", "gpu", "torch_baselines.py");
        string dir = Directory.CreateTempSubdirectory("pixelfly-torch-").FullName;
        try
        {
            string cases = Path.Combine(dir, "cases.jsonl"), output = Path.Combine(dir, "torch.json");
            System.IO.File.WriteAllText(cases, PerfCaseJson.ToJsonl(PerfCatalog.Suite(PerfCatalog.Smoke).Take(2)));
            var (rc, text) = Run("python3", $"\"{script}\" --cases \"{cases}\" --out \"{output}\"");
            if (rc is null) Assert.Ignore("python3 is not installed");
            if (text.Contains("torch baselines:")) Assert.Ignore("PyTorch with a CUDA device is present: this checks the path without one");
            Assert.That(rc, Is.EqualTo(0), text);
            var b = ExternalBaselines.Load(output);
            Assert.That(b.Available, Is.False);
            Assert.That(b.Reason, Is.Not.Empty);
            Assert.That(text, Does.Contain("torch baselines skipped"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void TheTorchScriptsGpuPathsAgainstAMockedTorchWriteAFileThisReaderAccepts()
    {
        // scripts/gpu/mock_torch_check.py runs torch_baselines.py with unittest.mock standing in for torch: every name
        // and call of the GPU path resolves, the BSR fallbacks work, and the file it writes is read here.
        string script = Path.Combine(RepoRoot(), "scripts", "gpu", "mock_torch_check.py");
        string dir = Directory.CreateTempSubdirectory("pixelfly-torch-mock-").FullName;
        try
        {
            var smoke = PerfCatalog.Suite(PerfCatalog.Smoke);
            string cases = Path.Combine(dir, "cases.jsonl"), output = Path.Combine(dir, "torch.json");
            System.IO.File.WriteAllText(cases, PerfCaseJson.ToJsonl(smoke));
            var (rc, text) = Run("python3", $"\"{script}\" \"{cases}\" \"{output}\"");
            if (rc is null) Assert.Ignore("python3 is not installed");
            Assert.That(rc, Is.EqualTo(0), text);
            var b = ExternalBaselines.Load(output);
            Assert.That(b.Available, Is.True);
            foreach (var c in smoke.Where(c => c.DenseShape is not null))
                Assert.That(b.Find(c.Id, ExternalBaselines.Cublas)?.IsOk, Is.True, c.Id);
            foreach (var c in smoke.Where(c => c.Kind is PerfCaseKind.Forward or PerfCaseKind.InputGradient or PerfCaseKind.WeightGradient))
                Assert.That(b.Find(c.Id, ExternalBaselines.TorchBsr)?.IsOk, Is.True, c.Id);
            Assert.That(b.Find(smoke.Single(c => c.Kind == PerfCaseKind.TrainingStep).Id, ExternalBaselines.TorchBsr)?.Status, Is.EqualTo(ExternalTiming.Skipped));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    // Upwards from the test binaries, else from this source file (builds with --artifacts-path live outside the tree).
    private static string RepoRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (System.IO.File.Exists(Path.Combine(d.FullName, "Pixelfly.sln"))) return d.FullName;
        throw new InvalidOperationException($"no Pixelfly.sln above {AppContext.BaseDirectory} or {sourceFile}");
    }

    private static (int? ExitCode, string Output) Run(string program, string arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        Process p;
        try
        {
            p = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (null, "");
        }
        using (p)
        {
            var stderr = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, stdout + stderr.Result);
        }
    }
}
