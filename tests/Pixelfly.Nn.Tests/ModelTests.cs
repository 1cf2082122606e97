using Pixelfly.Autodiff;
using Pixelfly.Backends.Reference;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Nn.Init;
using Pixelfly.Nn.Layers;
using Pixelfly.Nn.Models;
using Pixelfly.Tensors;

namespace Pixelfly.Nn.Tests;

public sealed class ModelTests
{
    private static readonly PixelflyConfig Tiny = new(BlockSize: 16, ButterflySize: 4, Factors: 2, Rank: 4);
    private IDevice _ref = null!;

    [OneTimeSetUp]
    public void OpenReference() => _ref = new ReferenceBackend().Open(new ReferenceBackend().EnumerateDevices()[0], DeviceOptions.None);

    [OneTimeTearDown]
    public void CloseReference() => _ref?.Dispose();

    private static (Graph Graph, Dictionary<string, HostTensor> Parameters) Build(Module model, Func<GraphScope, Value> forward)
    {
        var b = new GraphBuilder();
        var scope = new GraphScope(b);
        b.Output("logits", forward(scope));
        return (b.Build(), model.Parameters().ToDictionary(p => p.Name, p => p.ToHostTensor()));
    }

    private static HostTensor Images(int batch, int channels, int size, ulong seed)
    {
        var r = new SeededRandom(seed);
        return HostTensor.FromDoubles(new TensorType(DType.F32, batch, channels, size, size),
            Enumerable.Range(0, batch * channels * size * size).Select(_ => r.Uniform(0, 1)).ToArray());
    }

    [Test]
    public void Mixer_sparsifies_only_the_channel_mlps_and_produces_logits()
    {
        var config = new MixerConfig(ImageSize: 8, Channels: 1, Patch: 4, Dim: 64, Depth: 1, TokenHidden: 8, ChannelHidden: 256, Classes: 3,
            Pixelfly: new PixelflyConfig(BlockSize: 16, ButterflySize: 16, Factors: 2, Rank: 4));
        using var dense = new MlpMixer(config, Sparsity.Dense);
        using var sparse = new MlpMixer(config, Sparsity.Pixelfly);
        Assert.That(sparse.ChannelMlps.Single().Fc1, Is.TypeOf<PixelflyLinear>());
        Assert.That(sparse.Parameters().Where(p => p.Name.Contains("token_mlp", StringComparison.Ordinal)).Select(p => p.Name),
            Is.EqualTo(dense.Parameters().Where(p => p.Name.Contains("token_mlp", StringComparison.Ordinal)).Select(p => p.Name)));
        Assert.That(sparse.ParameterCount, Is.LessThan(dense.ParameterCount));

        sparse.Initialize(1);
        Assert.That(sparse.Head.Weight.Values, Is.All.EqualTo(0f), "fly's Mixer starts with a zero head");
        var (graph, parameters) = Build(sparse, s => sparse.Forward(s, s.Builder.Input("images", DType.F32, 2, 1, 8, 8)));
        parameters["images"] = Images(2, 1, 8, 3);
        var logits = _ref.RunOnce(graph, parameters)["logits"];
        Assert.That(logits.Type.Shape.ToArray(), Is.EqualTo(new[] { 2, 3 }));
    }

    [Test]
    public void Vit_keeps_attention_dense_unless_asked_and_produces_logits()
    {
        var config = new VitConfig(ImageSize: 8, Channels: 1, Patch: 4, Dim: 32, Depth: 1, Heads: 2, MlpHidden: 64, Classes: 4, Pixelfly: Tiny);
        using var mlpOnly = new VisionTransformer(config, Sparsity.Pixelfly);
        using var withQkv = new VisionTransformer(config with { SparseAttentionProjections = true }, Sparsity.Pixelfly);
        Assert.That(mlpOnly.Parameters().Any(p => p.Name == "blocks.0.attn.q_proj.weight"), Is.True);
        Assert.That(withQkv.Parameters().Any(p => p.Name == "blocks.0.attn.q_proj.w_sparse"), Is.True);
        Assert.That(withQkv.Parameters().Any(p => p.Name == "blocks.0.attn.proj.weight"), Is.True, "the output projection stays dense");

        mlpOnly.Initialize(2);
        var (graph, parameters) = Build(mlpOnly, s => mlpOnly.Forward(s, s.Builder.Input("images", DType.F32, 3, 1, 8, 8)));
        parameters["images"] = Images(3, 1, 8, 4);
        Assert.That(_ref.RunOnce(graph, parameters)["logits"].Type.Shape.ToArray(), Is.EqualTo(new[] { 3, 4 }));
    }

    [Test]
    public void Gpt_logits_at_a_position_do_not_depend_on_later_tokens()
    {
        var config = new GptConfig(Vocabulary: 11, Context: 8, Dim: 32, Depth: 1, Heads: 2, MlpHidden: 64, Pixelfly: Tiny);
        using var gpt = new GptLanguageModel(config, Sparsity.Pixelfly);
        gpt.Initialize(5);
        var (graph, parameters) = Build(gpt, s => gpt.Forward(s, s.Builder.Input("ids", DType.I32, 1, 6)));
        HostTensor Ids(params double[] ids) => HostTensor.FromDoubles(new TensorType(DType.I32, 1, 6), ids);
        parameters["ids"] = Ids(1, 2, 3, 4, 5, 6);
        var a = _ref.RunOnce(graph, parameters)["logits"].ToDoubles();
        parameters["ids"] = Ids(1, 2, 3, 9, 0, 10);
        var b = _ref.RunOnce(graph, parameters)["logits"].ToDoubles();
        Assert.That(b.Take(3 * 11), Is.EqualTo(a.Take(3 * 11)), "positions 0-2 see only tokens 0-2");
        Assert.That(b.Skip(3 * 11).Take(11), Is.Not.EqualTo(a.Skip(3 * 11).Take(11)), "position 3 sees its own token");
    }

    [Test]
    public void A_tiny_pixelfly_mixer_learns_a_fixed_batch_on_the_reference()
    {
        // Ten AdamW steps on one batch through the one-graph training step: the loss must fall.
        var config = new MixerConfig(ImageSize: 8, Channels: 1, Patch: 4, Dim: 32, Depth: 1, TokenHidden: 8, ChannelHidden: 64, Classes: 3, Pixelfly: Tiny);
        using var model = new MlpMixer(config, Sparsity.Pixelfly);
        model.Initialize(7);
        var b = new GraphBuilder();
        var scope = new GraphScope(b);
        var logits = model.Forward(scope, b.Input("images", DType.F32, 6, 1, 8, 8));
        b.Output("loss", b.ReduceMean(b.CrossEntropy(logits, b.Input("labels", DType.I32, 6)), [0]));
        var decays = model.Parameters().ToDictionary(p => p.Name, p => p.WeightDecay);
        var step = TrainingStep.Build(b.Build(), "loss", new AdamWRule(new Ir.Ops.AdamWOp(WeightDecay: 0.01), n => decays[n]));
        using var exe = _ref.Compile(step);
        var state = model.Parameters().ToDictionary(p => p.Name, p => p.ToHostTensor());
        foreach (var p in model.Parameters())
        {
            state[TrainingStep.FirstMoment(p.Name)] = new HostTensor(p.Type);
            state[TrainingStep.SecondMoment(p.Name)] = new HostTensor(p.Type);
        }
        state["images"] = Images(6, 1, 8, 8);
        state["labels"] = HostTensor.FromDoubles(new TensorType(DType.I32, 6), [0, 1, 2, 0, 1, 2]);
        state["lr"] = HostTensor.FromFloats([0.01f]);
        var losses = new List<double>();
        for (int s = 1; s <= 10; s++)
        {
            state["step"] = HostTensor.FromFloats([s]);
            var outs = exe.RunOnHost(state);
            losses.Add(outs["loss"].ToDoubles()[0]);
            foreach (var (name, value) in outs)
                if (name.StartsWith("updated/", StringComparison.Ordinal)) state[name["updated/".Length..]] = value;
        }
        Assert.That(losses[0], Is.EqualTo(Math.Log(3)).Within(1e-6), "a zero head starts at log(classes)");
        Assert.That(losses[^1], Is.LessThan(losses[0] * 0.7), string.Join(", ", losses.Select(l => l.ToString("G4"))));
    }
}
