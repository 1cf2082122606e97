using System.Diagnostics;
using System.Globalization;
using Pixelfly.Backends.Cpu;
using Pixelfly.Devices;
using Pixelfly.Nn.Data;
using Pixelfly.Nn.Init;
using Pixelfly.Nn.Layers;
using Pixelfly.Nn.Models;
using Pixelfly.Nn.Training;
using Pixelfly.Tensors;

namespace Pixelfly.Perf.Micro.TrainingStep;

/// <summary>
/// Dense vs Pixelfly training steps of one `pixelfly train` model on the CPU, interleaved:
/// each round times a few dense steps then a few Pixelfly steps on the same random batch, and the speedup is the
/// median of the per-round ratios (so load that hits a whole round cancels). With <c>--profile</c> it then prints
/// each step's kernels grouped by kind (CpuExecutable's per-kernel clock), and with <c>--kernels</c> also every
/// kernel on its own, slowest first. Usage:
/// <code>
/// dotnet run -c Release --project perf/Pixelfly.Perf.Micro -- training-step [--model mixer|vit|gpt] [--rounds 7]
///     [--block 32 --butterfly 8 --factors 2 --rank 32] [--profile | --kernels]
/// </code>
/// The image models take batches of 128 images, the GPT 32 windows of 128 characters (the CLI's defaults).
/// </summary>
public static class TrainingStepComparison
{
    private const int ImageBatch = 128, TextWindows = 32, TextTokens = 128, MobyDickCharacters = 83, StepsPerRound = 3;

    /// <summary>Runs the comparison; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        try
        {
            return Compare(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private static int Compare(string[] args)
    {
        string[] known = ["--model", "--rounds", "--block", "--butterfly", "--factors", "--rank", "--width", "--mlp-hidden", "--profile", "--kernels"];
        foreach (var a in args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && !known.Contains(a)))
            throw new ArgumentException($"unknown option '{a}'; known: {string.Join(", ", known)}");
        string model = Option(args, "--model") ?? "mixer";
        int rounds = Int(args, "--rounds", 7);
        var d = ModelCatalog.DefaultPixelfly;
        var budget = new PixelflyConfig(Int(args, "--block", d.BlockSize), Int(args, "--butterfly", d.ButterflySize), Int(args, "--factors", d.Factors), Int(args, "--rank", d.Rank, minimum: 0));
        var size = new ModelSize(NullableInt(args, "--width"), NullableInt(args, "--mlp-hidden"));
        var backend = new CpuBackend();
        using var device = backend.Open(backend.EnumerateDevices()[0], DeviceOptions.FromEnvironment());
        var corpus = model == "gpt" ? RandomCorpus() : null;
        var feed = corpus is null ? RandomImages() : TextBatch(corpus);
        using var dense = Build(device, model, Sparsity.Dense, budget, size, corpus);
        using var fly = Build(device, model, Sparsity.Pixelfly, budget, size, corpus);
        Console.WriteLine($"{model} ({Describe(size)}), batch {(corpus is null ? $"{ImageBatch}" : $"{TextWindows} × {TextTokens} characters of {corpus.Vocabulary.Length}")}, Pixelfly {budget}, {device.Info.Id}; {rounds} rounds of {StepsPerRound} dense then {StepsPerRound} Pixelfly steps");
        Time(dense, feed, 2);
        Time(fly, feed, 2);
        var ratios = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            double denseMs = Time(dense, feed, StepsPerRound), flyMs = Time(fly, feed, StepsPerRound);
            ratios.Add(denseMs / flyMs);
            Console.WriteLine($"round {r + 1}: dense {denseMs:F0} ms/step, pixelfly {flyMs:F0} ms/step, speedup {denseMs / flyMs:F3}");
        }
        ratios.Sort();
        Console.WriteLine($"speedup (dense time / Pixelfly time per step): median {ratios[ratios.Count / 2]:F3}, min {ratios[0]:F3}, max {ratios[^1]:F3}");
        if (args.Contains("--profile") || args.Contains("--kernels"))
            foreach (var (name, trainer) in new[] { ("dense", dense), ("pixelfly", fly) })
                Profile(name, trainer, feed, args.Contains("--kernels"));
        return 0;
    }

    private static Trainer Build(IDevice device, string model, Sparsity sparsity, PixelflyConfig budget, ModelSize size, TextDataset? corpus)
    {
        var setup = corpus is null
            ? ModelCatalog.Image(model, sparsity, ImageBatch, budget, size)
            : ModelCatalog.Text(model, sparsity, TextWindows, TextTokens, corpus.Vocabulary.Length, budget, size);
        setup.Model.Initialize(1);
        return new Trainer(device, setup.Model, setup.Task, new OptimizerSettings(), new LearningRateSchedule(1e-3, 1, 1000, 0.01));
    }

    private static Dictionary<string, HostTensor> RandomImages()
    {
        var random = new Random(3);
        var images = new float[ImageBatch * 28 * 28];
        for (int i = 0; i < images.Length; i++) images[i] = (float)random.NextDouble();
        var labels = new int[ImageBatch];
        for (int i = 0; i < ImageBatch; i++) labels[i] = random.Next(10);
        return new() { [Tasks.Images] = HostTensor.FromFloats(images, ImageBatch, 1, 28, 28), [Tasks.Labels] = HostTensor.FromInts(labels, ImageBatch) };
    }

    // Random characters over as many symbols as Moby-Dick has (83), so the GPT's embedding and output layer have
    // their real size; the text data set cuts the windows (targets = ids shifted by one).
    private static TextDataset RandomCorpus()
    {
        var random = new Random(3);
        var text = new char[100_000];
        for (int i = 0; i < text.Length; i++) text[i] = (char)('!' + random.Next(MobyDickCharacters));
        return new TextDataset("random characters", new string(text));
    }

    private static Dictionary<string, HostTensor> TextBatch(TextDataset corpus)
    {
        var (ids, targets) = corpus.TrainBatch(TextWindows, TextTokens, new SeededRandom(3));
        return new() { [Tasks.Ids] = ids, [Tasks.Targets] = targets };
    }

    private static double Time(Trainer trainer, Dictionary<string, HostTensor> feed, int steps)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) trainer.TrainStep(feed);
        return clock.Elapsed.TotalMilliseconds / steps;
    }

    // Per-kernel milliseconds of one step, summed by kernel kind (the first words of each kernel's description).
    private static void Profile(string name, Trainer trainer, Dictionary<string, HostTensor> feed, bool everyKernel)
    {
        if (trainer.TrainingExecutable is not CpuExecutable cpu) return;
        cpu.StartProfiling();
        Time(trainer, feed, 4);
        var profile = cpu.KernelProfile();
        Console.WriteLine($"{name}: {profile.Sum(p => p.Milliseconds):F1} ms of kernels per step ({profile.Count} kernels)");
        foreach (var kind in profile.GroupBy(p => Kind(p.Kernel)).OrderByDescending(g => g.Sum(p => p.Milliseconds)).Take(14))
            Console.WriteLine($"  {kind.Sum(p => p.Milliseconds),8:F1} ms  {kind.Count(),4}×  {kind.Key}");
        if (everyKernel)
            foreach (var p in profile.OrderByDescending(p => p.Milliseconds))
                Console.WriteLine($"    {p.Milliseconds,8:F2} ms  {p.Kernel}");
    }

    private static string Kind(string kernel)
    {
        var words = kernel.Split(' ');
        if (words[0] == "gemm" && words.Length > 3)
        {
            int k = int.Parse(words[3].Split('x')[^1], CultureInfo.InvariantCulture);
            return $"gemm K {(k <= 64 ? "≤ 64" : k <= 1024 ? "65–1024" : "> 1024")}{(kernel.Contains("transA", StringComparison.Ordinal) ? " (weight gradients)" : "")}{(kernel.Contains("epilogue", StringComparison.Ordinal) ? " + fused epilogue" : "")}";
        }
        if (words[0] == "fused") return "fused element-wise groups";
        return string.Join(' ', words.Take(2));
    }

    private static string Describe(ModelSize size) =>
        size.Width is null && size.MlpHidden is null ? "catalog size" : $"width {size.Width?.ToString(CultureInfo.InvariantCulture) ?? "default"}, MLP {size.MlpHidden?.ToString(CultureInfo.InvariantCulture) ?? "default"}";

    private static int? NullableInt(string[] args, string name) => Option(args, name) is null ? null : Int(args, name, 0);

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Int(string[] args, string name, int fallback, int minimum = 1)
    {
        if (Option(args, name) is not { } v) return fallback;
        if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < minimum)
            throw new ArgumentException($"{name} needs a whole number ≥ {minimum}, not '{v}'");
        return n;
    }
}
