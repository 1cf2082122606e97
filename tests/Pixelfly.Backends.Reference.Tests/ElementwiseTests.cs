using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Reference.Tests.TestSupport;

namespace Pixelfly.Backends.Reference.Tests;

public sealed class ElementwiseTests
{
    private static double GeluFormula(double x) =>
        0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    [Test]
    public void GeluAtZeroOneAndMinusOneMatchesTheTanhFormula()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F64, 3);
        var y = RunSingle(b, b.Gelu(x), ("x", F64([0, 1, -1], 3)));
        Assert.That(y[0], Is.EqualTo(0.0));
        Assert.That(y[1], Is.EqualTo(GeluFormula(1)).Within(1e-15));
        Assert.That(y[2], Is.EqualTo(GeluFormula(-1)).Within(1e-15));
        // Known value of the tanh approximation at 1 (differs from the erf form's 0.841344746).
        Assert.That(y[1], Is.EqualTo(0.8411919906082768).Within(1e-12));
    }

    [Test]
    public void GeluGradIsDyTimesTheDerivativeOfGelu()
    {
        double[] xs = [-3, -1, -0.25, 0, 0.5, 1, 2.5];
        double[] dys = [0.5, -2, 1, 3, 1, -1, 0.25];
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F64, xs.Length);
        var dy = b.Input("dy", DType.F64, xs.Length);
        var g = RunSingle(b, b.Binary(BinaryFunction.GeluGrad, x, dy), ("x", F64(xs, xs.Length)), ("dy", F64(dys, xs.Length)));
        const double h = 1e-5;
        for (int i = 0; i < xs.Length; i++)
        {
            double numeric = (GeluFormula(xs[i] + h) - GeluFormula(xs[i] - h)) / (2 * h);
            Assert.That(g[i], Is.EqualTo(dys[i] * numeric).Within(1e-9), $"x = {xs[i]}");
        }
    }

    [Test]
    public void UnaryFunctionsMatchTheirDefinitions()
    {
        double[] xs = [0.25, 1, 4];
        var expected = new Dictionary<UnaryFunction, Func<double, double>>
        {
            [UnaryFunction.Neg] = v => -v,
            [UnaryFunction.Exp] = Math.Exp,
            [UnaryFunction.Log] = Math.Log,
            [UnaryFunction.Tanh] = Math.Tanh,
            [UnaryFunction.Sigmoid] = v => Math.Exp(v) / (1 + Math.Exp(v)),
            [UnaryFunction.Relu] = v => v,
            [UnaryFunction.Rsqrt] = v => Math.Pow(v, -0.5),
            [UnaryFunction.Sqrt] = v => Math.Pow(v, 0.5),
        };
        foreach (var (f, formula) in expected)
        {
            var b = new GraphBuilder();
            var x = b.Input("x", DType.F64, 3);
            var y = RunSingle(b, b.Unary(f, x), ("x", F64(xs, 3)));
            Assert.That(y, Is.EqualTo(xs.Select(formula).ToArray()).Within(1e-14), f.ToString());
        }
    }

    [Test]
    public void ReluZeroesNegativesAndPropagatesNaN()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 4);
        var y = RunSingle(b, b.Relu(x), ("x", HostTensor.FromFloats([-2, 0, 3, float.NaN], 4)));
        Assert.That(y[..3], Is.EqualTo(new double[] { 0, 0, 3 }));
        Assert.That(double.IsNaN(y[3]), Is.True);
    }

    [Test]
    public void BroadcastingColumnPlusRowGivesTheOuterSum()
    {
        var b = new GraphBuilder();
        var col = b.Input("col", DType.F64, 3, 1);
        var row = b.Input("row", DType.F64, 1, 4);
        var y = RunSingle(b, col + row, ("col", F64([0, 10, 20], 3, 1)), ("row", F64([1, 2, 3, 4], 1, 4)));
        Assert.That(y, Is.EqualTo(new double[] { 1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24 }));
    }

    [Test]
    public void BroadcastingALowerRankOperandRepeatsItOverLeadingAxes()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F64, 2, 2, 3);
        var v = b.Input("v", DType.F64, 3);
        var y = RunSingle(b, x - v, ("x", F64(Enumerable.Range(0, 12).Select(i => (double)i).ToArray(), 2, 2, 3)), ("v", F64([0, 1, 2], 3)));
        Assert.That(y, Is.EqualTo(new double[] { 0, 0, 0, 3, 3, 3, 6, 6, 6, 9, 9, 9 }));
    }

    [Test]
    public void GreaterAndEqualGiveOneOrZero()
    {
        var b = new GraphBuilder();
        var a = b.Input("a", DType.F32, 3);
        var c = b.Input("c", DType.F32, 3);
        b.Output("gt", b.Binary(BinaryFunction.Greater, a, c));
        b.Output("eq", b.Binary(BinaryFunction.Equal, a, c));
        b.Output("max", b.Maximum(a, c));
        b.Output("min", b.Minimum(a, c));
        var r = Run(b.Build(), ("a", HostTensor.FromFloats([1, 2, 3], 3)), ("c", HostTensor.FromFloats([2, 2, 2], 3)));
        Assert.That(r["gt"].ToDoubles(), Is.EqualTo(new double[] { 0, 0, 1 }));
        Assert.That(r["eq"].ToDoubles(), Is.EqualTo(new double[] { 0, 1, 0 }));
        Assert.That(r["max"].ToDoubles(), Is.EqualTo(new double[] { 2, 2, 3 }));
        Assert.That(r["min"].ToDoubles(), Is.EqualTo(new double[] { 1, 2, 2 }));
    }

    [Test]
    public void WhereSelectsAWhereConditionIsNonZeroAndBroadcasts()
    {
        var b = new GraphBuilder();
        var cond = b.Input("cond", DType.I32, 2, 1);
        var x = b.Input("x", DType.F64, 2, 3);
        var z = b.Input("z", DType.F64);
        var y = RunSingle(b, b.Where(cond, x, z),
            ("cond", HostTensor.FromInts([0, -5], 2, 1)), ("x", F64([1, 2, 3, 4, 5, 6], 2, 3)), ("z", F64([9])));
        Assert.That(y, Is.EqualTo(new double[] { 9, 9, 9, 4, 5, 6 }));
    }

    [Test]
    public void CastToBFloat16RoundsToNearestEven()
    {
        // bf16 keeps 7 fraction bits: 1 + 2^-9 is a quarter ulp (down), 1 + 2^-8 a tie (even: down),
        // 1 + 3·2^-8 a tie between 1 + 2^-7 (odd) and 1 + 2^-6 (even).
        float[] xs = [1 + (float)Math.ScaleB(1, -9), 1 + (float)Math.ScaleB(1, -8), 1 + 3 * (float)Math.ScaleB(1, -8), -3.14159f];
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, xs.Length);
        var y = RunSingle(b, b.Cast(x, DType.BF16), ("x", HostTensor.FromFloats(xs, xs.Length)));
        Assert.That(y, Is.EqualTo(new double[] { 1, 1, 1 + Math.ScaleB(1, -6), -3.140625 }));
    }

    [Test]
    public void CastToFloat16RoundsToNearestEvenAndOverflowsToInfinity()
    {
        // f16 keeps 10 fraction bits; 65520 is the tie between 65504 (max) and 2^16, which rounds to infinity.
        float[] xs = [1 + (float)Math.ScaleB(1, -11), 1 + 3 * (float)Math.ScaleB(1, -11), 1 + (float)Math.ScaleB(1, -10), 65520f];
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, xs.Length);
        var y = RunSingle(b, b.Cast(x, DType.F16), ("x", HostTensor.FromFloats(xs, xs.Length)));
        Assert.That(y, Is.EqualTo(new double[] { 1, 1 + Math.ScaleB(1, -9), 1 + Math.ScaleB(1, -10), double.PositiveInfinity }));
    }

    [Test]
    public void CastToInt32TruncatesTowardZero()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 5);
        var y = RunSingle(b, b.Cast(x, DType.I32), ("x", HostTensor.FromFloats([2.7f, -2.7f, 0.5f, -0.5f, 7f], 5)));
        Assert.That(y, Is.EqualTo(new double[] { 2, -2, 0, 0, 7 }));
    }

    [Test]
    public void F32IntermediatesKeepDoublePrecisionButBf16ResultsAreRounded()
    {
        // (1 + 2^-30) − 1 is 0 if the sum were rounded to f32 between nodes; the oracle keeps it exact.
        var b = new GraphBuilder();
        var one = b.Input("one", DType.F32);
        var tiny = b.Input("tiny", DType.F32);
        b.Output("f32", (one + tiny) - one);
        var oneB = b.Cast(one, DType.BF16);
        var tinyB = b.Cast(b.Full(Math.ScaleB(1, -9), DType.F32), DType.BF16);
        b.Output("bf16", (oneB + tinyB) - oneB);
        var r = Run(b.Build(), ("one", HostTensor.FromFloats([1f])), ("tiny", HostTensor.FromFloats([(float)Math.ScaleB(1, -30)])));
        Assert.That(r["f32"].ToDoubles()[0], Is.EqualTo(Math.ScaleB(1, -30)));
        Assert.That(r["bf16"].ToDoubles()[0], Is.EqualTo(0.0));
    }

    [Test]
    public void FullFillsTheShapeWithTheValueRoundedToItsDType()
    {
        var b = new GraphBuilder();
        b.Output("f", b.Full(0.1, DType.F64, 2, 3));
        b.Output("h", b.Full(1 + Math.ScaleB(1, -12), DType.F16, 2));
        var r = Run(b.Build());
        Assert.That(r["f"].ToDoubles(), Is.EqualTo(Enumerable.Repeat(0.1, 6).ToArray()));
        Assert.That(r["h"].ToDoubles(), Is.EqualTo(new double[] { 1, 1 }));
    }
}
