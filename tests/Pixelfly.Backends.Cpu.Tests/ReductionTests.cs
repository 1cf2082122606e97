using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Cpu.Tests.TestSupport;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>Reductions, softmax, layer norm, cross-entropy and one-hot against direct loops in double.</summary>
public sealed class ReductionTests(SimdPath path) : CpuFixture(path)
{
    private static readonly int[] Dims = [3, 4, 1, 37];

    private static readonly int[][] AxesCases = [[3], [0], [1], [0, 1], [1, 3], [0, 3], [0, 1, 3], [0, 1, 2, 3], [2], [-1, -3]];

    /// <summary>Reduce by brute force: every input element adds into the output element its kept indices name.</summary>
    private static double[] Reduce(double[] x, Shape shape, int[] axes, ReduceKind kind)
    {
        var strides = shape.Strides();
        var keptDims = Enumerable.Range(0, shape.Rank).Where(d => !axes.Contains(d)).ToArray();
        int outCount = keptDims.Aggregate(1, (p, d) => p * shape[d]);
        var acc = new double[outCount];
        var n = new int[outCount];
        if (kind == ReduceKind.Max) Array.Fill(acc, double.NegativeInfinity);
        for (int i = 0; i < x.Length; i++)
        {
            int o = 0;
            foreach (int d in keptDims) o = o * shape[d] + i / strides[d] % shape[d];
            acc[o] = kind == ReduceKind.Max ? Math.Max(acc[o], x[i]) : acc[o] + x[i];
            n[o]++;
        }
        if (kind == ReduceKind.Mean)
            for (int o = 0; o < outCount; o++) acc[o] /= n[o];
        return acc;
    }

    [Test]
    public void Reductions_over_any_axes_match_brute_force([Values] ReduceKind kind, [ValueSource(nameof(AxesCases))] int[] axes, [Values] bool keepDims)
    {
        var shape = new Shape(Dims);
        var tx = RandomTensor(50, Dims);
        var b = new GraphBuilder();
        var y = b.Apply1(new ReduceOp(kind, axes, keepDims), b.Input("x", DType.F32, Dims));
        b.Output("y", y);

        var r = Run(b.Build(), new() { ["x"] = tx })["y"];

        var normalized = axes.Select(a => a < 0 ? a + shape.Rank : a).ToArray();
        AssertClose(Reduce(tx.ToDoubles(), shape, normalized, kind), r, rtol: 1e-5, atol: 1e-5, what: $"{kind} over [{string.Join(",", axes)}]");
        Assert.That(r.Type.Shape.Rank, Is.EqualTo(keepDims ? shape.Rank : shape.Rank - axes.Length));
    }

    [Test]
    public void Reducing_an_empty_axis_gives_zero_sum_and_nan_mean()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 3, 0);
        b.Output("sum", b.ReduceSum(x, [1]));
        b.Output("mean", b.ReduceMean(x, [1]));

        var r = Run(b.Build(), new() { ["x"] = new HostTensor(new TensorType(DType.F32, 3, 0)) });

        Assert.That(r["sum"].ToDoubles(), Is.EqualTo(new double[] { 0, 0, 0 }));
        Assert.That(r["mean"].ToDoubles(), Is.All.NaN);
    }

    [Test]
    public void Long_rows_reduce_with_a_fixed_order_and_agree_with_double([Values(1, 15, 16, 17, 1000, 70000)] int n)
    {
        var tx = RandomTensor(51, 2, n);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 2, n);
        b.Output("sum", b.ReduceSum(x, [1]));
        b.Output("max", b.ReduceMax(x, [1]));

        var r = Run(b.Build(), new() { ["x"] = tx });

        var xs = tx.ToDoubles();
        AssertClose([xs[..n].Sum(), xs[n..].Sum()], r["sum"], rtol: 1e-5, atol: 1e-5 * Math.Sqrt(n));
        AssertClose([xs[..n].Max(), xs[n..].Max()], r["max"], rtol: 0, atol: 0);
    }

    [TestCase(-1)]
    [TestCase(1)]
    [TestCase(0)]
    public void Softmax_and_log_softmax_along_any_axis(int axis)
    {
        int[] dims = [4, 37, 3];
        var shape = new Shape(dims);
        var tx = HostTensor.FromFloats(Random(shape.ElementCount, 52).Select(v => v * 20).ToArray(), dims);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, dims);
        b.Output("sm", b.Softmax(x, axis));
        b.Output("lsm", b.LogSoftmax(x, axis));

        var r = Run(b.Build(), new() { ["x"] = tx });

        int a = shape.Axis(axis);
        var xs = tx.ToDoubles();
        var sm = new double[xs.Length];
        var lsm = new double[xs.Length];
        var strides = shape.Strides();
        for (int i = 0; i < xs.Length; i++)
        {
            if (i / strides[a] % dims[a] != 0) continue; // visit each line once, from its first element
            var line = Enumerable.Range(0, dims[a]).Select(k => i + k * strides[a]).ToArray();
            double max = line.Max(j => xs[j]);
            double sum = line.Sum(j => Math.Exp(xs[j] - max));
            foreach (int j in line)
            {
                sm[j] = Math.Exp(xs[j] - max) / sum;
                lsm[j] = xs[j] - max - Math.Log(sum);
            }
        }
        AssertClose(sm, r["sm"], rtol: 1e-5, atol: 1e-7, what: "softmax");
        AssertClose(lsm, r["lsm"], rtol: 1e-5, atol: 1e-5, what: "log_softmax");
    }

    [Test]
    public void Layer_norm_uses_the_biased_variance()
    {
        const int rows = 13, width = 70;
        const double eps = 1e-5;
        var tx = RandomTensor(53, rows, width);
        var tg = RandomTensor(54, width);
        var tb = RandomTensor(55, width);
        var b = new GraphBuilder();
        b.Output("y", b.LayerNorm(b.Input("x", DType.F32, rows, width), b.Input("g", DType.F32, width), b.Input("b", DType.F32, width), eps));

        var y = Run(b.Build(), new() { ["x"] = tx, ["g"] = tg, ["b"] = tb })["y"];

        var xs = tx.ToDoubles();
        var g = tg.ToDoubles();
        var beta = tb.ToDoubles();
        var expected = new double[xs.Length];
        for (int r = 0; r < rows; r++)
        {
            var row = xs.AsSpan(r * width, width).ToArray();
            double mean = row.Average();
            double variance = row.Sum(v => (v - mean) * (v - mean)) / width;
            for (int i = 0; i < width; i++) expected[r * width + i] = (row[i] - mean) / Math.Sqrt(variance + eps) * g[i] + beta[i];
        }
        AssertClose(expected, y, rtol: 1e-5, atol: 1e-5);
    }

    [Test]
    public void Cross_entropy_is_logsumexp_minus_the_label_logit()
    {
        const int rows = 9, classes = 31;
        var tx = HostTensor.FromFloats(Random(rows * classes, 56).Select(v => v * 10).ToArray(), 3, 3, classes);
        int[] labels = [0, 30, 5, 7, 7, 12, 29, 1, 2];
        var b = new GraphBuilder();
        b.Output("loss", b.CrossEntropy(b.Input("x", DType.F32, 3, 3, classes), b.Input("l", DType.I32, 3, 3)));

        var loss = Run(b.Build(), new() { ["x"] = tx, ["l"] = HostTensor.FromInts(labels, 3, 3) })["loss"];

        var xs = tx.ToDoubles();
        var expected = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            var row = xs.AsSpan(r * classes, classes).ToArray();
            double max = row.Max();
            expected[r] = max + Math.Log(row.Sum(v => Math.Exp(v - max))) - row[labels[r]];
        }
        AssertClose(expected, loss, rtol: 1e-5, atol: 1e-5);
    }

    [Test]
    public void Cross_entropy_with_a_label_out_of_range_names_the_row_and_label()
    {
        var b = new GraphBuilder();
        b.Output("loss", b.CrossEntropy(b.Input("x", DType.F32, 3, 4), b.Input("l", DType.I32, 3)));

        var e = Assert.Throws<ExecutionException>(() =>
            Run(b.Build(), new() { ["x"] = RandomTensor(57, 3, 4), ["l"] = HostTensor.FromInts([0, 7, 1], 3) }));

        Assert.That(e!.Message, Does.Contain("row 1").And.Contain("label 7"));
    }

    [TestCase(DType.F32)]
    [TestCase(DType.I32)]
    [TestCase(DType.BF16)]
    public void One_hot_sets_one_per_row_and_zeroes_out_of_range_rows(DType dtype)
    {
        int[] indices = [2, -1, 0, 4, 3];
        var b = new GraphBuilder();
        b.Output("y", b.OneHot(b.Input("i", DType.I32, 5), 4, dtype));

        var y = Run(b.Build(), new() { ["i"] = HostTensor.FromInts(indices, 5) })["y"];

        Assert.That(y.Type, Is.EqualTo(new TensorType(dtype, 5, 4)));
        var expected = new double[20];
        for (int r = 0; r < 5; r++)
            if (indices[r] is >= 0 and < 4) expected[r * 4 + indices[r]] = 1;
        Assert.That(y.ToDoubles(), Is.EqualTo(expected));
    }
}
