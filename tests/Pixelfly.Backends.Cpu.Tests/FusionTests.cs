using Pixelfly.Autodiff;
using Pixelfly.Conformance;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Cpu.Tests.TestSupport;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>
/// Element-wise fusion: which nodes fuse, that internal values get no storage, that fusion never reorders a read
/// past a write, and that fused results equal unfused ones.
/// </summary>
public sealed class FusionTests(SimdPath path) : CpuFixture(path)
{
    private CpuDevice _unfused = null!;

    [OneTimeSetUp]
    public void OpenUnfused() => _unfused = Open(Path, fusion: false);

    [OneTimeTearDown]
    public void CloseUnfused() => _unfused?.Dispose();

    [Test]
    public void A_chain_of_ten_elementwise_ops_is_one_kernel_with_no_arena()
    {
        var b = new GraphBuilder();
        var v = b.Input("x", DType.F32, 1000);
        for (int i = 0; i < 10; i++) v = i % 2 == 0 ? b.Tanh(v) : b.Neg(v);
        b.Output("y", v);
        using var exe = (CpuExecutable)Device.Compile(b.Build());

        Assert.That(exe.Stats.Kernels, Is.EqualTo(1), exe.Describe());
        Assert.That(exe.Stats.FusedGroups, Is.EqualTo(1));
        Assert.That(exe.Stats.FusedNodes, Is.EqualTo(10));
        Assert.That(exe.Stats.FusedValues, Is.EqualTo(9), "nine intermediates stay in registers");
        Assert.That(exe.Stats.ArenaBytes, Is.Zero);
        Assert.That(exe.Describe(), Does.Contain("fused #0 tanh").And.Contain("runs in the fused kernel at #9"));

        var x = RandomTensor(80, 1000);
        var y = TestSupport.Run(exe, Device, new() { ["x"] = x })["y"];
        var expected = x.ToDoubles().Select(t =>
        {
            for (int i = 0; i < 10; i++) t = i % 2 == 0 ? Math.Tanh(t) : -t;
            return t;
        }).ToArray();
        AssertClose(expected, y, rtol: 1e-5, atol: 1e-6);
    }

    [Test]
    public void The_pixelfly_lerp_and_bias_fuse_with_broadcast_gate_and_bias()
    {
        // y = s + g·(l − s) + bias with g [t,1] and bias [n] broadcast: four nodes, one kernel, two internal values.
        const int t = 37, n = 300;
        var b = new GraphBuilder();
        var s = b.Input("s", DType.F32, t, n);
        var l = b.Input("l", DType.F32, t, n);
        var g = b.Input("g", DType.F32, t, 1);
        var bias = b.Input("bias", DType.F32, n);
        b.Output("y", s + g * (l - s) + bias);
        var graph = b.Build();
        using var exe = (CpuExecutable)Device.Compile(graph);
        Assert.That(exe.Stats.FusedGroups, Is.EqualTo(1), exe.Describe());
        Assert.That(exe.Stats.FusedNodes, Is.EqualTo(4));
        Assert.That(exe.Stats.FusedValues, Is.EqualTo(3), "l−s, g·(l−s) and s+g·(l−s) never reach memory");

        var inputs = new Dictionary<string, HostTensor>
        {
            ["s"] = RandomTensor(1, t, n), ["l"] = RandomTensor(2, t, n), ["g"] = RandomTensor(3, t, 1), ["bias"] = RandomTensor(4, n),
        };
        var y = TestSupport.Run(exe, Device, inputs)["y"];
        double[] sd = inputs["s"].ToDoubles(), ld = inputs["l"].ToDoubles(), gd = inputs["g"].ToDoubles(), bd = inputs["bias"].ToDoubles();
        var expected = new double[t * n];
        for (int i = 0; i < t; i++)
            for (int j = 0; j < n; j++)
                expected[i * n + j] = sd[i * n + j] + gd[i] * (ld[i * n + j] - sd[i * n + j]) + bd[j];
        AssertClose(expected, y, rtol: 1e-5, atol: 1e-6);
        AssertIdentical(TestSupport.Run(_unfused, graph, inputs)["y"], y, "fused vs unfused");
    }

    [Test]
    public void A_value_read_outside_the_group_before_it_ends_splits_the_group()
    {
        // a = exp(x) is read by a reduction (not fusable) before c = a·2 would join: a's group cannot wait for c,
        // so the reduction must see a written, and the result must be right.
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 8, 16);
        var a = b.Exp(x);
        var a2 = b.Tanh(a);
        var sum = b.ReduceSum(a, [1], keepDims: true);
        var c = b.Mul(a2, b.Scalar(2));
        b.Output("y", c + sum);
        var graph = b.Build();
        using var exe = (CpuExecutable)Device.Compile(graph);
        var inputs = new Dictionary<string, HostTensor> { ["x"] = RandomTensor(5, 8, 16) };
        var y = TestSupport.Run(exe, Device, inputs)["y"];
        AssertIdentical(TestSupport.Run(_unfused, graph, inputs)["y"], y, "fused vs unfused");
        Assert.That(exe.Describe(), Does.Contain("exp").And.Contain("reduce"));
    }

    [Test]
    public void A_donating_update_keeps_its_own_kernel_and_later_readers_see_the_old_value()
    {
        // p' = p − 0.1·tanh(p) donates p, while q = exp(p)·3 is computed afterwards from the original p.
        var b = new GraphBuilder();
        var p = b.Parameter("p", DType.F32, 500);
        var step = b.Tanh(p) * b.Scalar(0.1);
        var updated = p - step;
        var q = b.Exp(p) * b.Scalar(3);
        b.Output("p.new", updated, donates: "p");
        b.Output("q", q);
        var graph = b.Build();
        var inputs = new Dictionary<string, HostTensor> { ["p"] = RandomTensor(6, 500) };

        using var exe = (CpuExecutable)Device.Compile(graph);
        var fused = TestSupport.Run(exe, Device, inputs);
        var unfused = TestSupport.Run(_unfused, graph, inputs);
        AssertIdentical(unfused["p.new"], fused["p.new"], "update");
        AssertIdentical(unfused["q"], fused["q"], "later reader");
        var pd = inputs["p"].ToDoubles();
        AssertClose(pd.Select(v => Math.Exp(v) * 3).ToArray(), fused["q"], rtol: 1e-5, atol: 1e-6, what: "q from the original p");
    }

    [Test]
    public void Where_with_an_i32_condition_and_broadcast_operands_fuses()
    {
        var b = new GraphBuilder();
        var cond = b.Input("cond", DType.I32, 6, 40);
        var x = b.Input("x", DType.F32, 6, 40);
        var r = b.Input("r", DType.F32, 40);
        b.Output("y", b.Where(cond, b.Exp(x), r) * x);
        var graph = b.Build();
        var condData = Enumerable.Range(0, 240).Select(i => (double)(i % 3 == 0 ? 1 : 0)).ToArray();
        var inputs = new Dictionary<string, HostTensor>
        {
            ["cond"] = HostTensor.FromDoubles(new TensorType(DType.I32, 6, 40), condData),
            ["x"] = RandomTensor(7, 6, 40),
            ["r"] = RandomTensor(8, 40),
        };
        using var exe = (CpuExecutable)Device.Compile(graph);
        Assert.That(exe.Stats.FusedNodes, Is.EqualTo(3), exe.Describe());
        var y = TestSupport.Run(exe, Device, inputs)["y"];
        AssertIdentical(TestSupport.Run(_unfused, graph, inputs)["y"], y, "fused vs unfused");
    }

    [Test]
    public void A_pixelfly_mlp_training_step_matches_the_unfused_step()
    {
        // The whole forward + backward + AdamW graph of a small Pixelfly MLP: many fused groups, same results.
        var layout = BlockLayout.FlatBlockButterfly(128, 64, 16, 4, 2);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 24, 64);
        var h = b.Gelu(CaseGenerator.PixelflyLayer(b, x, "fc1", 64, 128, layout, 4));
        var err = b.MatMul(h, b.Parameter("fc2.w", DType.F32, 8, 128), transB: true) - b.Input("target", DType.F32, 24, 8);
        b.Output(TrainingStep.Loss, b.ReduceMean(err * err, [0, 1]));
        var graph = TrainingStep.Build(b.Build(), TrainingStep.Loss, new AdamWOp(0.9, 0.999, 1e-8, 0.01));

        var inputs = new Dictionary<string, HostTensor>();
        int seed = 100;
        foreach (var v in graph.Bindable)
            inputs[v.Name] = v.Name switch
            {
                TrainingStep.LearningRate => HostTensor.FromDoubles(v.Type, [1e-3]),
                TrainingStep.Step => HostTensor.FromDoubles(v.Type, [1]),
                _ when v.Name.StartsWith("adam.", StringComparison.Ordinal) => HostTensor.FromDoubles(v.Type, new double[v.Type.Shape.ElementCount]),
                _ => RandomTensor(seed++, v.Type.Shape.ToArray()),
            };
        using var exe = (CpuExecutable)Device.Compile(graph);
        Assert.That(exe.Stats.FusedGroups, Is.GreaterThanOrEqualTo(3), exe.Describe());

        var fused = TestSupport.Run(exe, Device, inputs);
        var unfused = TestSupport.Run(_unfused, graph, inputs);
        foreach (var (name, expected) in unfused)
            AssertClose(expected.ToDoubles(), fused[name], rtol: 1e-6, atol: 1e-7, what: name);
    }
}

/// <summary>Element-wise groups fused into the dense matmul that feeds them, run on each finished C tile.</summary>
public sealed class EpilogueFusionTests(SimdPath path) : CpuFixture(path)
{
    private CpuDevice _unfused = null!;

    [OneTimeSetUp]
    public void OpenUnfused() => _unfused = Open(Path, fusion: false);

    [OneTimeTearDown]
    public void CloseUnfused() => _unfused?.Dispose();

    // m, n, k cover the local schedule (few row blocks), the shared one (many), several K passes, K = 0 and odd sizes.
    [TestCase(7, 33, 19, 1, false, false)]
    [TestCase(600, 70, 300, 1, false, true)]
    [TestCase(450, 530, 40, 1, true, false)]
    [TestCase(64, 96, 0, 1, false, false)]
    [TestCase(40, 24, 50, 3, false, true)]
    public void Matmul_plus_bias_then_gelu_runs_as_one_kernel_and_matches_the_unfused_result(int m, int n, int k, int batch, bool transA, bool transB)
    {
        var b = new GraphBuilder();
        int[] Dims(int rows, int cols) => batch > 1 ? [batch, rows, cols] : [rows, cols];
        var a = b.Input("a", DType.F32, transA ? Dims(k, m) : Dims(m, k));
        var w = b.Parameter("w", DType.F32, transB ? Dims(n, k) : Dims(k, n));
        var bias = b.Parameter("bias", DType.F32, n);
        b.Output("y", b.Gelu(b.MatMul(a, w, transA, transB) + bias));
        var graph = b.Build();
        var inputs = graph.Bindable.ToDictionary(v => v.Name, v => RandomTensor(v.Name.Length + m, v.Type.Shape.ToArray()));

        using var exe = (CpuExecutable)Device.Compile(graph);
        Assert.That(exe.Stats.Epilogues, Is.EqualTo(1), exe.Describe());
        Assert.That(exe.Stats.Kernels, Is.EqualTo(1), exe.Describe());
        Assert.That(exe.Stats.ArenaBytes, Is.Zero, "C goes straight into y");
        var fused = TestSupport.Run(exe, Device, inputs)["y"];
        AssertIdentical(TestSupport.Run(_unfused, graph, inputs)["y"], fused, "fused vs unfused");
    }

    [Test]
    public void A_matmul_read_outside_the_group_is_not_fused()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 20, 30);
        var c = b.MatMul(x, b.Parameter("w", DType.F32, 30, 40));
        b.Output("y", c + b.Parameter("bias", DType.F32, 40));
        b.Output("c", c);
        using var exe = (CpuExecutable)Device.Compile(b.Build());
        Assert.That(exe.Stats.Epilogues, Is.Zero, exe.Describe());
    }

    [Test]
    public void The_low_rank_matmul_takes_the_pixelfly_lerp_as_its_epilogue()
    {
        // Forward Pixelfly layer: sparse part, then L = (x·Vᵀ)·Uᵀ, gate, lerp and bias. L's matmul moves after the
        // gate and writes y directly; S is read once in its epilogue.
        var layout = BlockLayout.FlatBlockButterfly(256, 128, 16, 4, 2);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 70, 128);
        b.Output("y", CaseGenerator.PixelflyLayer(b, x, "fc", 128, 256, layout, 8));
        var graph = b.Build();
        int seed = 40;
        var inputs = graph.Bindable.ToDictionary(v => v.Name, v => RandomTensor(seed++, v.Type.Shape.ToArray()));

        using var exe = (CpuExecutable)Device.Compile(graph);
        Assert.That(exe.Stats.Epilogues, Is.GreaterThanOrEqualTo(1), exe.Describe());
        Assert.That(exe.Describe(), Does.Contain("epilogue fused"));
        var fused = TestSupport.Run(exe, Device, inputs)["y"];
        AssertIdentical(TestSupport.Run(_unfused, graph, inputs)["y"], fused, "fused vs unfused");
    }
}
