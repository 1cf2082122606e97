using Pixelfly.Backends.Reference;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Cpu.Tests.TestSupport;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>Whole graphs on the cpu device against the float64 reference device (NMSE per output).</summary>
public sealed class ReferenceComparisonTests(SimdPath path) : CpuFixture(path)
{
    private IDevice _reference = null!;

    [OneTimeSetUp]
    public void OpenReference() => _reference = new ReferenceBackend().Open();

    [OneTimeTearDown]
    public void CloseReference() => _reference?.Dispose();

    /// <summary>A small Pixelfly MLP step: embedding, layer norm, sparse + low-rank linear, GELU, loss, gradients of the sparse weight.</summary>
    private static Graph ModelGraph(DType dtype, BlockLayout layout)
    {
        const int tokens = 37, vocab = 50, classes = 11;
        var b = new GraphBuilder();
        var ids = b.Input("ids", DType.I32, tokens);
        var labels = b.Input("labels", DType.I32, tokens);
        var table = b.Parameter("table", dtype, vocab, layout.Cols);
        var gamma = b.Parameter("gamma", dtype, layout.Cols);
        var beta = b.Parameter("beta", dtype, layout.Cols);
        var w = b.Parameter("w", dtype, layout.NnzBlocks, layout.BlockSize, layout.BlockSize);
        var u = b.Parameter("u", dtype, layout.Rows, 4);
        var v = b.Parameter("v", dtype, 4, layout.Cols);
        var head = b.Parameter("head", dtype, classes, layout.Rows);
        var x = b.LayerNorm(b.Gather(table, ids), gamma, beta);
        var sparse = b.BlockSparseMatMul(SparseMode.Dds, layout, x, w, transB: true);
        var lowRank = b.MatMul(b.MatMul(x, v, transB: true), u, transB: true);
        var h = b.Gelu(b.Add(sparse, lowRank));
        var logits = b.MatMul(h, head, transB: true);
        var loss = b.ReduceMean(b.CrossEntropy(logits, labels), [0]);
        var probs = b.Softmax(logits);
        var dlogits = b.Sub(probs, b.OneHot(labels, classes, dtype));
        var dh = b.Binary(BinaryFunction.GeluGrad, b.Add(sparse, lowRank), b.MatMul(dlogits, head));
        b.Output("loss", loss);
        b.Output("dw", b.BlockSparseMatMul(SparseMode.Sdd, layout, dh, x, transA: true));
        b.Output("dx", b.BlockSparseMatMul(SparseMode.Dds, layout, dh, w));
        b.Output("dtable", b.ScatterAdd(ids, b.Transpose(b.Concat(0, b.Transpose(x, 1, 0)), 1, 0), vocab));
        return b.Build();
    }

    private static Dictionary<string, HostTensor> ModelInputs(Graph graph)
    {
        var inputs = new Dictionary<string, HostTensor>();
        int seed = 100;
        foreach (var v in graph.Bindable)
            inputs[v.Name] = v.Type.DType == DType.I32
                ? HostTensor.FromInts(Enumerable.Range(0, v.Type.Shape.ElementCount).Select(i => i * 7 % (v.Name == "ids" ? 50 : 11)).ToArray(), v.Type.Shape.ToArray())
                : RandomTensor(v.Type.DType, seed++, v.Type.Shape.ToArray());
        return inputs;
    }

    private static double Nmse(HostTensor expected, HostTensor actual)
    {
        var e = expected.ToDoubles();
        var a = actual.ToDoubles();
        double num = 0, den = 0;
        for (int i = 0; i < e.Length; i++)
        {
            num += (a[i] - e[i]) * (a[i] - e[i]);
            den += e[i] * e[i];
        }
        return den == 0 ? num : num / den;
    }

    [TestCase(DType.F32, 1e-10)]
    [TestCase(DType.BF16, 1e-6)]
    public void A_model_step_matches_the_reference(DType dtype, double threshold)
    {
        var layout = BlockLayout.FlatBlockButterfly(64, 48, 16, 4, 2);
        var graph = ModelGraph(dtype, layout);
        var inputs = ModelInputs(graph);

        var cpu = Run(graph, inputs);
        var reference = _reference.RunOnce(graph, inputs);

        foreach (var (name, expected) in reference)
        {
            Assert.That(cpu[name].Type, Is.EqualTo(expected.Type), name);
            TestContext.Out.WriteLine($"{name}: nmse {Nmse(expected, cpu[name]):E2}");
            Assert.That(Nmse(expected, cpu[name]), Is.LessThan(threshold), name);
        }
    }
}
