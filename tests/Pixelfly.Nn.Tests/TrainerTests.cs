using Pixelfly.Backends.Cpu;
using Pixelfly.Backends.Reference;
using Pixelfly.Devices;
using Pixelfly.Nn.Init;
using Pixelfly.Nn.Layers;
using Pixelfly.Nn.Models;
using Pixelfly.Nn.Training;
using Pixelfly.Tensors;

namespace Pixelfly.Nn.Tests;

public sealed class TrainerTests
{
    private const int Batch = 8;
    private static readonly MixerConfig Config = new(ImageSize: 8, Channels: 1, Patch: 4, Dim: 32, Depth: 1, TokenHidden: 8, ChannelHidden: 64,
        Classes: 3, Pixelfly: new PixelflyConfig(BlockSize: 16, ButterflySize: 4, Factors: 2, Rank: 4));
    private static readonly LearningRateSchedule Schedule = new(Peak: 0.01, WarmupSteps: 2, TotalSteps: 50);

    private IDevice _ref = null!, _cpu = null!;

    [OneTimeSetUp]
    public void Open()
    {
        _ref = new ReferenceBackend().Open(new ReferenceBackend().EnumerateDevices()[0], DeviceOptions.None);
        _cpu = new CpuDevice(DeviceOptions.None, null);
    }

    [OneTimeTearDown]
    public void Close()
    {
        _ref?.Dispose();
        _cpu?.Dispose();
    }

    private static Dictionary<string, HostTensor> Batch_(int index)
    {
        var r = new SeededRandom((ulong)(100 + index));
        var labels = Enumerable.Range(0, Batch).Select(_ => (double)r.NextInt(3)).ToArray();
        // Class c brightens row block c of the image, so the task is learnable.
        var images = new double[Batch * 64];
        for (int n = 0; n < Batch; n++)
            for (int i = 0; i < 64; i++)
                images[n * 64 + i] = r.Uniform(0, 0.5) + (i / 8 / 3 == (int)labels[n] ? 0.5 : 0);
        return new()
        {
            [Tasks.Images] = HostTensor.FromDoubles(new TensorType(DType.F32, Batch, 1, 8, 8), images),
            [Tasks.Labels] = HostTensor.FromDoubles(new TensorType(DType.I32, Batch), labels),
        };
    }

    private static Trainer NewTrainer(IDevice device, MlpMixer model, OptimizerSettings? optimizer = null) =>
        new(device, model, Tasks.Classification(model.Forward, Batch, 1, 8), optimizer ?? new OptimizerSettings(), Schedule);

    private static List<double> Train(Trainer trainer, int from, int steps) =>
        Enumerable.Range(from, steps).Select(i => trainer.TrainStep(Batch_(i))).ToList();

    [Test]
    public void Cpu_losses_follow_the_reference_for_the_first_steps()
    {
        using var m1 = new MlpMixer(Config, Sparsity.Pixelfly);
        using var m2 = new MlpMixer(Config, Sparsity.Pixelfly);
        m1.Initialize(3);
        m2.Initialize(3);
        using var onRef = NewTrainer(_ref, m1);
        using var onCpu = NewTrainer(_cpu, m2);
        var expected = Train(onRef, 0, 5);
        var actual = Train(onCpu, 0, 5);
        for (int s = 0; s < 5; s++)
            Assert.That(actual[s], Is.EqualTo(expected[s]).Within(1e-4 * Math.Abs(expected[s])), $"step {s + 1}: {string.Join(", ", actual)} vs {string.Join(", ", expected)}");
    }

    [Test]
    public void Training_is_deterministic_and_learns()
    {
        List<double> Run()
        {
            using var m = new MlpMixer(Config, Sparsity.Pixelfly);
            m.Initialize(4);
            using var t = NewTrainer(_cpu, m);
            return Train(t, 0, 30);
        }
        var a = Run();
        Assert.That(Run(), Is.EqualTo(a), "same seed, same batches, same device: same losses bit for bit");
        Assert.That(a.Skip(25).Average(), Is.LessThan(a.Take(5).Average() * 0.8), string.Join(", ", a.Select(l => l.ToString("G3"))));
    }

    [Test]
    public void Restoring_parameters_state_and_step_continues_the_same_loss_curve()
    {
        using var m = new MlpMixer(Config, Sparsity.Pixelfly);
        m.Initialize(5);
        using var t = NewTrainer(_cpu, m);
        Train(t, 0, 6);
        t.PullParameters();
        var saved = m.Parameters().ToDictionary(p => p.Name, p => (float[])p.Values!.Clone());
        var optimizerState = t.OptimizerState();
        var uninterrupted = Train(t, 6, 6);

        using var resumedModel = new MlpMixer(Config, Sparsity.Pixelfly);
        foreach (var p in resumedModel.Parameters()) p.SetValues(saved[p.Name]);
        using var resumed = NewTrainer(_cpu, resumedModel);
        resumed.Restore(6, optimizerState);
        Assert.That(Train(resumed, 6, 6), Is.EqualTo(uninterrupted));
        Assert.That(resumed.Step, Is.EqualTo(12));
    }

    [Test]
    public void Sgd_and_clipping_report_the_gradient_norm()
    {
        using var m = new MlpMixer(Config, Sparsity.Dense);
        m.Initialize(6);
        using var t = NewTrainer(_cpu, m, new OptimizerSettings(Kind: OptimizerKind.Sgd, ClipNorm: 0.5));
        Train(t, 0, 2);
        Assert.That(t.LastGradientNorm, Is.Not.Null.And.GreaterThan(0));
    }

    [Test]
    public void Bad_batches_and_uninitialised_models_are_clear_errors()
    {
        using var fresh = new MlpMixer(Config, Sparsity.Dense);
        var e = Assert.Throws<InvalidOperationException>(() => NewTrainer(_cpu, fresh));
        Assert.That(e!.Message, Does.Contain("not initialised"));

        fresh.Initialize(1);
        using var t = NewTrainer(_cpu, fresh);
        var batch = Batch_(0);
        batch.Remove(Tasks.Labels);
        Assert.That(Assert.Throws<ArgumentException>(() => t.TrainStep(batch))!.Message, Does.Contain("no 'labels'"));
        batch[Tasks.Labels] = HostTensor.FromDoubles(new TensorType(DType.I32, Batch + 1), new double[Batch + 1]);
        Assert.That(Assert.Throws<ArgumentException>(() => t.TrainStep(batch))!.Message, Does.Contain("the compiled graph takes"));
        Assert.That(t.Step, Is.Zero, "a rejected batch is not a step");
    }

    [Test]
    public void A_non_finite_loss_stops_with_a_clear_message()
    {
        using var m = new MlpMixer(Config, Sparsity.Dense);
        m.Initialize(2);
        using var t = NewTrainer(_cpu, m);
        var batch = Batch_(0);
        var images = batch[Tasks.Images].ToDoubles();
        images[5] = double.NaN;
        batch[Tasks.Images] = HostTensor.FromDoubles(batch[Tasks.Images].Type, images);
        var e = Assert.Throws<ExecutionException>(() => t.TrainStep(batch));
        Assert.That(e!.Message, Does.Contain("training loss became NaN").And.Contain("last checkpoint"));
    }

    [Test]
    public void The_schedule_warms_up_then_decays_by_cosine()
    {
        var s = new LearningRateSchedule(Peak: 1, WarmupSteps: 4, TotalSteps: 104, MinimumFraction: 0.1);
        Assert.That(s.At(1), Is.EqualTo(0.25));
        Assert.That(s.At(4), Is.EqualTo(1));
        Assert.That(s.At(54), Is.EqualTo(0.55).Within(1e-12), "half way: min + (1 − min)/2");
        Assert.That(s.At(104), Is.EqualTo(0.1).Within(1e-12));
        Assert.That(s.At(500), Is.EqualTo(0.1).Within(1e-12));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(1, 10, 5).At(1));
    }
}
