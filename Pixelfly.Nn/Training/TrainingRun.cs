using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pixelfly.Devices;
using Pixelfly.IO;
using Pixelfly.Nn.Data;
using Pixelfly.Nn.Init;
using Pixelfly.Nn.Models;
using Pixelfly.Tensors;

namespace Pixelfly.Nn.Training;

/// <summary>
/// Runs `pixelfly train`: builds the model, reads the data, trains epoch by epoch through a <see cref="Trainer"/>,
/// evaluates after each epoch, appends every event to metrics.jsonl, checkpoints atomically after each epoch
/// (so a killed run resumes from its last epoch with the same loss curve) and writes summary.json at the end.
/// A non-finite loss stops the run with a clear error; the last good checkpoint stays.
/// </summary>
public static class TrainingRun
{
    /// <summary>File names in the output folder.</summary>
    public const string MetricsFile = "metrics.jsonl", CheckpointFile = "checkpoint.safetensors", SummaryFile = "summary.json";

    /// <summary>Runs it; <paramref name="progress"/> hears about every step.</summary>
    public static RunResult Execute(IDevice device, RunOptions options, Action<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Directory.CreateDirectory(options.OutputFolder);
        string dataFolder = options.DataFolder ?? DataSets.DefaultFolder;
        bool images = options.Data is "fashion-mnist" or "mnist";
        return images ? RunImages(device, options, dataFolder, progress) : RunText(device, options, dataFolder, progress);
    }

    private static RunResult RunImages(IDevice device, RunOptions o, string dataFolder, Action<TrainingProgress>? progress)
    {
        var (train, test) = DataSets.Images(o.Data, dataFolder);
        int trainCount = Math.Min(train.Count, o.TrainLimit ?? train.Count);
        int evalCount = Math.Min(test.Count, o.EvalLimit ?? test.Count);
        int stepsPerEpoch = trainCount / o.BatchSize;
        if (stepsPerEpoch == 0) throw new ArgumentException($"{trainCount} training images do not fill one batch of {o.BatchSize}");
        var (mean, std) = train.PixelStatistics();
        using var setup = new SetupScope(ModelCatalog.Image(o.Model, o.Sparsity, o.BatchSize, o.Pixelfly, o.Size));
        return Loop(device, o, setup.Setup, stepsPerEpoch,
            (random, step) =>
            {
                // One epoch's order is drawn at its first step, from the generator state the checkpoint keeps.
                if (step % stepsPerEpoch == 0) setup.Order = Shuffle(trainCount, random);
                int s = step % stepsPerEpoch;
                var (x, y) = train.Batch(setup.Order.AsSpan(s * o.BatchSize, o.BatchSize), o.BatchSize, mean, std);
                return new() { [Tasks.Images] = x, [Tasks.Labels] = y };
            },
            trainer =>
            {
                double loss = 0;
                int correct = 0;
                for (int start = 0; start < evalCount; start += o.BatchSize)
                {
                    int n = Math.Min(o.BatchSize, evalCount - start);
                    var indices = Enumerable.Range(start, n).ToArray();
                    var (x, y) = test.Batch(indices, o.BatchSize, mean, std);
                    var outs = trainer.Evaluate(new Dictionary<string, HostTensor> { [Tasks.Images] = x, [Tasks.Labels] = y });
                    var losses = outs[Tasks.Losses].ToDoubles();
                    var logits = outs[Tasks.Logits].ToDoubles();
                    int classes = logits.Length / o.BatchSize;
                    for (int i = 0; i < n; i++)
                    {
                        loss += losses[i];
                        int best = 0;
                        for (int c = 1; c < classes; c++)
                            if (logits[i * classes + c] > logits[i * classes + best]) best = c;
                        if (best == test.Label(indices[i])) correct++;
                    }
                }
                return (loss / evalCount, (double)correct / evalCount);
            }, progress);
    }

    private static RunResult RunText(IDevice device, RunOptions o, string dataFolder, Action<TrainingProgress>? progress)
    {
        var text = DataSets.Text(o.Data, dataFolder);
        int evalBatches = Math.Min(text.ValidationBatches(o.BatchSize, o.Tokens), Math.Max(1, (o.EvalLimit ?? int.MaxValue) / o.BatchSize));
        if (evalBatches == 0) throw new ArgumentException($"the validation split of {o.Data} is too short for one batch of {o.BatchSize}x{o.Tokens}");
        using var setup = new SetupScope(ModelCatalog.Text(o.Model, o.Sparsity, o.BatchSize, o.Tokens, text.Vocabulary.Length, o.Pixelfly, o.Size));
        return Loop(device, o, setup.Setup, o.StepsPerEpoch,
            (random, _) =>
            {
                var (ids, targets) = text.TrainBatch(o.BatchSize, o.Tokens, random);
                return new() { [Tasks.Ids] = ids, [Tasks.Targets] = targets };
            },
            trainer =>
            {
                double loss = 0;
                for (int i = 0; i < evalBatches; i++)
                {
                    var (ids, targets) = text.ValidationBatch(i, o.BatchSize, o.Tokens);
                    loss += trainer.Evaluate(new Dictionary<string, HostTensor> { [Tasks.Ids] = ids, [Tasks.Targets] = targets })[Tasks.Losses].ToDoubles().Average();
                }
                return (loss / evalBatches, (double?)null);
            }, progress);
    }

    private static RunResult Loop(IDevice device, RunOptions o, ModelSetup setup, int stepsPerEpoch,
        Func<SeededRandom, int, Dictionary<string, HostTensor>> batchAt,
        Func<Trainer, (double Loss, double? Accuracy)> evaluate, Action<TrainingProgress>? progress)
    {
        int totalSteps = stepsPerEpoch * o.Epochs;
        var schedule = new LearningRateSchedule(o.LearningRate, (int)(totalSteps * o.WarmupFraction), totalSteps, 0.01);
        var random = new SeededRandom(o.Seed);
        int epoch = 0;
        Dictionary<string, HostTensor>? optimizerState = null;
        int step = 0;
        if (o.Resume is not null)
        {
            var (state, optimizer) = Checkpoint.Load(o.Resume, setup.Model, setup.Config);
            (step, epoch, optimizerState) = (state.Step, state.Epoch, optimizer);
            random.State = state.RandomState;
            if (step != epoch * stepsPerEpoch)
                throw new DataException($"checkpoint '{o.Resume}' is at step {step} of epoch {epoch}, which does not match {stepsPerEpoch} steps per epoch of this run (same batch size and data limits are needed to resume)");
        }
        else
        {
            setup.Model.Initialize(o.Seed);
        }
        using var trainer = new Trainer(device, setup.Model, setup.Task, o.Optimizer ?? new OptimizerSettings(), schedule);
        if (optimizerState is not null) trainer.Restore(step, optimizerState);

        string metrics = Path.Combine(o.OutputFolder, TrainingRun.MetricsFile);
        if (o.Resume is null && File.Exists(metrics)) File.Delete(metrics);
        else if (File.Exists(metrics)) TrimMetrics(metrics, step);
        double trainFlops = GraphFlops.Matmuls(trainer.TrainingGraph);
        double forwardFlops = GraphFlops.Matmuls(trainer.EvaluationGraph) / setup.BatchSize;
        Append(metrics, new JsonObject
        {
            ["event"] = "start", ["model"] = setup.Config, ["device"] = device.Info.Id, ["parameters"] = setup.Model.ParameterCount,
            ["trainFlopsPerStep"] = trainFlops, ["forwardFlopsPerExample"] = forwardFlops, ["resumedAtStep"] = step,
        });

        var epochs = new List<EpochResult>();
        while (epoch < o.Epochs)
        {
            var clock = Stopwatch.StartNew();
            double lossSum = 0;
            for (int s = 0; s < stepsPerEpoch; s++)
            {
                double loss = trainer.TrainStep(batchAt(random, step));
                step++;
                lossSum += loss;
                double rate = (s + 1) / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                progress?.Invoke(new TrainingProgress(epoch + 1, o.Epochs, s + 1, stepsPerEpoch, loss, rate));
                Append(metrics, new JsonObject { ["event"] = "step", ["step"] = step, ["epoch"] = epoch + 1, ["loss"] = loss, ["lr"] = schedule.At(step), ["gradNorm"] = trainer.LastGradientNorm });
            }
            double seconds = clock.Elapsed.TotalSeconds;
            epoch++;
            var (evalLoss, accuracy) = evaluate(trainer);
            var result = new EpochResult(epoch, step, lossSum / stepsPerEpoch, evalLoss, accuracy, seconds, stepsPerEpoch / seconds);
            epochs.Add(result);
            progress?.Invoke(new TrainingProgress(epoch, o.Epochs, stepsPerEpoch, stepsPerEpoch, result.TrainLoss, result.StepsPerSecond) { Finished = result });
            Append(metrics, new JsonObject
            {
                ["event"] = "epoch", ["epoch"] = epoch, ["step"] = step, ["trainLoss"] = result.TrainLoss, ["evalLoss"] = evalLoss,
                ["accuracy"] = accuracy, ["seconds"] = seconds, ["stepsPerSecond"] = result.StepsPerSecond,
            });
            trainer.PullParameters();
            Checkpoint.Save(Path.Combine(o.OutputFolder, CheckpointFile), setup.Model, trainer.OptimizerState(), new CheckpointState(step, epoch, random.State, setup.Config));
        }
        var run = new RunResult(o, device.Info.Id, setup.Config, setup.Model.ParameterCount, trainFlops, forwardFlops, epochs);
        AtomicFile.WriteAllText(Path.Combine(o.OutputFolder, SummaryFile), JsonSerializer.Serialize(run, SummaryJson));
        return run;
    }

    private static readonly JsonSerializerOptions SummaryJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    private static void Append(string path, JsonObject line)
    {
        line["time"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        File.AppendAllText(path, line.ToJsonString() + "\n");
    }

    // A run killed after its last checkpoint logged steps (and maybe half a line) that the resumed run repeats: keep
    // only what happened up to the checkpoint's step, so the log stays one loss curve.
    private static void TrimMetrics(string path, int resumedStep)
    {
        var kept = new StringBuilder();
        foreach (var line in File.ReadLines(path))
        {
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(line);
            }
            catch (JsonException)
            {
                continue;   // a line cut short by the kill
            }
            if (node is JsonObject o && o["step"] is JsonValue v && v.TryGetValue(out int s) && s > resumedStep)
                continue;
            kept.Append(line).Append('\n');
        }
        AtomicFile.WriteAllText(path, kept.ToString());
    }

    private static int[] Shuffle(int count, SeededRandom random)
    {
        var order = Enumerable.Range(0, count).ToArray();
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    // Owns the model for the run and the current epoch's image order.
    private sealed class SetupScope(ModelSetup setup) : IDisposable
    {
        public ModelSetup Setup { get; } = setup;

        public int[] Order { get; set; } = [];

        public void Dispose() => Setup.Model.Dispose();
    }
}
