using Pixelfly.Backends.Reference;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Autodiff.Tests;

public sealed class TrainingStepTests
{
    private static Graph LinearRegression()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F64, 8, 3);
        var t = b.Input("t", DType.F64, 8, 1);
        var w = b.Parameter("w", DType.F64, 3, 1);
        var err = b.MatMul(x, w) - t;
        b.Output("loss", b.ReduceMean(err * err, [0, 1]));
        return b.Build();
    }

    [Test]
    public void StepGraphDeclaresOptimizerStateAndDonatesUpdates()
    {
        var step = TrainingStep.Build(LinearRegression(), "loss", new AdamWOp());
        Assert.That(step.Inputs.Select(v => v.Name), Is.SupersetOf(new[] { "lr", "step", "adam.m/w", "adam.v/w" }));
        Assert.That(step.Output("updated/w").Donates, Is.EqualTo("w"));
        Assert.That(step.Output("updated/adam.m/w").Donates, Is.EqualTo("adam.m/w"));
        Assert.That(step.OutputType("loss"), Is.EqualTo(new TensorType(DType.F64, Shape.Scalar)));
    }

    [Test]
    public void RepeatedStepsReduceTheLoss()
    {
        var device = new ReferenceBackend().Open(new ReferenceBackend().EnumerateDevices()[0], DeviceOptions.None);
        using var exe = device.Compile(TrainingStep.Build(LinearRegression(), "loss", new AdamWOp(WeightDecay: 0)));
        var random = new Random(7);
        var x = Enumerable.Range(0, 24).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var t = Enumerable.Range(0, 8).Select(i => 2 * x[3 * i] - x[3 * i + 1] + 0.5 * x[3 * i + 2]).ToArray();
        var state = new Dictionary<string, HostTensor>
        {
            ["x"] = HostTensor.FromDoubles(new TensorType(DType.F64, 8, 3), x),
            ["t"] = HostTensor.FromDoubles(new TensorType(DType.F64, 8, 1), t),
            ["w"] = new HostTensor(new TensorType(DType.F64, 3, 1)),
            ["adam.m/w"] = new HostTensor(new TensorType(DType.F64, 3, 1)),
            ["adam.v/w"] = new HostTensor(new TensorType(DType.F64, 3, 1)),
            ["lr"] = HostTensor.FromFloats([0.1f]),
        };
        var losses = new List<double>();
        for (int s = 1; s <= 60; s++)
        {
            state["step"] = HostTensor.FromFloats([s]);
            var outs = exe.RunOnHost(state);
            losses.Add(outs["loss"].ToDoubles()[0]);
            foreach (var name in new[] { "w", "adam.m/w", "adam.v/w" })
                state[name] = outs[TrainingStep.Updated(name)];
        }
        Assert.That(losses[^1], Is.LessThan(losses[0] * 0.05), string.Join(", ", losses.Select(l => l.ToString("G3"))));
    }

    [Test]
    public void UnknownLossIsAClearError()
    {
        var ex = Assert.Throws<GraphValidationException>(() => Gradients.Build(LinearRegression(), "lost", ["w"]));
        Assert.That(ex!.Message, Does.Contain("loss 'lost' is not an output"));
    }

    [Test]
    public void DifferentiatingWithRespectToIndicesIsAClearError()
    {
        var b = new GraphBuilder();
        var table = b.Parameter("table", DType.F64, 4, 2);
        var idx = b.Input("idx", DType.I32, 3);
        b.Output("loss", b.ReduceSum(b.Gather(table, idx), [0, 1]));
        var ex = Assert.Throws<GraphValidationException>(() => Gradients.Build(b.Build(), "loss", ["idx"]));
        Assert.That(ex!.Message, Does.Contain("not floating point"));
    }
}

/// <summary>Update rules other than plain AdamW: SGD with momentum, per-parameter weight decay, global-norm clipping.</summary>
public sealed class UpdateRuleTests
{
    private IDevice _ref = null!;

    [OneTimeSetUp]
    public void Open() => _ref = new ReferenceBackend().Open(new ReferenceBackend().EnumerateDevices()[0], DeviceOptions.None);

    [OneTimeTearDown]
    public void Close() => _ref?.Dispose();

    // loss = Σ (w ⊙ x) + Σ b² with known gradients: ∂w = x, ∂b = 2b.
    private static Graph Quadratic()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", DType.F64, 3);
        var w = g.Parameter("w", DType.F64, 3);
        var bias = g.Parameter("b", DType.F64, 2);
        g.Output("loss", g.ReduceSum(w * x, [0]) + g.ReduceSum(bias * bias, [0]));
        return g.Build();
    }

    private Dictionary<string, HostTensor> Step(Graph step, double[] w, double[] bias, double[] x, Dictionary<string, double[]> state, double lr)
    {
        var inputs = new Dictionary<string, HostTensor>
        {
            ["x"] = HostTensor.FromDoubles(new TensorType(DType.F64, 3), x),
            ["w"] = HostTensor.FromDoubles(new TensorType(DType.F64, 3), w),
            ["b"] = HostTensor.FromDoubles(new TensorType(DType.F64, 2), bias),
            ["lr"] = HostTensor.FromFloats([(float)lr]),
            ["step"] = HostTensor.FromFloats([1]),
        };
        foreach (var (name, values) in state) inputs[name] = HostTensor.FromDoubles(new TensorType(DType.F64, values.Length), values);
        return _ref.RunOnce(step, inputs);
    }

    [Test]
    public void Sgd_with_momentum_and_decay_only_on_selected_parameters_matches_the_formula()
    {
        var rule = new SgdRule(momentum: 0.5, weightDecay: 0.1, decays: name => name == "w");
        var step = TrainingStep.Build(Quadratic(), "loss", rule);
        Assert.That(step.Inputs.Select(v => v.Name), Is.SupersetOf(new[] { "sgd.momentum/w", "sgd.momentum/b" }));
        double[] w = [1, 2, 3], bias = [0.5, -1], x = [0.1, 0.2, 0.3];
        double[] mw = [1, 1, 1], mb = [2, 2];
        var outs = Step(step, w, bias, x, new() { ["sgd.momentum/w"] = mw, ["sgd.momentum/b"] = mb }, lr: 0.25);

        // w: g = x + 0.1·w, buf = 0.5·1 + g, w' = w − 0.25·buf. b (no decay): g = 2b, buf = 0.5·2 + g.
        var bufW = w.Select((wi, i) => 0.5 + x[i] + 0.1 * wi).ToArray();
        var bufB = bias.Select(bi => 1 + 2 * bi).ToArray();
        Assert.That(outs["updated/sgd.momentum/w"].ToDoubles(), Is.EqualTo(bufW).Within(1e-12));
        Assert.That(outs["updated/w"].ToDoubles(), Is.EqualTo(w.Select((wi, i) => wi - 0.25 * bufW[i]).ToArray()).Within(1e-7));
        Assert.That(outs["updated/b"].ToDoubles(), Is.EqualTo(bias.Select((bi, i) => bi - 0.25 * bufB[i]).ToArray()).Within(1e-7));
        Assert.That(step.Output("updated/sgd.momentum/b").Donates, Is.EqualTo("sgd.momentum/b"));
    }

    [Test]
    public void AdamW_rule_skips_weight_decay_where_told()
    {
        // With a zero gradient for b (b = 0) the only change AdamW can make is the decay: none for b, some for w.
        var rule = new AdamWRule(new AdamWOp(WeightDecay: 0.5), decays: name => name == "w");
        var step = TrainingStep.Build(Quadratic(), "loss", rule);
        double[] zeros3 = [0, 0, 0], zeros2 = [0, 0];
        var outs = Step(step, [1, 1, 1], [0, 0], zeros3, new()
        {
            ["adam.m/w"] = zeros3, ["adam.v/w"] = zeros3, ["adam.m/b"] = zeros2, ["adam.v/b"] = zeros2,
        }, lr: 0.1);
        Assert.That(outs["updated/w"].ToDoubles(), Is.EqualTo(new[] { 0.95, 0.95, 0.95 }).Within(1e-7), "decoupled decay: w·(1 − lr·λ)");
        Assert.That(outs["updated/b"].ToDoubles(), Is.EqualTo(zeros2));
    }

    [Test]
    public void Clipping_scales_all_gradients_by_the_global_norm_and_reports_it()
    {
        // ∂w = x = (3, 0, 0), ∂b = 2b = (0, 4): global norm 5; clipped to 1 → gradients × 1/5.
        var step = TrainingStep.Build(Quadratic(), "loss", new SgdRule(momentum: 0), clipNorm: 1.0);
        var outs = Step(step, [0, 0, 0], [0, 2], [3, 0, 0], new() { ["sgd.momentum/w"] = [0, 0, 0], ["sgd.momentum/b"] = [0, 0] }, lr: 1);
        Assert.That(outs[TrainingStep.GradientNorm].ToDoubles()[0], Is.EqualTo(5).Within(1e-9));
        Assert.That(outs["updated/w"].ToDoubles(), Is.EqualTo(new[] { -0.6, 0, 0 }).Within(1e-6));
        Assert.That(outs["updated/b"].ToDoubles(), Is.EqualTo(new[] { 0, 2 - 0.8 }).Within(1e-6));

        var unclipped = TrainingStep.Build(Quadratic(), "loss", new SgdRule(momentum: 0), clipNorm: 100);
        var free = Step(unclipped, [0, 0, 0], [0, 2], [3, 0, 0], new() { ["sgd.momentum/w"] = [0, 0, 0], ["sgd.momentum/b"] = [0, 0] }, lr: 1);
        Assert.That(free["updated/w"].ToDoubles(), Is.EqualTo(new[] { -3.0, 0, 0 }).Within(1e-6), "below the clip norm nothing changes");
    }

    [Test]
    public void A_non_positive_clip_norm_is_rejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TrainingStep.Build(Quadratic(), "loss", new SgdRule(), clipNorm: 0));
        Assert.That(e!.Message, Does.Contain("clipping norm"));
    }
}

/// <summary>The shape of the gradient graphs the rules emit, where it matters for speed.</summary>
public sealed class GradientGraphShapeTests
{
    [TestCase(false)]
    [TestCase(true)]
    public void A_weight_shared_across_a_batch_gets_one_matmul_over_all_rows_not_a_sum_over_the_batch(bool sparse)
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 8, 6, 4);
        var layout = Layouts.BlockLayout.FromMask(new bool[,] { { true, false }, { true, true } }, 2);
        var y = sparse
            ? b.BlockSparseMatMul(SparseMode.Dds, layout, x, b.Parameter("w", DType.F32, layout.NnzBlocks, 2, 2), transB: true)
            : b.MatMul(x, b.Parameter("w", DType.F32, 4, 4), transB: true);
        b.Output("loss", b.ReduceSum(y * y, [0, 1, 2]));
        var grad = Gradients.Build(b.Build(), "loss", ["w"]);
        var producer = grad.Nodes[grad.Values[grad.Output("grad/w").Value].Producer];
        Assert.That(producer.Op, Is.InstanceOf(sparse ? typeof(BlockSparseMatMulOp) : typeof(MatMulOp)), "the gradient is the matmul itself, no reduce over the batch");
        Assert.That(grad.Values[producer.Inputs[0]].Type.Shape.Rank, Is.EqualTo(2), "the batch is folded into the rows");
    }
}
