using Pixelfly.Ir.Ops;
using Pixelfly.Ir;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Cpu.Tests.TestSupport;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>Dense matmul against a naive triple loop, on both SIMD paths.</summary>
public sealed class GemmTests(SimdPath path) : CpuFixture(path)
{
    private static readonly int[][] Shapes =
    [
        [1, 1, 1],
        [7, 13, 5],
        [149, 69, 33],
        [64, 96, 300],
        [97, 130, 257],
        [6, 32, 512],
    ];

    private static double Tolerance(int k) => 1e-6 * Math.Sqrt(k) * 8;

    [Test]
    [Combinatorial]
    public void MatMul_matches_naive_for_odd_shapes_and_transposes(
        [ValueSource(nameof(Shapes))] int[] mnk, [Values(false, true)] bool transA, [Values(false, true)] bool transB)
    {
        int m = mnk[0], n = mnk[1], k = mnk[2];
        var b = new GraphBuilder();
        var a = b.Input("a", DType.F32, transA ? [k, m] : [m, k]);
        var w = b.Input("b", DType.F32, transB ? [n, k] : [k, n]);
        b.Output("c", b.MatMul(a, w, transA, transB));
        var ta = RandomTensor(1, transA ? [k, m] : [m, k]);
        var tb = RandomTensor(2, transB ? [n, k] : [k, n]);

        var c = Run(b.Build(), new() { ["a"] = ta, ["b"] = tb })["c"];

        AssertClose(NaiveMatMul(ta.ToDoubles(), tb.ToDoubles(), m, n, k, transA, transB), c, atol: Tolerance(k), what: "C");
    }

    [TestCase(false, true)]
    [TestCase(true, false)]
    [TestCase(true, true)]
    public void MatMul_batched_with_shared_or_batched_operands(bool aBatched, bool bBatched)
    {
        const int batch = 3, m = 37, n = 45, k = 70;
        var b = new GraphBuilder();
        var a = b.Input("a", DType.F32, aBatched ? [batch, m, k] : [m, k]);
        var w = b.Input("b", DType.F32, bBatched ? [batch, n, k] : [n, k]);
        b.Output("c", b.MatMul(a, w, transB: true));
        var ta = RandomTensor(3, aBatched ? [batch, m, k] : [m, k]);
        var tb = RandomTensor(4, bBatched ? [batch, n, k] : [n, k]);

        var c = Run(b.Build(), new() { ["a"] = ta, ["b"] = tb })["c"];

        Assert.That(c.Type.Shape, Is.EqualTo(new Shape(batch, m, n)));
        var expected = new List<double>();
        for (int i = 0; i < batch; i++)
        {
            var ai = aBatched ? Slice(ta.ToDoubles(), i * m * k, m * k) : ta.ToDoubles();
            var bi = bBatched ? Slice(tb.ToDoubles(), i * n * k, n * k) : tb.ToDoubles();
            expected.AddRange(NaiveMatMul(ai, bi, m, n, k, false, true));
        }
        AssertClose(expected.ToArray(), c, atol: Tolerance(k));
    }

    [Test]
    public void A_batch_against_a_shared_weight_runs_as_one_gemm_over_all_rows()
    {
        var b = new GraphBuilder();
        b.Output("c", b.MatMul(b.Input("a", DType.F32, 3, 37, 70), b.Input("b", DType.F32, 45, 70), transB: true));
        var sparse = new GraphBuilder();
        var layout = Layouts.BlockLayout.FlatBlockButterfly(64, 64, 16, 4, 2);
        sparse.Output("y", sparse.BlockSparseMatMul(SparseMode.Dds, layout, sparse.Input("x", DType.F32, 5, 9, 64),
            sparse.Input("w", DType.F32, layout.NnzBlocks, 16, 16), transB: true));
        using var dense = Device.Compile(b.Build());
        using var blocks = Device.Compile(sparse.Build());
        Assert.That(dense.Describe(), Does.Contain("gemm batch 1 111x45x70"));
        Assert.That(blocks.Describe(), Does.Contain("dds batch 1 45x64x64"));
    }

    [Test]
    public void MatMul_with_empty_inner_dimension_writes_zeros()
    {
        var b = new GraphBuilder();
        var a = b.Input("a", DType.F32, 5, 0);
        var w = b.Input("b", DType.F32, 0, 7);
        b.Output("c", b.MatMul(a, w));

        var c = Run(b.Build(), new() { ["a"] = new HostTensor(new TensorType(DType.F32, 5, 0)), ["b"] = new HostTensor(new TensorType(DType.F32, 0, 7)) })["c"];

        Assert.That(c.ToDoubles(), Is.All.EqualTo(0.0));
    }

    [TestCase(DType.BF16, DType.BF16)]
    [TestCase(DType.BF16, DType.F32)]
    [TestCase(DType.F16, DType.F16)]
    public void MatMul_low_precision_inputs_accumulate_in_f32_and_round_the_output(DType input, DType output)
    {
        const int m = 21, n = 40, k = 50;
        var b = new GraphBuilder();
        var a = b.Input("a", input, m, k);
        var w = b.Input("b", input, k, n);
        b.Output("c", b.MatMul(a, w, outputType: output));
        var ta = RandomTensor(input, 5, m, k);
        var tb = RandomTensor(input, 6, k, n);

        var c = Run(b.Build(), new() { ["a"] = ta, ["b"] = tb })["c"];

        Assert.That(c.Type.DType, Is.EqualTo(output));
        var exact = NaiveMatMul(ta.ToDoubles(), tb.ToDoubles(), m, n, k, false, false);
        // The f32 result rounded once to the output dtype: within half an output ulp of the exact product.
        double rel = output == DType.BF16 ? 1.0 / 256 : output == DType.F16 ? 1.0 / 2048 : 1e-6;
        AssertClose(exact, c, rtol: rel, atol: 1e-4);
        var values = c.ToDoubles();
        Assert.That(values.Select(v => output.Round(v)), Is.EqualTo(values), "every element is representable in the output dtype");
    }
}
