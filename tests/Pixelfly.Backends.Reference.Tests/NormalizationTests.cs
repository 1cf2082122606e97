using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Reference.Tests.TestSupport;

namespace Pixelfly.Backends.Reference.Tests;

/// <summary>Reductions, softmax, log-softmax, cross-entropy and layer norm on numbers worked out by hand.</summary>
public sealed class NormalizationTests
{
    private static readonly double[] Logits = [0, Math.Log(2), Math.Log(3)];

    [Test]
    public void ReduceWithKeepDimsKeepsUnitAxes()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F64, 2, 3);
        var mean = b.ReduceMean(x, [1], keepDims: true);
        var sum = b.ReduceSum(x, [0]);
        var max = b.ReduceMax(x, [-1, 0], keepDims: true);
        Assert.That(mean.Shape, Is.EqualTo(new Shape(2, 1)));
        Assert.That(max.Shape, Is.EqualTo(new Shape(1, 1)));
        b.Output("mean", mean);
        b.Output("sum", sum);
        b.Output("max", max);
        var r = Run(b.Build(), ("x", F64([1, 2, 6, -4, 0, 7], 2, 3)));
        Assert.That(r["mean"].ToDoubles(), Is.EqualTo(new double[] { 3, 1 }));
        Assert.That(r["sum"].ToDoubles(), Is.EqualTo(new double[] { -3, 2, 13 }));
        Assert.That(r["max"].ToDoubles(), Is.EqualTo(new double[] { 7 }));
    }

    [Test]
    public void ReduceOverOuterAndInnerAxesSumsTheRightElements()
    {
        // x[i, j, k] = 100·i + 10·j + k over [2, 3, 2]; summing axes 0 and 2 leaves one sum per j.
        var values = new double[12];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 2; k++) values[i * 6 + j * 2 + k] = 100 * i + 10 * j + k;
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F64, 2, 3, 2);
        var y = RunSingle(b, b.ReduceSum(x, [0, 2]), ("x", F64(values, 2, 3, 2)));
        // For each j: Σ_i Σ_k (100i + 10j + k) = 2·(0 + 100) + 4·10j + 2·(0 + 1) = 202 + 40j.
        Assert.That(y, Is.EqualTo(new double[] { 202, 242, 282 }));
    }

    [Test]
    public void ReduceMaxPropagatesNaN()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 2, 2);
        var y = RunSingle(b, b.ReduceMax(x, [1]), ("x", HostTensor.FromFloats([1, float.NaN, -1, -2], 2, 2)));
        Assert.That(double.IsNaN(y[0]), Is.True);
        Assert.That(y[1], Is.EqualTo(-1.0));
    }

    [Test]
    public void SoftmaxOfLogsOfOneTwoThreeIsOneTwoThreeSixths()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F64, 2, 3);
        b.Output("p", b.Softmax(x));
        b.Output("logp", b.LogSoftmax(x));
        // The second row is shifted by 1000: without max-subtraction exp would overflow.
        var r = Run(b.Build(), ("x", F64([.. Logits, .. Logits.Select(v => v + 1000)], 2, 3)));
        double[] p = [1.0 / 6, 2.0 / 6, 3.0 / 6];
        Assert.That(r["p"].ToDoubles(), Is.EqualTo(p.Concat(p).ToArray()).Within(1e-13));
        var logp = p.Select(v => Math.Log(v)).ToArray();
        Assert.That(r["logp"].ToDoubles(), Is.EqualTo(logp.Concat(logp).ToArray()).Within(1e-12));
    }

    [Test]
    public void SoftmaxAlongTheFirstAxisNormalisesColumns()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F64, 3, 2);
        var y = RunSingle(b, b.Softmax(x, axis: 0), ("x", F64([Logits[0], 5, Logits[1], 5, Logits[2], 5], 3, 2)));
        Assert.That(y, Is.EqualTo(new[] { 1.0 / 6, 1.0 / 3, 2.0 / 6, 1.0 / 3, 3.0 / 6, 1.0 / 3 }).Within(1e-13));
    }

    [Test]
    public void CrossEntropyIsMinusLogOfTheLabelsProbability()
    {
        var b = new GraphBuilder();
        var logits = b.Input("logits", DType.F64, 3, 3);
        var labels = b.Input("labels", DType.I32, 3);
        var y = RunSingle(b, b.CrossEntropy(logits, labels),
            ("logits", F64([.. Logits, .. Logits, .. Logits.Select(v => v - 500)], 3, 3)),
            ("labels", HostTensor.FromInts([2, 0, 1], 3)));
        Assert.That(y, Is.EqualTo(new[] { Math.Log(2), Math.Log(6), Math.Log(3) }).Within(1e-12));
    }

    [Test]
    public void CrossEntropyLabelOutOfRangeThrowsNamingRowAndLabel()
    {
        var b = new GraphBuilder();
        var logits = b.Input("logits", DType.F32, 2, 3);
        var labels = b.Input("labels", DType.I32, 2);
        b.Output("loss", b.CrossEntropy(logits, labels));
        var graph = b.Build();
        var ex = Assert.Throws<ExecutionException>(() => Run(graph,
            ("logits", HostTensor.FromFloats(new float[6], 2, 3)), ("labels", HostTensor.FromInts([1, 3], 2))));
        Assert.That(ex!.Message, Does.Contain("row 1").And.Contain("label 3").And.Contain("cross_entropy"));
        ex = Assert.Throws<ExecutionException>(() => Run(graph,
            ("logits", HostTensor.FromFloats(new float[6], 2, 3)), ("labels", HostTensor.FromInts([-1, 0], 2))));
        Assert.That(ex!.Message, Does.Contain("row 0").And.Contain("label -1"));
    }

    [Test]
    public void LayerNormUsesTheBiasedVarianceAndAppliesGammaAndBeta()
    {
        const double eps = 1e-5;
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F64, 2, 4);
        var gamma = b.Input("gamma", DType.F64, 4);
        var beta = b.Input("beta", DType.F64, 4);
        var y = RunSingle(b, b.LayerNorm(x, gamma, beta, eps),
            ("x", F64([1, 2, 3, 4, 5, 5, 5, 5], 2, 4)), ("gamma", F64([1, 2, 1, 1], 4)), ("beta", F64([0, 0, 1, 0], 4)));
        // Row 0: mean 2.5, biased variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25. Row 1: constant, so beta.
        double r = 1 / Math.Sqrt(1.25 + eps);
        Assert.That(y, Is.EqualTo(new[] { -1.5 * r, -0.5 * r * 2, 0.5 * r + 1, 1.5 * r, 0, 0, 1, 0 }).Within(1e-14));
    }
}
