using System.IO.Compression;
using System.Text.Json.Nodes;

namespace Pixelfly.Cli.Tests;

/// <summary>`pixelfly train` on tiny generated data sets: runs, resumes, compares, and rejects bad input.</summary>
public sealed class TrainCommandTests : ScratchFolder
{
    // A Fashion-MNIST folder of the official sizes whose images brighten one row band per class.
    private string FashionMnist()
    {
        string dir = PathOf("data/fashion-mnist");
        Directory.CreateDirectory(dir);
        foreach (var (split, count) in new[] { ("train", 60000), ("t10k", 10000) })
        {
            var pixels = new byte[count * 784];
            var labels = new byte[count];
            for (int n = 0; n < count; n++)
            {
                labels[n] = (byte)(n * 7 % 10);
                for (int p = 0; p < 784; p++) pixels[n * 784 + p] = (byte)(p / 28 / 3 == labels[n] ? 200 : (p * 13 + n) % 50);
            }
            Gz(Path.Combine(dir, $"{split}-images-idx3-ubyte.gz"), Idx([count, 28, 28], pixels));
            Gz(Path.Combine(dir, $"{split}-labels-idx1-ubyte.gz"), Idx([count], labels));
        }
        return PathOf("data");
    }

    private static byte[] Idx(int[] dims, byte[] data)
    {
        var header = new List<byte> { 0, 0, 0x08, (byte)dims.Length };
        foreach (int d in dims) header.AddRange(BitConverter.GetBytes(d).Reverse());
        return [.. header, .. data];
    }

    private static void Gz(string path, byte[] bytes)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(bytes);
    }

    private static List<JsonObject> Events(string metrics) =>
        File.ReadLines(metrics).Select(l => (JsonObject)JsonNode.Parse(l)!).ToList();

    [Test]
    public void A_short_mixer_run_writes_metrics_checkpoint_summary_and_plots_and_resumes()
    {
        string data = FashionMnist(), output = PathOf("run");
        string[] common = ["train", "--model", "mixer", "--data", "fashion-mnist", "--sparsity", "pixelfly", "--device", "cpu",
            "--data-dir", data, "--out", output, "--train-limit", "64", "--eval-limit", "40", "--batch", "32"];
        var first = CliHarness.Run([.. common, "--epochs", "1"]);
        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(first.Out, Does.Contain("| pixelfly | cpu |"));
        foreach (var f in new[] { "metrics.jsonl", "checkpoint.safetensors", "summary.json", "loss.png", "accuracy.png" })
            Assert.That(File.Exists(Path.Combine(output, f)), Is.True, f);

        var resumed = CliHarness.Run([.. common, "--epochs", "2", "--resume", Path.Combine(output, "checkpoint.safetensors")]);
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.ToString());
        var events = Events(Path.Combine(output, "metrics.jsonl"));
        Assert.That(events.Where(e => (string?)e["event"] == "epoch").Select(e => (int)e["epoch"]!), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(events.Where(e => (string?)e["event"] == "step").Select(e => (int)e["step"]!), Is.EqualTo(new[] { 1, 2, 3, 4 }), "the resumed run continues at step 3");

        var wrongBatch = CliHarness.Run([.. common[..^2], "--batch", "16", "--epochs", "3", "--resume", Path.Combine(output, "checkpoint.safetensors")]);
        Assert.That(wrongBatch.ExitCode, Is.EqualTo(1), wrongBatch.ToString());
        Assert.That(wrongBatch.Error, Does.Contain("does not match"));
    }

    [Test]
    public void A_killed_training_process_resumes_from_its_last_checkpoint_on_the_same_loss_curve()
    {
        string data = FashionMnist(), killed = PathOf("killed");
        string[] common = ["train", "--model", "mixer", "--data", "fashion-mnist", "--sparsity", "pixelfly", "--device", "cpu",
            "--data-dir", data, "--train-limit", "64", "--eval-limit", "32", "--batch", "32", "--epochs", "8"];
        var reference = CliHarness.Run([.. common, "--out", PathOf("reference")]);
        Assert.That(reference.ExitCode, Is.EqualTo(0), reference.ToString());
        var expected = StepLosses(Path.Combine(PathOf("reference"), "metrics.jsonl"));
        Assert.That(expected, Has.Count.EqualTo(16));

        // A real `pixelfly train` process, killed (SIGKILL) as soon as its first checkpoint is on disk: whatever
        // epoch it had reached, it has 7 more to go, so the kill always lands mid-run.
        string checkpoint = Path.Combine(killed, "checkpoint.safetensors");
        var start = new System.Diagnostics.ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { Path.Combine(TestContext.CurrentContext.TestDirectory, "pixelfly.dll") }.Concat(common).Concat(["--out", killed]))
            start.ArgumentList.Add(a);
        using (var process = System.Diagnostics.Process.Start(start)!)
        {
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            while (!File.Exists(checkpoint) && !process.HasExited) Thread.Sleep(5);
            Assert.That(process.HasExited, Is.False, $"the process ended (exit {(process.HasExited ? process.ExitCode : 0)}) before it could be killed");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assert.That(File.Exists(Path.Combine(killed, "summary.json")), Is.False, "the run was killed before its end");

        var resumed = CliHarness.Run([.. common, "--out", killed, "--resume", checkpoint]);
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.ToString());
        var curve = StepLosses(Path.Combine(killed, "metrics.jsonl"));
        Assert.That(curve.Select(c => c.Step), Is.EqualTo(Enumerable.Range(1, 16)), "one step line per step: the killed run's lines after its checkpoint are dropped");
        Assert.That(curve, Is.EqualTo(expected), "the same losses as the run that was never interrupted (training is deterministic on one device)");
    }

    [Test]
    public void Width_and_mlp_hidden_size_the_model_and_a_checkpoint_of_another_size_is_refused()
    {
        string data = FashionMnist(), output = PathOf("sized");
        string[] common = ["train", "--model", "mixer", "--data", "fashion-mnist", "--device", "cpu", "--data-dir", data, "--out", output,
            "--train-limit", "32", "--eval-limit", "32", "--batch", "32"];
        var first = CliHarness.Run([.. common, "--width", "64", "--mlp-hidden", "128"]);
        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        string start = File.ReadLines(Path.Combine(output, "metrics.jsonl")).First();
        Assert.That(start, Does.Contain("Dim = 64").And.Contain("ChannelHidden = 128"));

        var other = CliHarness.Run([.. common, "--width", "96", "--mlp-hidden", "128", "--epochs", "2", "--resume", Path.Combine(output, "checkpoint.safetensors")]);
        Assert.That(other.ExitCode, Is.EqualTo(1), other.ToString());
        Assert.That(other.Error, Does.Contain("was written for another model").And.Contain("Dim = 64").And.Contain("Dim = 96"));
    }

    private static List<(int Step, double Loss)> StepLosses(string metrics) =>
        Events(metrics).Where(e => (string?)e["event"] == "step").Select(e => ((int)e["step"]!, (double)e["loss"]!)).ToList();

    [Test]
    public void Compare_trains_both_and_writes_a_report()
    {
        string data = FashionMnist(), output = PathOf("cmp");
        var r = CliHarness.Run("train", "--model", "mixer", "--data", "fashion-mnist", "--compare", "--device", "cpu", "--data-dir", data,
            "--out", output, "--train-limit", "32", "--eval-limit", "32", "--batch", "32");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Out, Does.Contain("| dense |").And.Contain("| pixelfly |").And.Contain("Pixelfly vs dense:"));
        string report = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.That(report, Does.Contain("dense vs Pixelfly").And.Contain("![loss](loss.png)"));
        Assert.That(Directory.Exists(Path.Combine(output, "dense")) && Directory.Exists(Path.Combine(output, "pixelfly")), Is.True);
        Assert.That(report, Does.Contain("untimed warm-up step"));
        // The warm-up steps ran in a scratch folder: the output holds the two runs, the report and the plots only,
        // and each run's log starts at its own first step.
        Assert.That(Directory.GetFileSystemEntries(output).Select(Path.GetFileName),
            Is.EquivalentTo(new[] { "dense", "pixelfly", "report.md", "loss.png", "accuracy.png" }));
        foreach (var run in new[] { "dense", "pixelfly" })
            Assert.That(Events(Path.Combine(output, run, "metrics.jsonl")).Where(e => (string?)e["event"] == "step").Select(e => (int)e["step"]!),
                Is.EqualTo(new[] { 1 }), run);
    }

    [Test]
    public void A_tiny_gpt_trains_on_a_generated_text()
    {
        var r = CliHarness.Run("train", "--model", "gpt", "--data", "moby-dick", "--device", "cpu", "--data-dir", TinyText(),
            "--out", PathOf("gpt"), "--batch", "2", "--tokens", "16", "--steps-per-epoch", "2", "--eval-limit", "4");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Out, Does.Contain("held-out loss").And.Not.Contain("test accuracy"));
    }

    [Test]
    public void The_svd_low_rank_init_is_chosen_on_the_command_line_and_recorded_with_the_run()
    {
        string data = TinyText();
        string[] Args(string init, string output) => ["train", "--model", "gpt", "--data", "moby-dick", "--device", "cpu", "--data-dir", data,
            "--out", PathOf(output), "--batch", "2", "--tokens", "16", "--steps-per-epoch", "1", "--eval-limit", "4", "--low-rank-init", init];
        var svd = CliHarness.Run(Args("svd", "svd"));
        Assert.That(svd.ExitCode, Is.EqualTo(0), svd.ToString());
        var linear = CliHarness.Run(Args("linear", "linear"));
        Assert.That(linear.ExitCode, Is.EqualTo(0), linear.ToString());
        Assert.That(File.ReadAllText(PathOf("svd/summary.json")), Does.Contain("\"lowRankInit\": \"Svd\""));
        Assert.That(File.ReadAllText(PathOf("linear/summary.json")), Does.Contain("\"lowRankInit\": \"Linear\""));
        // Another init is another start: the first step's loss differs.
        Assert.That(EpochLosses(PathOf("svd"))[0], Is.Not.EqualTo(EpochLosses(PathOf("linear"))[0]));
    }

    private string TinyText()
    {
        string dir = PathOf("data/moby-dick");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "moby-dick.txt"), string.Concat(Enumerable.Repeat("Call me Ishmael. Some years ago, never mind how long. ", 200)));
        return PathOf("data");
    }

    private static List<double> EpochLosses(string output) => Events(Path.Combine(output, "metrics.jsonl"))
        .Where(e => (string?)e["event"] is "step" or "epoch")
        .Select(e => (double)(e["loss"] ?? e["evalLoss"])!).ToList();

    [Test]
    public void Every_available_device_trains_the_same_losses_as_the_cpu()
    {
        // The same tiny GPT run on each device: step losses and held-out loss agree with the cpu's to 1e-4.
        string data = TinyText();
        string[] Args(string device) => ["train", "--model", "gpt", "--data", "moby-dick", "--device", device, "--data-dir", data,
            "--out", PathOf("gpt-" + device.Replace(':', '-')), "--batch", "2", "--tokens", "16", "--steps-per-epoch", "2", "--eval-limit", "4"];
        var cpu = CliHarness.Run(Args("cpu"));
        Assert.That(cpu.ExitCode, Is.EqualTo(0), cpu.ToString());
        var expected = EpochLosses(PathOf("gpt-cpu"));
        var others = TestDevices.Available().Where(d => d is not ("cpu" or "ref")).ToList();
        if (others.Count == 0) Assert.Ignore("no device besides cpu and ref is available here (CI has vulkan:0 on lavapipe)");
        foreach (var device in others)
        {
            var r = CliHarness.Run(Args(device));
            Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
            var actual = EpochLosses(PathOf("gpt-" + device.Replace(':', '-')));
            Assert.That(actual, Has.Count.EqualTo(expected.Count));
            for (int i = 0; i < expected.Count; i++)
                Assert.That(actual[i], Is.EqualTo(expected[i]).Within(1e-4 * Math.Abs(expected[i])), $"{device}, loss {i}");
        }
    }

    [Test]
    public void A_diverging_run_stops_with_a_clear_error_and_keeps_the_last_checkpoint()
    {
        string data = TinyText(), output = PathOf("div");
        string[] common = ["train", "--model", "gpt", "--data", "moby-dick", "--device", "cpu", "--data-dir", data, "--out", output,
            "--batch", "2", "--tokens", "16", "--steps-per-epoch", "2", "--eval-limit", "4"];
        Assert.That(CliHarness.Run(common).ExitCode, Is.EqualTo(0));
        string checkpoint = Path.Combine(output, "checkpoint.safetensors");
        var before = File.ReadAllBytes(checkpoint);
        // An absurd learning rate makes the parameters overflow within a few steps.
        var r = CliHarness.Run([.. common, "--epochs", "3", "--lr", "1e30", "--resume", checkpoint]);
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Error.Trim().Split('\n')[^1], Does.StartWith("error: the training loss became").And.Contain("last checkpoint"));
        Assert.That(File.ReadAllBytes(checkpoint), Is.EqualTo(before), "the last good checkpoint is untouched");
    }

    [Test]
    public void Missing_data_names_the_fetch_command()
    {
        var r = CliHarness.Run("train", "--model", "mixer", "--data", "mnist", "--device", "cpu", "--data-dir", PathOf("empty"), "--out", PathOf("o"));
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Error.Trim().Split('\n')[^1], Does.StartWith("error: ").And.Contain("scripts/fetch-data.sh mnist"));
    }

    [TestCase("--model", "resnet", "unknown model 'resnet'")]
    [TestCase("--data", "cifar10", "unknown data set 'cifar10'")]
    [TestCase("--sparsity", "half", "--sparsity must be dense or pixelfly")]
    [TestCase("--lr", "fast", "--lr must be a number")]
    [TestCase("--seed", "-3", "--seed must be a non-negative integer")]
    [TestCase("--epochs", "0", "epochs must be at least 1")]
    [TestCase("--width", "0", "the model width must be at least 1")]
    [TestCase("--mlp-hidden", "wide", "option '--mlp-hidden' expects an integer")]
    [TestCase("--low-rank-init", "spectral", "--low-rank-init must be linear or svd, got 'spectral'")]
    public void Bad_names_and_values_are_clear_errors(string option, string value, string message)
    {
        var args = new Dictionary<string, string> { ["--model"] = "mixer", ["--data"] = "fashion-mnist" };
        args[option] = value;
        var r = CliHarness.Run(["train", .. args.SelectMany(kv => new[] { kv.Key, kv.Value }), "--data-dir", PathOf("none"), "--device", "cpu"]);
        Assert.That(r.ExitCode, Is.AnyOf(1, 2), r.ToString());
        Assert.That(r.Error, Does.Contain(message));
    }

    [Test]
    public void Gpt_on_images_and_mixer_on_text_are_refused()
    {
        var r = CliHarness.Run("train", "--model", "gpt", "--data", "fashion-mnist", "--device", "cpu", "--data-dir", FashionMnist(), "--out", PathOf("o"));
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Error, Does.Contain("gpt is a language model"));
    }
}
