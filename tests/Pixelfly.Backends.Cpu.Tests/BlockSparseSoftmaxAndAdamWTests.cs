using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Cpu.Tests.TestSupport;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>Block-sparse row softmax and its gradient, and the fused AdamW update.</summary>
public sealed class BlockSparseSoftmaxAndAdamWTests(SimdPath path) : CpuFixture(path)
{
    [TestCase(16, 1.0)]
    [TestCase(8, 0.125)]
    public void Block_sparse_softmax_and_grad_normalise_rows_across_stored_blocks(int bs, double scale)
    {
        const int batch = 2;
        var layout = LayoutWithHoles(4, 5, bs, seed: 70);
        int size = layout.NnzBlocks * bs * bs;
        var tx = HostTensor.FromFloats(Random(batch * size, 71).Select(v => v * 8).ToArray(), batch, layout.NnzBlocks, bs, bs);
        var tdy = RandomTensor(72, batch, layout.NnzBlocks, bs, bs);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, batch, layout.NnzBlocks, bs, bs);
        var dy = b.Input("dy", DType.F32, batch, layout.NnzBlocks, bs, bs);
        var y = b.BlockSparseSoftmax(layout, x, scale);
        b.Output("y", y);
        b.Output("dx", b.Apply1(new BlockSparseSoftmaxGradOp(layout, scale), y, dy));

        var r = Run(b.Build(), new() { ["x"] = tx, ["dy"] = tdy });

        var xs = tx.ToDoubles();
        var dys = tdy.ToDoubles();
        var ys = new double[xs.Length];
        var dx = new double[xs.Length];
        for (int n = 0; n < batch; n++)
            for (int p = 0; p < layout.BlockRows; p++)
                for (int i = 0; i < bs; i++)
                {
                    // Element row i of block row p: b values from each stored block, in CSR order.
                    var at = new List<int>();
                    for (int k = layout.RowPtr[p]; k < layout.RowPtr[p + 1]; k++)
                        for (int j = 0; j < bs; j++) at.Add(n * size + (k * bs + i) * bs + j);
                    if (at.Count == 0) continue;
                    double max = at.Max(t => scale * xs[t]);
                    double sum = at.Sum(t => Math.Exp(scale * xs[t] - max));
                    foreach (int t in at) ys[t] = Math.Exp(scale * xs[t] - max) / sum;
                    double dot = at.Sum(t => dys[t] * ys[t]);
                    foreach (int t in at) dx[t] = scale * ys[t] * (dys[t] - dot);
                }
        AssertClose(ys, r["y"], rtol: 1e-5, atol: 1e-7, what: "softmax");
        AssertClose(dx, r["dx"], rtol: 1e-4, atol: 1e-6, what: "grad");
    }

    private const double Lr = 0.01, Wd = 0.1, Beta1 = 0.9, Beta2 = 0.99, Eps = 1e-6;

    private static Graph AdamWGraph(int n, DType dtype)
    {
        var b = new GraphBuilder();
        var p = b.Parameter("p", dtype, n);
        var g = b.Input("g", dtype, n);
        var m = b.Input("m", dtype, n);
        var v = b.Input("v", dtype, n);
        var (p2, m2, v2) = b.AdamW(p, g, m, v, b.Input("lr", DType.F32), b.Input("step", DType.F32), new AdamWOp(Beta1, Beta2, Eps, Wd));
        b.Output("p2", p2, donates: "p");
        b.Output("m2", m2, donates: "m");
        b.Output("v2", v2, donates: "v");
        return b.Build();
    }

    [Test]
    public void AdamW_updates_param_and_moments_in_place_as_pytorch_does()
    {
        const int n = 1000;
        const int step = 3;
        var tp = RandomTensor(73, n);
        var tg = RandomTensor(74, n);
        var tm = HostTensor.FromFloats(Random(n, 75).Select(v => v * 0.1f).ToArray(), n);
        var tv = HostTensor.FromFloats(Random(n, 76).Select(v => v * v * 0.01f).ToArray(), n);
        var graph = AdamWGraph(n, DType.F32);
        using var exe = (CpuExecutable)Device.Compile(graph);

        var r = TestSupport.Run(exe, Device, new()
        {
            ["p"] = tp, ["g"] = tg, ["m"] = tm, ["v"] = tv,
            ["lr"] = HostTensor.FromFloats([(float)Lr]), ["step"] = HostTensor.FromFloats([step]),
        });

        Assert.That(exe.Stats.InputSnapshots, Is.Zero, "AdamW is element-wise: its donated outputs overwrite the inputs directly");
        Assert.That(exe.Stats.DirectOutputs, Is.EqualTo(3));
        var (p, g, m, v) = (tp.ToDoubles(), tg.ToDoubles(), tm.ToDoubles(), tv.ToDoubles());
        var ep = new double[n];
        var em = new double[n];
        var ev = new double[n];
        for (int i = 0; i < n; i++)
        {
            em[i] = Beta1 * m[i] + (1 - Beta1) * g[i];
            ev[i] = Beta2 * v[i] + (1 - Beta2) * g[i] * g[i];
            double mh = em[i] / (1 - Math.Pow(Beta1, step)), vh = ev[i] / (1 - Math.Pow(Beta2, step));
            ep[i] = p[i] * (1 - Lr * Wd) - Lr * mh / (Math.Sqrt(vh) + Eps);
        }
        AssertClose(ep, r["p2"], rtol: 1e-5, atol: 1e-6, what: "param");
        AssertClose(em, r["m2"], rtol: 1e-5, atol: 1e-7, what: "m");
        AssertClose(ev, r["v2"], rtol: 1e-5, atol: 1e-8, what: "v");
    }

    [Test]
    public void AdamW_rejects_step_zero()
    {
        var graph = AdamWGraph(4, DType.F32);
        var zeros = HostTensor.FromFloats(new float[4], 4);

        var e = Assert.Throws<ExecutionException>(() => Run(graph, new()
        {
            ["p"] = zeros, ["g"] = zeros, ["m"] = zeros, ["v"] = zeros,
            ["lr"] = HostTensor.FromFloats([0.1f]), ["step"] = HostTensor.FromFloats([0f]),
        }));

        Assert.That(e!.Message, Does.Contain("step"));
    }

    [Test]
    public void AdamW_on_bf16_state_rounds_every_output()
    {
        const int n = 64;
        var graph = AdamWGraph(n, DType.BF16);
        var r = Run(graph, new()
        {
            ["p"] = RandomTensor(DType.BF16, 77, n), ["g"] = RandomTensor(DType.BF16, 78, n),
            ["m"] = new HostTensor(new TensorType(DType.BF16, n)), ["v"] = new HostTensor(new TensorType(DType.BF16, n)),
            ["lr"] = HostTensor.FromFloats([0.5f]), ["step"] = HostTensor.FromFloats([1f]),
        });

        // Step 1 from zero moments: m = 0.1·g, v = 0.01·g², p ≈ p·(1 − lr·wd) − lr·sign(g).
        var p = RandomTensor(DType.BF16, 77, n).ToDoubles();
        var g = RandomTensor(DType.BF16, 78, n).ToDoubles();
        AssertClose(g.Select(x => 0.1 * x).ToArray(), r["m2"], rtol: 1.0 / 128, atol: 1e-6, what: "m");
        AssertClose(p.Select((x, i) => x * 0.95 - 0.5 * Math.Sign(g[i])).ToArray(), r["p2"], rtol: 1.0 / 64, atol: 1e-2, what: "p");
        Assert.That(r["v2"].Type.DType, Is.EqualTo(DType.BF16));
    }
}
