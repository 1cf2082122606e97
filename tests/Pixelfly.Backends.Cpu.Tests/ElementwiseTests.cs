using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Cpu.Tests.TestSupport;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>Element-wise ops, broadcasting, where, cast and full.</summary>
public sealed class ElementwiseTests(SimdPath path) : CpuFixture(path)
{
    private static double Gelu(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    private static double Unary(UnaryFunction f, double x) => f switch
    {
        UnaryFunction.Neg => -x,
        UnaryFunction.Exp => Math.Exp(x),
        UnaryFunction.Log => Math.Log(x),
        UnaryFunction.Tanh => Math.Tanh(x),
        UnaryFunction.Sigmoid => 1 / (1 + Math.Exp(-x)),
        UnaryFunction.Relu => Math.Max(x, 0),
        UnaryFunction.Gelu => Gelu(x),
        UnaryFunction.Rsqrt => 1 / Math.Sqrt(x),
        UnaryFunction.Sqrt => Math.Sqrt(x),
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };

    [Test]
    public void Unary_functions_match_their_definitions([Values] UnaryFunction f, [Values(1, 37, 40000)] int count)
    {
        bool positive = f is UnaryFunction.Log or UnaryFunction.Rsqrt or UnaryFunction.Sqrt;
        var values = Random(count, 3).Select(v => positive ? 0.01f + Math.Abs(v) * 4 : v * 6).ToArray();
        var b = new GraphBuilder();
        b.Output("y", b.Unary(f, b.Input("x", DType.F32, count)));

        var y = Run(b.Build(), new() { ["x"] = HostTensor.FromFloats(values, count) })["y"];

        AssertClose(values.Select(v => Unary(f, v)).ToArray(), y, rtol: 2e-6, atol: 1e-6, what: f.ToString());
    }

    private static double Binary(BinaryFunction f, double a, double b) => f switch
    {
        BinaryFunction.Add => a + b,
        BinaryFunction.Sub => a - b,
        BinaryFunction.Mul => a * b,
        BinaryFunction.Div => a / b,
        BinaryFunction.Maximum => Math.Max(a, b),
        BinaryFunction.Minimum => Math.Min(a, b),
        BinaryFunction.Greater => a > b ? 1 : 0,
        BinaryFunction.Equal => a == b ? 1 : 0,
        BinaryFunction.GeluGrad => b * GeluDerivative(a),
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };

    private static double GeluDerivative(double x)
    {
        double c = Math.Sqrt(2 / Math.PI), u = c * (x + 0.044715 * x * x * x), t = Math.Tanh(u);
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
    }

    private static readonly int[][][] BroadcastCases =
    [
        [[2, 3, 40], [2, 3, 40]],
        [[2, 3, 40], [40]],
        [[2, 3, 40], [3, 1]],
        [[5], []],
        [[], [33]],
        [[4, 1, 17], [1, 6, 1]],
        [[1], [3, 1, 2]],
    ];

    [Test]
    public void Binary_functions_broadcast_like_numpy([Values] BinaryFunction f, [ValueSource(nameof(BroadcastCases))] int[][] shapes)
    {
        var sa = new Shape(shapes[0]);
        var sb = new Shape(shapes[1]);
        // Small integers make Equal and Greater hit ties; Div avoids zero divisors.
        var va = Random(sa.ElementCount, 5).Select(v => MathF.Round(v * 3)).ToArray();
        var vb = Random(sb.ElementCount, 6).Select(v => f == BinaryFunction.Div ? MathF.Round(v * 3) + 4.5f : MathF.Round(v * 3)).ToArray();
        var b = new GraphBuilder();
        b.Output("y", b.Binary(f, b.Input("a", DType.F32, shapes[0]), b.Input("b", DType.F32, shapes[1])));

        var y = Run(b.Build(), new() { ["a"] = HostTensor.FromFloats(va, shapes[0]), ["b"] = HostTensor.FromFloats(vb, shapes[1]) })["y"];

        var outShape = y.Type.Shape;
        var expected = new double[outShape.ElementCount];
        var strides = outShape.Strides();
        for (int i = 0; i < expected.Length; i++)
        {
            var index = Enumerable.Range(0, outShape.Rank).Select(d => i / strides[d] % outShape[d]).ToArray();
            expected[i] = Binary(f, va[BroadcastIndex(sa, index)], vb[BroadcastIndex(sb, index)]);
        }
        AssertClose(expected, y, rtol: 1e-6, atol: 1e-6, what: f.ToString());
    }

    private static int BroadcastIndex(Shape s, int[] outIndex)
    {
        int flat = 0, offset = outIndex.Length - s.Rank;
        var strides = s.Strides();
        for (int d = 0; d < s.Rank; d++) flat += (s[d] == 1 ? 0 : outIndex[d + offset]) * strides[d];
        return flat;
    }

    [Test]
    public void Maximum_minimum_and_comparisons_follow_ieee_for_nan_and_signed_zero()
    {
        // 19 elements: the vector body and the scalar tail both see NaN and ±0.
        float[] a = [float.NaN, 1, -0f, 0f, 2, float.NaN, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, float.NaN, -0f];
        float[] c = [1, float.NaN, 0f, -0f, 2, float.NaN, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 1, 0f];
        var b = new GraphBuilder();
        var x = b.Input("a", DType.F32, a.Length);
        var y = b.Input("b", DType.F32, c.Length);
        b.Output("max", b.Maximum(x, y));
        b.Output("min", b.Minimum(x, y));
        b.Output("gt", b.Binary(BinaryFunction.Greater, x, y));
        b.Output("eq", b.Binary(BinaryFunction.Equal, x, y));

        var r = Run(b.Build(), new() { ["a"] = HostTensor.FromFloats(a, a.Length), ["b"] = HostTensor.FromFloats(c, c.Length) });

        for (int i = 0; i < a.Length; i++)
        {
            AssertSameFloat(MathF.Max(a[i], c[i]), r["max"].AsSpan<float>()[i], $"max {i}");
            AssertSameFloat(MathF.Min(a[i], c[i]), r["min"].AsSpan<float>()[i], $"min {i}");
            Assert.That(r["gt"].AsSpan<float>()[i], Is.EqualTo(a[i] > c[i] ? 1f : 0f), $"greater {i}");
            Assert.That(r["eq"].AsSpan<float>()[i], Is.EqualTo(a[i] == c[i] ? 1f : 0f), $"equal {i}");
        }
    }

    /// <summary>Same value including the sign of zero; any NaN matches any NaN.</summary>
    private static void AssertSameFloat(float expected, float actual, string what)
    {
        if (float.IsNaN(expected)) Assert.That(actual, Is.NaN, what);
        else Assert.That(BitConverter.SingleToInt32Bits(actual), Is.EqualTo(BitConverter.SingleToInt32Bits(expected)), $"{what}: {actual} vs {expected}");
    }

    [TestCase(DType.F32)]
    [TestCase(DType.I32)]
    public void Where_selects_by_condition_with_broadcasting(DType condType)
    {
        int[] cond = [1, 0, -3, 0, 2, 0];
        var b = new GraphBuilder();
        var c = b.Input("c", condType, 2, 3, 1);
        var x = b.Input("x", DType.F32, 3, 4);
        var y = b.Input("y", DType.F32, 1);
        b.Output("r", b.Where(c, x, y));
        var tc = HostTensor.FromDoubles(new TensorType(condType, 2, 3, 1), cond.Select(v => (double)v).ToArray());
        var tx = RandomTensor(7, 3, 4);

        var r = Run(b.Build(), new() { ["c"] = tc, ["x"] = tx, ["y"] = HostTensor.FromFloats([42f], 1) })["r"];

        var expected = new double[24];
        var xs = tx.ToDoubles();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                    expected[(i * 3 + j) * 4 + k] = cond[i * 3 + j] != 0 ? xs[j * 4 + k] : 42;
        AssertClose(expected, r, rtol: 0, atol: 0);
    }

    [Test]
    public void Cast_rounds_to_nearest_even_and_truncates_to_int()
    {
        float[] values = [1.00390625f, 1.01171875f, -2.5f, 2.7f, -2.7f, float.NaN, 3e9f, -3e9f, 65520f, 1e-8f, 0.1f];
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, values.Length);
        b.Output("bf16", b.Cast(x, DType.BF16));
        b.Output("f16", b.Cast(x, DType.F16));
        b.Output("i32", b.Cast(x, DType.I32));
        b.Output("back", b.Cast(b.Cast(x, DType.I32), DType.F32));

        var r = Run(b.Build(), new() { ["x"] = HostTensor.FromFloats(values, values.Length) });

        var bf = r["bf16"].AsSpan<ushort>().ToArray();
        var h = r["f16"].AsSpan<Half>().ToArray();
        var ints = r["i32"].AsSpan<int>().ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            Assert.That(bf[i], Is.EqualTo(BFloat16Bits.FromFloat(values[i])), $"bf16 {values[i]}");
            Assert.That(BitConverter.HalfToInt16Bits(h[i]), Is.EqualTo(BitConverter.HalfToInt16Bits((Half)values[i])), $"f16 {values[i]}");
            Assert.That(ints[i], Is.EqualTo((int)DType.I32.Round(values[i])), $"i32 {values[i]}");
        }
        // 1 + 2^-8 is a bf16 tie that rounds to the even 1.0; 1 + 3·2^-8 rounds up.
        Assert.That(BFloat16Bits.ToFloat(bf[0]), Is.EqualTo(1f));
        Assert.That(BFloat16Bits.ToFloat(bf[1]), Is.EqualTo(1.015625f));
        Assert.That(ints[2..8], Is.EqualTo(new[] { -2, 2, -2, 0, int.MaxValue, int.MinValue }));
        Assert.That(r["back"].AsSpan<float>()[3], Is.EqualTo(2f));
    }

    [Test]
    public void Full_fills_every_dtype_with_the_rounded_value()
    {
        var b = new GraphBuilder();
        b.Output("f", b.Full(0.1, DType.F32, 3, 5));
        b.Output("bf", b.Full(0.1, DType.BF16, 7));
        b.Output("i", b.Full(-2.9, DType.I32, 4));

        var r = Run(b.Build(), []);

        Assert.That(r["f"].AsSpan<float>().ToArray(), Is.All.EqualTo(0.1f));
        Assert.That(r["bf"].AsSpan<ushort>().ToArray(), Is.All.EqualTo(BFloat16Bits.FromFloat(0.1f)));
        Assert.That(r["i"].AsSpan<int>().ToArray(), Is.All.EqualTo(-2));
    }

    [Test]
    public void Bf16_values_are_computed_in_f32_and_rounded_after_each_node()
    {
        const int n = 50;
        var b = new GraphBuilder();
        var x = b.Input("x", DType.BF16, n);
        var y = b.Input("y", DType.BF16, n);
        b.Output("z", b.Exp(b.Mul(x, y)));
        var tx = RandomTensor(DType.BF16, 8, n);
        var ty = RandomTensor(DType.BF16, 9, n);

        var z = Run(b.Build(), new() { ["x"] = tx, ["y"] = ty })["z"];

        var xs = tx.ToDoubles();
        var ys = ty.ToDoubles();
        var expected = new double[n];
        for (int i = 0; i < n; i++)
            expected[i] = DType.BF16.Round(MathF.Exp((float)DType.BF16.Round((float)xs[i] * (float)ys[i])));
        // Exp may differ from MathF.Exp by an f32 ulp, which can move a bf16 tie by one bf16 ulp.
        AssertClose(expected, z, rtol: 1.0 / 128, atol: 0);
        Assert.That(z.ToDoubles().Select(v => DType.BF16.Round(v)), Is.EqualTo(z.ToDoubles()));
    }
}
