using Pixelfly.Backends.Cpu;
using Pixelfly.Devices;
using Pixelfly.Nn.Data;
using Pixelfly.Nn.Init;
using Pixelfly.Nn.Layers;
using Pixelfly.Nn.Models;
using Pixelfly.Nn.Training;
using Pixelfly.Tensors;

namespace Pixelfly.Nn.Tests;

public sealed class CheckpointTests
{
    private static readonly GptConfig Config = new(Vocabulary: 7, Context: 16, Dim: 32, Depth: 1, Heads: 2, MlpHidden: 64,
        Pixelfly: new PixelflyConfig(BlockSize: 16, ButterflySize: 4, Factors: 2, Rank: 4));
    private static readonly LearningRateSchedule Schedule = new(0.01, 2, 40);
    private string _dir = null!;
    private CpuDevice _cpu = null!;
    private TextDataset _text = null!;

    [OneTimeSetUp]
    public void Open()
    {
        _cpu = new CpuDevice(DeviceOptions.None, null);
        var r = new SeededRandom(1);
        _text = new TextDataset("toy", new string(Enumerable.Range(0, 4000).Select(i => "abcdefg"[(i * i + r.NextInt(2)) % 7]).ToArray()));
    }

    [OneTimeTearDown]
    public void Close() => _cpu?.Dispose();

    [SetUp]
    public void MakeFolder() => _dir = Directory.CreateTempSubdirectory("pixelfly-ckpt-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    private Trainer NewTrainer(GptLanguageModel model) =>
        new(_cpu, model, Tasks.LanguageModel(model.Forward, 4, 16), new OptimizerSettings(), Schedule);

    private List<double> Train(Trainer trainer, SeededRandom data, int steps) => Enumerable.Range(0, steps).Select(_ =>
    {
        var (ids, targets) = _text.TrainBatch(4, 16, data);
        return trainer.TrainStep(new Dictionary<string, HostTensor> { [Tasks.Ids] = ids, [Tasks.Targets] = targets });
    }).ToList();

    [Test]
    public void Resuming_from_a_checkpoint_continues_the_same_loss_curve()
    {
        string path = Path.Combine(_dir, "run.safetensors");
        List<double> uninterrupted;
        {
            using var model = new GptLanguageModel(Config, Sparsity.Pixelfly);
            model.Initialize(9);
            using var trainer = NewTrainer(model);
            var data = new SeededRandom(77);
            Train(trainer, data, 5);
            trainer.PullParameters();
            Checkpoint.Save(path, model, trainer.OptimizerState(), new CheckpointState(trainer.Step, 0, data.State, Config.ToString()));
            uninterrupted = Train(trainer, data, 5);
        }
        // "Killed" here: a new model, trainer and generator from the file alone.
        using var resumedModel = new GptLanguageModel(Config, Sparsity.Pixelfly);
        var (state, optimizer) = Checkpoint.Load(path, resumedModel, Config.ToString());
        using var resumed = NewTrainer(resumedModel);
        resumed.Restore(state.Step, optimizer);
        var resumedLosses = Train(resumed, new SeededRandom(0) { State = state.RandomState }, 5);
        Assert.That(resumedLosses, Is.EqualTo(uninterrupted));
        Assert.That(resumed.Step, Is.EqualTo(10));
    }

    [Test]
    public void A_checkpoint_of_another_model_or_a_damaged_file_is_refused_and_the_model_is_untouched()
    {
        string path = Path.Combine(_dir, "a.safetensors");
        using var model = new GptLanguageModel(Config, Sparsity.Pixelfly);
        model.Initialize(1);
        Checkpoint.Save(path, model, new Dictionary<string, HostTensor>(), new CheckpointState(3, 0, 42, Config.ToString()));

        using var other = new GptLanguageModel(Config with { Dim = 48 }, Sparsity.Pixelfly);
        other.Initialize(2);
        var before = other.Parameters().First().Values!.ToArray();
        var e = Assert.Throws<DataException>(() => Checkpoint.Load(path, other, (Config with { Dim = 48 }).ToString()));
        Assert.That(e!.Message, Does.Contain("written for another model"));
        Assert.That(other.Parameters().First().Values, Is.EqualTo(before));

        // Same config string but a different architecture (dense): a missing tensor is named.
        using var dense = new GptLanguageModel(Config, Sparsity.Dense);
        Assert.That(Assert.Throws<DataException>(() => Checkpoint.Load(path, dense, Config.ToString()))!.Message, Does.Contain("has no tensor for parameter"));

        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.That(Assert.Throws<DataException>(() => Checkpoint.Load(path, model, Config.ToString()))!.Message, Does.Contain("not a valid safetensors file"));
        Assert.That(Assert.Throws<DataException>(() => Checkpoint.Load(Path.Combine(_dir, "none"), model, ""))!.Message, Does.Contain("does not exist"));
    }
}
