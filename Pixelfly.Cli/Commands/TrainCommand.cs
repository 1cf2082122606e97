using System.Globalization;
using System.Text;
using Pixelfly.Cli.Parsing;
using Pixelfly.Cli.Training;
using Pixelfly.Devices;
using Pixelfly.IO;
using Pixelfly.Nn.Data;
using Pixelfly.Nn.Layers;
using Pixelfly.Nn.Models;
using Pixelfly.Nn.Training;

namespace Pixelfly.Cli.Commands;

/// <summary>`pixelfly train`: train a model dense or Pixelfly on a device, or both with --compare.</summary>
internal sealed class TrainCommand : ICommand
{
    public CommandSpec Spec { get; } = new(
        "train",
        "train a model (mixer, vit, gpt) dense or Pixelfly on a data set, or compare both",
        [],
        [
            new OptionSpec("model", "NAME", "mixer | vit (images) | gpt (text)", Required: true),
            new OptionSpec("data", "NAME", "fashion-mnist | mnist | moby-dick | sotu (fetch with scripts/fetch-data.sh)", Required: true),
            new OptionSpec("sparsity", "KIND", "dense | pixelfly (default pixelfly; ignored with --compare)"),
            new OptionSpec("compare", null, "train dense and Pixelfly with the same recipe and write a comparison report"),
            new OptionSpec("device", "ID", "device (cpu, vulkan:0, ref, ...); default: PIXELFLY_DEVICE, else auto"),
            new OptionSpec("epochs", "N", "epochs (default 1)"),
            new OptionSpec("batch", "N", "examples per step (default 128 images, 32 text windows)"),
            new OptionSpec("lr", "X", "peak learning rate (default 1e-3), linear warm-up then cosine decay"),
            new OptionSpec("seed", "N", "seed of the init and the data order (default 1)"),
            new OptionSpec("train-limit", "N", "images: train on the first N training images only"),
            new OptionSpec("eval-limit", "N", "evaluate on the first N test images / validation windows only"),
            new OptionSpec("steps-per-epoch", "N", "text: steps per epoch (default 200)"),
            new OptionSpec("tokens", "N", "text: window length (default 128)"),
            new OptionSpec("out", "DIR", "output folder (default runs/MODEL-DATA); metrics.jsonl, checkpoint, summary.json, plots"),
            new OptionSpec("resume", "CKPT", "resume from a checkpoint written by an earlier run of the same model"),
            new OptionSpec("data-dir", "DIR", "data folder (default PIXELFLY_DATA, else ./data)"),
            new OptionSpec("width", "N", "model width, features per token (default: mixer 512, vit 192, gpt 256)"),
            new OptionSpec("mlp-hidden", "N", "hidden width of the MLPs Pixelfly sparsifies (default: mixer 2048, vit 768, gpt 1024)"),
            new OptionSpec("block", "B", "Pixelfly block size b (default 32)"),
            new OptionSpec("butterfly", "S", "Pixelfly butterfly size S (default 16; larger is sparser: density about (1 + F)/S)"),
            new OptionSpec("factors", "F", "Pixelfly butterfly factors F (default 2)"),
            new OptionSpec("rank", "R", "Pixelfly low-rank rank r (default 32; 0 for no low-rank term and no gate)"),
            new OptionSpec("low-rank-init", "KIND", "Pixelfly low-rank factors' init: linear (default, fly's) | svd (top-r SVD of a dense draw)"),
        ],
        """
        The whole training step (forward, loss, backward, clipping, AdamW) is one graph compiled once for the
        device and replayed. After every epoch the run evaluates on the held-out split, appends to metrics.jsonl
        and writes checkpoint.safetensors atomically; kill it and run again with --resume DIR/checkpoint.safetensors
        to continue the same loss curve. At the end: summary.json, loss.png (and accuracy.png for images).
        --compare runs one untimed warm-up step of each model, then trains dense then Pixelfly (subfolders dense/
        and pixelfly/) and writes report.md: held-out accuracy or loss, parameters, FLOPs, seconds per epoch and
        the speedup.

        Pixelfly layers: b 32, S 16, F 2, rank 32 (fly's released low-rank configs) unless --block/--butterfly/
        --factors/--rank say otherwise, in the layers the paper sparsifies (Mixer channel MLPs, ViT MLPs, GPT MLPs);
        their low-rank factors start as fly's independent draws unless --low-rank-init svd.
        A NaN or infinite loss stops the run with exit code 1 and keeps the last checkpoint.

        examples:
          scripts/fetch-data.sh fashion-mnist
          pixelfly train --model mixer --data fashion-mnist --compare --epochs 1 --train-limit 10000
          pixelfly train --model gpt --data moby-dick --sparsity pixelfly --epochs 3 --out runs/gpt
        """);

    /// <summary>Failures of a run that are the user's to fix (missing data, a bad checkpoint, a diverged loss).</summary>
    public static bool IsUserError(Exception e) => e is DataException or ExecutionException;

    public int Execute(ParsedArguments args, CommandContext context)
    {
        string model = args.Value("model")!, data = args.Value("data")!;
        bool text = data is "moby-dick" or "sotu";
        string sparsityText = args.Value("sparsity") ?? "pixelfly";
        var sparsity = sparsityText switch
        {
            "dense" => Sparsity.Dense,
            "pixelfly" => Sparsity.Pixelfly,
            _ => throw new UsageException($"--sparsity must be dense or pixelfly, got '{sparsityText}'"),
        };
        string output = args.Value("out") ?? Path.Combine("runs", $"{model}-{data}");
        int seed = args.Int("seed") ?? 1;
        if (seed < 0) throw new UsageException($"--seed must be a non-negative integer, got {seed}");
        var options = new RunOptions(model, data, sparsity, output,
            Epochs: args.Int("epochs") ?? 1,
            BatchSize: args.Int("batch") ?? (text ? 32 : 128),
            LearningRate: Double(args, "lr") ?? 1e-3,
            Seed: (ulong)seed,
            TrainLimit: args.Int("train-limit"),
            EvalLimit: args.Int("eval-limit"),
            StepsPerEpoch: args.Int("steps-per-epoch") ?? 200,
            Tokens: args.Int("tokens") ?? 128,
            Resume: args.Value("resume"),
            DataFolder: args.Value("data-dir"),
            Pixelfly: Budget(args),
            Size: new ModelSize(args.Int("width"), args.Int("mlp-hidden")));
        options.Validate();
        if (args.Has("compare") && options.Resume is not null)
            throw new UsageException("--resume resumes one run; it cannot be combined with --compare");

        using var device = BackendRegistry.OpenDefault(args.Value("device"), log: context.Error.WriteLine);
        if (!args.Has("compare"))
        {
            var run = Train(device, options, context);
            context.Out.Write(Table([run]));
            foreach (var plot in TrainPlot.Write(output, [(sparsity.ToString(), Path.Combine(output, TrainingRun.MetricsFile))]))
                context.Error.WriteLine($"wrote {plot}");
            return Cli.ExitOk;
        }

        WarmUp(device, options);
        var runs = new List<RunResult>();
        foreach (var kind in new[] { Sparsity.Dense, Sparsity.Pixelfly })
            runs.Add(Train(device, options with { Sparsity = kind, OutputFolder = Path.Combine(output, kind.ToString().ToLowerInvariant()) }, context));
        string report = Table(runs);
        context.Out.Write(report);
        var plots = TrainPlot.Write(output, runs.Select(r => (r.Options.Sparsity.ToString(), Path.Combine(r.Options.OutputFolder, TrainingRun.MetricsFile))).ToList());
        AtomicFile.WriteAllText(Path.Combine(output, "report.md"), Report(runs, report, plots, output));
        context.Error.WriteLine($"wrote {Path.Combine(output, "report.md")} and {string.Join(", ", plots)}");
        return Cli.ExitOk;
    }

    // One untimed step (and one evaluation batch) of each model, in a scratch folder that is then deleted: the .NET JIT
    // compiles the kernel code both runs share here, so the first timed run does not carry that cost and the speed
    // ratio compares like with like.
    private static void WarmUp(IDevice device, RunOptions options)
    {
        string scratch = Path.Combine(Path.GetTempPath(), $"pixelfly-warm-up-{Guid.NewGuid():N}");
        try
        {
            foreach (var kind in new[] { Sparsity.Dense, Sparsity.Pixelfly })
                TrainingRun.Execute(device, options with
                {
                    Sparsity = kind, Epochs = 1, TrainLimit = options.BatchSize, EvalLimit = options.BatchSize, StepsPerEpoch = 1,
                    OutputFolder = Path.Combine(scratch, kind.ToString().ToLowerInvariant()),
                });
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
    }

    private static RunResult Train(IDevice device, RunOptions options, CommandContext context)
    {
        context.Error.WriteLine($"training {options.Model} ({options.Sparsity.ToString().ToLowerInvariant()}) on {options.Data} with {device.Info.Id}, {options.Epochs} epoch(s), output {options.OutputFolder}");
        var bar = new ProgressLine(context.Error);
        RunResult result;
        try
        {
            result = TrainingRun.Execute(device, options, bar.Report);
        }
        finally
        {
            // End the progress line, so an error message starts on a line of its own.
            bar.Finish();
        }
        return result;
    }

    // The Pixelfly budget from --block/--butterfly/--factors/--rank over the catalog's default.
    private static PixelflyConfig Budget(ParsedArguments args)
    {
        var d = ModelCatalog.DefaultPixelfly;
        return d with
        {
            BlockSize = args.Int("block") ?? d.BlockSize,
            ButterflySize = args.Int("butterfly") ?? d.ButterflySize,
            Factors = args.Int("factors") ?? d.Factors,
            Rank = args.Int("rank") ?? d.Rank,
            LowRankInit = args.Value("low-rank-init") switch
            {
                null => d.LowRankInit,
                "linear" => LowRankInit.Linear,
                "svd" => LowRankInit.Svd,
                var other => throw new UsageException($"--low-rank-init must be linear or svd, got '{other}'"),
            },
        };
    }

    private static double? Double(ParsedArguments args, string name)
    {
        string? text = args.Value(name);
        if (text is null) return null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v : throw new UsageException($"--{name} must be a number, got '{text}'");
    }

    /// <summary>A Markdown table of runs; with two runs, the speedup of the second over the first.</summary>
    internal static string Table(IReadOnlyList<RunResult> runs)
    {
        var sb = new StringBuilder();
        bool images = runs.Any(r => r.Epochs.Any(e => e.Accuracy is not null));
        sb.AppendLine($"| run | device | parameters | train GFLOP/step | {(images ? "test accuracy | " : "")}held-out loss | s/epoch (median) | steps/s |");
        sb.AppendLine($"|---|---|---:|---:|{(images ? "---:|" : "")}---:|---:|---:|");
        foreach (var r in runs)
        {
            var last = r.Epochs[^1];
            double perEpoch = Median(r.Epochs.Select(e => e.Seconds));
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Options.Sparsity.ToString().ToLowerInvariant()} | {r.Device} | {r.Parameters:N0} | {r.TrainFlopsPerStep / 1e9:0.###} | {(images ? $"{last.Accuracy:P2} | " : "")}{last.EvalLoss:0.0000} | {perEpoch:0.0} | {Median(r.Epochs.Select(e => e.StepsPerSecond)):0.00} |"));
        }
        if (runs.Count == 2)
        {
            double speedup = Median(runs[0].Epochs.Select(e => e.Seconds)) / Median(runs[1].Epochs.Select(e => e.Seconds));
            sb.AppendLine();
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"Pixelfly vs dense: {speedup:0.00}x the training speed per epoch, {(double)runs[1].Parameters / runs[0].Parameters:P1} of the parameters, {runs[1].TrainFlopsPerStep / runs[0].TrainFlopsPerStep:P1} of the matmul FLOPs."));
        }
        return sb.ToString();
    }

    private static string Report(List<RunResult> runs, string table, IReadOnlyList<string> plots, string output)
    {
        var o = runs[0].Options;
        var sb = new StringBuilder();
        sb.AppendLine($"# {o.Model} on {o.Data}: dense vs Pixelfly");
        sb.AppendLine();
        sb.AppendLine($"Same recipe for both: {o.Epochs} epoch(s), batch {o.BatchSize}, peak lr {o.LearningRate.ToString(CultureInfo.InvariantCulture)}, seed {o.Seed}" +
            $"{(o.TrainLimit is { } t ? $", first {t} training examples" : "")}{(o.EvalLimit is { } v ? $", evaluated on {v}" : "")}. Device `{runs[0].Device}`. " +
            "Seconds per epoch count the training steps only (evaluation excluded), after one untimed warm-up step of each model; FLOPs are the matmuls of one compiled training step.");
        sb.AppendLine();
        sb.Append(table);
        sb.AppendLine();
        sb.AppendLine("| run | model configuration |");
        sb.AppendLine("|---|---|");
        foreach (var r in runs) sb.AppendLine($"| {r.Options.Sparsity.ToString().ToLowerInvariant()} | `{r.ModelConfig}` |");
        sb.AppendLine();
        foreach (var p in plots) sb.AppendLine($"![{Path.GetFileNameWithoutExtension(p)}]({Path.GetRelativePath(output, p)})");
        return sb.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    // One self-overwriting progress line on stderr: epoch, step, loss, steps/s and ETA of the epoch.
    private sealed class ProgressLine(TextWriter error)
    {
        private DateTime _last = DateTime.MinValue;
        private bool _written;

        public void Report(TrainingProgress p)
        {
            if (p.Finished is { } e)
            {
                // Each epoch's result on a line of its own as soon as it is evaluated.
                Finish();
                error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {e.Epoch}: train loss {e.TrainLoss:0.0000}, held-out loss {e.EvalLoss:0.0000}{(e.Accuracy is { } a ? $", accuracy {a:P2}" : "")}, {e.Seconds:0.0} s ({e.StepsPerSecond:0.00} steps/s)"));
                return;
            }
            if (p.StepInEpoch != p.StepsInEpoch && DateTime.UtcNow - _last < TimeSpan.FromMilliseconds(250)) return;
            _last = DateTime.UtcNow;
            const int width = 24;
            int filled = (int)((double)p.StepInEpoch / p.StepsInEpoch * width);
            double eta = (p.StepsInEpoch - p.StepInEpoch) / Math.Max(1e-9, p.StepsPerSecond);
            error.Write(string.Create(CultureInfo.InvariantCulture,
                $"\repoch {p.Epoch}/{p.Epochs} [{new string('#', filled)}{new string('.', width - filled)}] {p.StepInEpoch}/{p.StepsInEpoch} loss {p.Loss:0.0000} {p.StepsPerSecond:0.00} steps/s ETA {TimeSpan.FromSeconds(eta):mm\\:ss} "));
            _written = true;
        }

        public void Finish()
        {
            if (_written) error.WriteLine();
            _written = false;
        }
    }
}
