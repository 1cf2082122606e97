using Pixelfly.Backends.Reference;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Nn.Init;
using Pixelfly.Nn.Layers;
using Pixelfly.Tensors;

namespace Pixelfly.Nn.Tests;

public sealed class LayerTests
{
    private IDevice _ref = null!;

    [OneTimeSetUp]
    public void OpenReference() => _ref = new ReferenceBackend().Open(new ReferenceBackend().EnumerateDevices()[0], DeviceOptions.None);

    [OneTimeTearDown]
    public void CloseReference() => _ref?.Dispose();

    /// <summary>A model holding one module, so tests can initialise and name it.</summary>
    private sealed class Holder<T> : Module where T : Module
    {
        public Holder(Func<string, T> make) : base("") => Inner = AddModule(make("layer"));

        public T Inner { get; }
    }

    private static Holder<T> Make<T>(Func<string, T> make, ulong seed = 1) where T : Module
    {
        var h = new Holder<T>(make);
        h.Initialize(seed);
        return h;
    }

    private double[] RunLayer(ILinearLayer layer, Module model, double[] x, int tokens)
    {
        var b = new GraphBuilder();
        var scope = new GraphScope(b);
        var xv = b.Input("x", DType.F32, tokens, layer.InFeatures);
        b.Output("y", layer.Forward(scope, xv));
        var inputs = new Dictionary<string, HostTensor> { ["x"] = HostTensor.FromDoubles(new TensorType(DType.F32, tokens, layer.InFeatures), x) };
        foreach (var p in model.Parameters()) inputs[p.Name] = p.ToHostTensor();
        return _ref.RunOnce(b.Build(), inputs)["y"].ToDoubles();
    }

    private static double[] RandomInput(int count, ulong seed)
    {
        var r = new SeededRandom(seed);
        return Enumerable.Range(0, count).Select(_ => Math.Round(r.Uniform(-1, 1), 6)).ToArray();
    }

    [Test]
    public void Linear_computes_x_times_w_transposed_plus_bias()
    {
        using var m = Make(n => new Linear(n, 5, 3));
        var lin = m.Inner;
        Assert.That(m.Parameters().Select(p => p.Name), Is.EqualTo(new[] { "layer.weight", "layer.bias" }));
        Assert.That(lin.Weight.WeightDecay, Is.True);
        Assert.That(lin.Bias!.WeightDecay, Is.False);
        var x = RandomInput(4 * 5, 2);
        var y = RunLayer(lin, m, x, 4);
        var w = lin.Weight.Values!;
        var bias = lin.Bias.Values!;
        for (int t = 0; t < 4; t++)
            for (int o = 0; o < 3; o++)
            {
                double s = bias[o];
                for (int i = 0; i < 5; i++) s += x[t * 5 + i] * w[o * 5 + i];
                Assert.That(y[t * 3 + o], Is.EqualTo(s).Within(1e-6));
            }
    }

    [Test]
    public void An_mlp_along_rows_equals_the_mlp_between_two_transposes()
    {
        // x [2, 5, 3]: the token MLP of a Mixer mixes the 5 rows of each image for every one of the 3 columns.
        using var m = Make(n => new Mlp(n, 5, 4, 5, (name, i, o) => new Linear(name, i, o)), seed: 4);
        var mlp = m.Inner;
        var b = new GraphBuilder();
        var scope = new GraphScope(b);
        var x = b.Input("x", DType.F32, 2, 5, 3);
        b.Output("rows", mlp.ForwardAlongRows(scope, x));
        b.Output("transposed", b.Transpose(mlp.Forward(scope, b.Transpose(x, 0, 2, 1)), 0, 2, 1));
        var inputs = new Dictionary<string, HostTensor> { ["x"] = HostTensor.FromDoubles(new TensorType(DType.F32, 2, 5, 3), RandomInput(30, 8)) };
        foreach (var p in m.Parameters()) inputs[p.Name] = p.ToHostTensor();
        var y = _ref.RunOnce(b.Build(), inputs);
        Assert.That(y["rows"].ToDoubles(), Is.EqualTo(y["transposed"].ToDoubles()).Within(1e-6));

        var wrong = new GraphBuilder().Input("x", DType.F32, 2, 3, 5);   // 5 on the last axis, 3 rows
        var shape = Assert.Throws<ArgumentException>(() => mlp.ForwardAlongRows(new GraphScope(wrong.Builder), wrong));
        Assert.That(shape!.Message, Does.Contain("[..., 5, d]"));

        using var sparse = Make(n => new Mlp(n, 32, 32, 32, (name, i, o) => new PixelflyLinear(name, i, o, new PixelflyConfig(BlockSize: 16, ButterflySize: 2, Factors: 1, Rank: 0))));
        var e = Assert.Throws<InvalidOperationException>(() => sparse.Inner.ForwardAlongRows(new GraphScope(new GraphBuilder()), x));
        Assert.That(e!.Message, Does.Contain("dense"));
    }

    // 100 -> 150 and 150 -> 100 with b = 16: the layout is padded to multiples of 16, x is zero-padded and y sliced.
    // The layer folds U into extra block columns when in ≤ out and V (with the gate row) into extra block rows
    // otherwise: both are checked, with ranks that fill part of a block, exactly one block (r + gate = 16) and more
    // than one, with and without the gate.
    [TestCase(100, 150, 6, true)]
    [TestCase(150, 100, 6, true)]
    [TestCase(96, 160, 16, false)]
    [TestCase(160, 96, 15, true)]
    [TestCase(100, 150, 20, false)]
    [TestCase(150, 100, 20, true)]
    public void Pixelfly_linear_matches_its_formula_on_a_padded_misaligned_shape(int inF, int outF, int rank, bool gated)
    {
        var config = new PixelflyConfig(BlockSize: 16, ButterflySize: 4, Factors: 2, Rank: rank, Gate: gated);
        using var m = Make(n => new PixelflyLinear(n, inF, outF, config));
        var layer = m.Inner;
        Assert.That(layer.Layout.Cols, Is.GreaterThanOrEqualTo(inF));
        Assert.That(layer.Layout.Rows, Is.GreaterThanOrEqualTo(outF));
        int foldedBlocks = inF <= outF ? (rank + 15) / 16 * layer.Layout.BlockRows : (rank + (gated ? 1 : 0) + 15) / 16 * layer.Layout.BlockCols;
        Assert.That(layer.ProductLayout.NnzBlocks, Is.EqualTo(layer.Layout.NnzBlocks + foldedBlocks));
        const int tokens = 7;
        var x = RandomInput(tokens * inF, 5);
        var y = RunLayer(layer, m, x, tokens);

        var l = layer.Layout;
        int bs = l.BlockSize, r = config.Rank;
        var ws = new double[l.Rows * l.Cols];
        var rowPtr = l.RowPtr.ToArray();
        var colIdx = l.ColIdx.ToArray();
        var blocks = layer.SparseWeight.Values!;
        for (int p = 0; p < l.BlockRows; p++)
            for (int k = rowPtr[p]; k < rowPtr[p + 1]; k++)
                for (int i = 0; i < bs; i++)
                    for (int j = 0; j < bs; j++)
                        ws[(p * bs + i) * l.Cols + colIdx[k] * bs + j] = blocks[(k * bs + i) * bs + j];
        float[] u = layer.U!.Values!, v = layer.V!.Values!, bias = layer.Bias.Values!;
        Assert.That(layer.GateWeight is not null, Is.EqualTo(gated));
        for (int t = 0; t < tokens; t++)
        {
            double gate = 0.5;
            if (gated)
            {
                gate = layer.GateBias!.Values![0];
                for (int i = 0; i < inF; i++) gate += x[t * inF + i] * layer.GateWeight!.Values![i];
                gate = 1 / (1 + Math.Exp(-gate));
            }
            var xv = new double[r];
            for (int q = 0; q < r; q++)
                for (int i = 0; i < inF; i++) xv[q] += x[t * inF + i] * v[q * inF + i];
            for (int o = 0; o < outF; o++)
            {
                double sparse = 0, low = 0;
                for (int i = 0; i < inF; i++) sparse += x[t * inF + i] * ws[o * l.Cols + i];
                for (int q = 0; q < r; q++) low += xv[q] * u[o * r + q];
                double expected = (1 - gate) * sparse + gate * low + bias[o];
                Assert.That(y[t * outF + o], Is.EqualTo(expected).Within(1e-5), $"token {t}, output {o}");
            }
        }
    }

    // The folded graph's gradients (autodiff through gathers, concats, slices) against autodiff of the plain formula
    // (block-sparse product on the layer's own layout, lerp with the gate), for every parameter and the input.
    [TestCase(100, 150, 6, true)]
    [TestCase(150, 100, 6, true)]
    [TestCase(96, 160, 16, false)]
    [TestCase(160, 96, 20, true)]
    public void Pixelfly_linear_gradients_match_the_unfolded_formula(int inF, int outF, int rank, bool gated)
    {
        var config = new PixelflyConfig(BlockSize: 16, ButterflySize: 4, Factors: 2, Rank: rank, Gate: gated);
        using var m = Make(n => new PixelflyLinear(n, inF, outF, config), seed: 9);
        var layer = m.Inner;
        const int tokens = 5;
        var b = new GraphBuilder();
        var scope = new GraphScope(b);
        var x = b.Input("x", DType.F32, tokens, inF);
        var r = b.Input("r", DType.F32, tokens, outF);
        var folded = layer.Forward(scope, x);

        var l = layer.Layout;
        var xp = l.Cols == inF ? x : b.Pad(x, [0, 0], [0, l.Cols - inF]);
        var s = b.BlockSparseMatMul(SparseMode.Dds, l, xp, scope.Use(layer.SparseWeight), transB: true);
        if (l.Rows != outF) s = b.Slice(s, [0, 0], [tokens, outF]);
        var low = b.MatMul(b.MatMul(x, scope.Use(layer.V!), transB: true), scope.Use(layer.U!), transB: true);
        var g = gated
            ? b.Sigmoid(b.MatMul(x, scope.Use(layer.GateWeight!)) + scope.Use(layer.GateBias!))
            : b.Scalar(0.5);
        var plain = s + g * (low - s) + scope.Use(layer.Bias);

        b.Output("folded", b.ReduceSum(folded * r, [0, 1]));
        b.Output("plain", b.ReduceSum(plain * r, [0, 1]));
        var forward = b.Build();
        string[] wrt = ["x", .. m.Parameters().Select(p => p.Name)];
        var inputs = new Dictionary<string, HostTensor>
        {
            ["x"] = HostTensor.FromDoubles(new TensorType(DType.F32, tokens, inF), RandomInput(tokens * inF, 12)),
            ["r"] = HostTensor.FromDoubles(new TensorType(DType.F32, tokens, outF), RandomInput(tokens * outF, 13)),
        };
        foreach (var p in m.Parameters()) inputs[p.Name] = p.ToHostTensor();
        var foldedGrads = _ref.RunOnce(Pixelfly.Autodiff.Gradients.Build(forward, "folded", wrt), inputs);
        var plainGrads = _ref.RunOnce(Pixelfly.Autodiff.Gradients.Build(forward, "plain", wrt), inputs);
        foreach (var name in wrt)
        {
            var expected = plainGrads["grad/" + name].ToDoubles();
            var actual = foldedGrads["grad/" + name].ToDoubles();
            double scale = Math.Max(1e-3, expected.Max(Math.Abs));
            for (int i = 0; i < expected.Length; i++)
                Assert.That(actual[i], Is.EqualTo(expected[i]).Within(1e-4 * scale), $"d/d{name}[{i}]");
        }
    }

    [Test]
    public void Pixelfly_sparse_init_keeps_every_output_row_at_the_dense_variance()
    {
        // 3072 -> 768 (W is 768×3072) with S 16, b 32 is misaligned: block rows store different numbers of blocks. Scaling each block
        // row by √(block cols / its blocks) gives every output row the variance of a dense kaiming row, cols·bound²/3.
        var config = new PixelflyConfig(BlockSize: 32, ButterflySize: 16, Factors: 2, Rank: 0);
        using var m = Make(n => new PixelflyLinear(n, 3072, 768, config), seed: 11);
        var l = m.Inner.Layout;
        var perRow = Enumerable.Range(0, l.BlockRows).Select(p => l.RowPtr[p + 1] - l.RowPtr[p]).Distinct().ToArray();
        Assert.That(perRow, Has.Length.GreaterThan(1), "the test needs a layout with unequal block rows");

        var blocks = m.Inner.SparseWeight.Values!;
        int bs = l.BlockSize;
        double expected = 1.0 / 3;   // cols · (1/√cols)² / 3
        for (int p = 0; p < l.BlockRows; p++)
        {
            double sum = 0;
            int stored = l.RowPtr[p + 1] - l.RowPtr[p];
            for (int k = l.RowPtr[p]; k < l.RowPtr[p + 1]; k++)
                for (int i = 0; i < bs * bs; i++) sum += (double)blocks[k * bs * bs + i] * blocks[k * bs * bs + i];
            double perOutputRow = sum / bs;
            Assert.That(perOutputRow, Is.EqualTo(expected).Within(0.12 * expected), $"block row {p} ({stored} blocks)");
        }
    }

    [Test]
    public void Svd_init_makes_the_low_rank_factors_the_best_approximation_of_one_dense_draw()
    {
        // U·V is the rank-r truncation of a dense draw W: the residual W − U·V is orthogonal to U·V.
        using var m = Make(n => new LowRankLinear(n, 48, 40, 5, init: LowRankInit.Svd), seed: 3);
        var layer = m.Inner;
        var dense = new float[40 * 48];
        Initializer.KaimingUniform(48).Fill(SeededRandom.For(3, "layer.dense"), dense);
        float[] u = layer.U.Values!, v = layer.V.Values!;
        double inner = 0, normUv = 0;
        for (int i = 0; i < 40; i++)
            for (int j = 0; j < 48; j++)
            {
                double uv = 0;
                for (int t = 0; t < 5; t++) uv += (double)u[i * 5 + t] * v[t * 48 + j];
                inner += (dense[i * 48 + j] - uv) * uv;
                normUv += uv * uv;
            }
        Assert.That(normUv, Is.GreaterThan(0.1));
        Assert.That(Math.Abs(inner), Is.LessThan(1e-5 * normUv));
    }

    [Test]
    public void Parameter_names_counts_and_density_follow_the_spec()
    {
        var config = new PixelflyConfig(BlockSize: 32, ButterflySize: 16, Factors: 2, Rank: 32);
        using var m = Make(n => new PixelflyLinear(n, 768, 3072, config));
        var layer = m.Inner;
        Assert.That(m.Parameters().Select(p => p.Name), Is.EqualTo(new[]
        {
            "layer.w_sparse", "layer.u", "layer.v", "layer.gate_w", "layer.gate_b", "layer.bias",
        }));
        // PIXELFLY-SPEC §3.1 table: 768↔3072 with S16/F2/b32 and r = 32 saves to 0.2083 + 0.0521.
        Assert.That(layer.Density, Is.EqualTo(0.2083 + 0.0521).Within(1e-3));
        Assert.That(m.ParameterCount, Is.EqualTo(layer.Layout.NnzBlocks * 32L * 32 + 32L * (768 + 3072) + 768 + 1 + 3072));
    }

    [Test]
    public void Bad_configurations_and_inputs_are_rejected_with_the_layer_named()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LowRankLinear("lr", 8, 4, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Linear("fc", 0, 4));
        using var m = Make(n => new Linear(n, 5, 3));
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 2, 6);
        var e = Assert.Throws<ArgumentException>(() => m.Inner.Forward(new GraphScope(b), x));
        Assert.That(e!.Message, Does.Contain("layer").And.Contain("[..., 5]"));
        var mlpError = Assert.Throws<ArgumentException>(() => new Mlp("mlp", 4, 8, 4, (name, i, o) => new LayerNorm(name, i)));
        Assert.That(mlpError!.Message, Does.Contain("not a linear layer"));
    }

    [Test]
    public void A_parameter_used_twice_in_one_graph_is_bound_once()
    {
        using var m = Make(n => new Linear(n, 4, 4, bias: false));
        var b = new GraphBuilder();
        var scope = new GraphScope(b);
        var x = b.Input("x", DType.F32, 3, 4);
        b.Output("y", m.Inner.Forward(scope, m.Inner.Forward(scope, x)));
        var graph = b.Build();
        Assert.That(graph.Parameters.Select(p => p.Name), Is.EqualTo(new[] { "layer.weight" }));
    }

    [Test]
    public void Mlp_builds_dense_and_pixelfly_variants_from_one_definition()
    {
        using var dense = new Mlp("mlp", 64, 128, 64, LinearFactories.Dense);
        using var sparse = new Mlp("mlp", 64, 128, 64, LinearFactories.Pixelfly(new PixelflyConfig(BlockSize: 16, ButterflySize: 4, Factors: 2, Rank: 4)));
        Assert.That(dense.Parameters().Select(p => p.Name), Is.EqualTo(new[] { "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias" }));
        Assert.That(sparse.Fc1, Is.TypeOf<PixelflyLinear>());
        Assert.That(sparse.ParameterCount, Is.LessThan(dense.ParameterCount));
        sparse.Initialize(4);
        var b = new GraphBuilder();
        var scope = new GraphScope(b);
        b.Output("y", sparse.Forward(scope, b.Input("x", DType.F32, 2, 10, 64)));
        var graph = b.Build();
        Assert.That(graph.OutputType("y").Shape.ToArray(), Is.EqualTo(new[] { 2, 10, 64 }), "batched tokens keep their shape");
    }
}
