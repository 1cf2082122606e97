using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Pixelfly.Backends.Cpu.Threading;
using Pixelfly.Ir.Ops;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// y = f(x) over a contiguous tensor, in fixed chunks. Uses TensorPrimitives (which picks its own vector width)
/// except for GELU, which is composed from TensorPrimitives.Tanh on a small stack buffer. Safe in place (y = x).
/// </summary>
internal sealed unsafe class UnaryKernel(UnaryFunction function, int input, int output, int count) : Kernel, IParallelWork
{
    private readonly RowChunking _chunks = new(1, count);
    private float* _x, _y;

    public override string Describe() => $"unary {function} n={count} ({_chunks})";

    public override void Execute(RunContext ctx)
    {
        _x = ctx.F(input);
        _y = ctx.F(output);
        ctx.Pool.Run(this, _chunks.Count);
    }

    public void Execute(int chunk, int worker)
    {
        var (_, _, c0, c1) = _chunks.Range(chunk);
        UnaryMath.Apply(function, new ReadOnlySpan<float>(_x + c0, c1 - c0), new Span<float>(_y + c0, c1 - c0));
    }
}

/// <summary>The unary functions over contiguous spans (shared by the unary and the fused kernels).</summary>
internal static class UnaryMath
{
    /// <summary>y = f(x); y may be x.</summary>
    public static void Apply(UnaryFunction function, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (function)
        {
            case UnaryFunction.Neg: TensorPrimitives.Negate(x, y); break;
            case UnaryFunction.Exp: TensorPrimitives.Exp(x, y); break;
            case UnaryFunction.Log: TensorPrimitives.Log(x, y); break;
            case UnaryFunction.Tanh: TensorPrimitives.Tanh(x, y); break;
            case UnaryFunction.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case UnaryFunction.Relu: TensorPrimitives.Max(x, 0f, y); break;
            case UnaryFunction.Sqrt: TensorPrimitives.Sqrt(x, y); break;
            case UnaryFunction.Rsqrt: TensorPrimitives.ReciprocalSqrt(x, y); break;
            case UnaryFunction.Gelu: GeluMath.Gelu(x, y); break;
            default: throw new InvalidOperationException($"no cpu kernel for unary function {function}");
        }
    }
}

/// <summary>GELU (tanh approximation) and its derivative, on rows, via TensorPrimitives.Tanh.</summary>
internal static class GeluMath
{
    public const float Sqrt2OverPi = 0.7978845608028654f;
    public const float Coefficient = 0.044715f;
    private const int Block = 256;

    /// <summary>y = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))); y may be x. Vectorised in L1-sized blocks.</summary>
    public static void Gelu(ReadOnlySpan<float> x, Span<float> y)
    {
        Span<float> t = stackalloc float[Block];
        for (int s = 0; s < x.Length; s += Block)
        {
            int n = Math.Min(Block, x.Length - s);
            var xs = x.Slice(s, n);
            var ts = t[..n];
            Inner(xs, ts);
            TensorPrimitives.Tanh(ts, ts);
            // y = 0.5·x·(1 + t) = 0.5·x·t + 0.5·x
            var ys = y.Slice(s, n);
            TensorPrimitives.MultiplyAdd(xs, ts, xs, ys);
            TensorPrimitives.Multiply(ys, 0.5f, ys);
        }
    }

    // t = √(2/π)·(x + 0.044715·x³) = √(2/π)·x·(1 + 0.044715·x²).
    private static void Inner(ReadOnlySpan<float> x, Span<float> t)
    {
        TensorPrimitives.Multiply(x, x, t);
        TensorPrimitives.Multiply(t, Coefficient, t);
        TensorPrimitives.Add(t, 1f, t);
        TensorPrimitives.Multiply(t, x, t);
        TensorPrimitives.Multiply(t, Sqrt2OverPi, t);
    }

    /// <summary>dy·gelu'(x) for one element given t = tanh(u).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Derivative(float x, float t, float dy)
    {
        float du = Sqrt2OverPi * (1f + 3f * Coefficient * x * x);
        return dy * (0.5f * (1f + t) + 0.5f * x * (1f - t * t) * du);
    }

    /// <summary>
    /// y[i] = dy·gelu'(x) over a row where each operand's stride is 0 or 1; y may alias x or dy. Rows where both vary
    /// run vectorised (tanh through TensorPrimitives, the derivative with Vector256 arithmetic).
    /// </summary>
    public static unsafe void GeluGradRow(float* x, int sx, float* dy, int sdy, float* y, int n)
    {
        float* t = stackalloc float[Block];
        for (int s = 0; s < n; s += Block)
        {
            int m = Math.Min(Block, n - s);
            var ts = new Span<float>(t, m);
            if (sx == 1)
            {
                Inner(new ReadOnlySpan<float>(x + s, m), ts);
            }
            else
            {
                float v = *x;
                ts.Fill(Sqrt2OverPi * (v + Coefficient * v * v * v));
            }
            TensorPrimitives.Tanh(ts, ts);
            int i = 0;
            if (sx == 1 && sdy == 1)
            {
                var half = Vector256.Create(0.5f);
                var one = Vector256.Create(1f);
                var c = Vector256.Create(Sqrt2OverPi);
                var c3 = Vector256.Create(3f * Coefficient * Sqrt2OverPi);
                for (; i + 8 <= m; i += 8)
                {
                    var xv = Vector256.Load(x + s + i);
                    var tv = Vector256.Load(t + i);
                    var du = c + c3 * xv * xv;
                    var d = half * (one + tv) + half * xv * (one - tv * tv) * du;
                    (Vector256.Load(dy + s + i) * d).Store(y + s + i);
                }
            }
            for (; i < m; i++)
                y[s + i] = Derivative(x[(s + i) * sx], t[i], dy[(s + i) * sdy]);
        }
    }
}

/// <summary>
/// y = f(a, b) with NumPy broadcasting: the broadcast plan collapses the shapes, then each output row runs a
/// vector loop specialised on whether each operand varies along the row or is a broadcast scalar.
/// </summary>
internal sealed unsafe class BinaryKernel : Kernel, IParallelWork
{
    private readonly BinaryFunction _function;
    private readonly int _a, _b, _y;
    private readonly BroadcastPlan _plan;
    private readonly RowChunking _chunks;
    private readonly bool _wide;
    private float* _pa, _pb, _py;

    public BinaryKernel(BinaryFunction function, int a, int b, int y, BroadcastPlan plan, bool wide)
    {
        (_function, _a, _b, _y, _plan, _wide) = (function, a, b, y, plan, wide);
        _chunks = new RowChunking(plan.Rows, plan.Inner);
    }

    public override string Describe() =>
        $"binary {_function} {_plan} strides a={_plan.InnerStrides[0]} b={_plan.InnerStrides[1]} ({_chunks}, {(_wide ? "v512" : "v256")})";

    public override void Execute(RunContext ctx)
    {
        _pa = ctx.F(_a);
        _pb = ctx.F(_b);
        _py = ctx.F(_y);
        ctx.Pool.Run(this, _chunks.Count);
    }

    public void Execute(int chunk, int worker)
    {
        var (r0, r1, c0, c1) = _chunks.Range(chunk);
        int sa = _plan.InnerStrides[0], sb = _plan.InnerStrides[1], n = c1 - c0;
        for (long r = r0; r < r1; r++)
        {
            float* a = _pa + _plan.RowOffset(0, r) + c0 * sa;
            float* b = _pb + _plan.RowOffset(1, r) + c0 * sb;
            float* y = _py + r * _plan.Inner + c0;
            ApplyRow(_function, a, sa, b, sb, y, n, _wide);
        }
    }

    /// <summary>y = f(a, b) over one row of n; sa/sb are 1 (varies) or 0 (broadcast scalar).</summary>
    internal static void ApplyRow(BinaryFunction function, float* a, int sa, float* b, int sb, float* y, int n, bool wide)
    {
        switch (function)
        {
            case BinaryFunction.Add: Row<AddOperator>(a, sa, b, sb, y, n, wide); break;
            case BinaryFunction.Sub: Row<SubtractOperator>(a, sa, b, sb, y, n, wide); break;
            case BinaryFunction.Mul: Row<MultiplyOperator>(a, sa, b, sb, y, n, wide); break;
            case BinaryFunction.Div: Row<DivideOperator>(a, sa, b, sb, y, n, wide); break;
            case BinaryFunction.Maximum: Row<MaximumOperator>(a, sa, b, sb, y, n, wide); break;
            case BinaryFunction.Minimum: Row<MinimumOperator>(a, sa, b, sb, y, n, wide); break;
            case BinaryFunction.Greater: Row<GreaterOperator>(a, sa, b, sb, y, n, wide); break;
            case BinaryFunction.Equal: Row<EqualOperator>(a, sa, b, sb, y, n, wide); break;
            case BinaryFunction.GeluGrad: GeluMath.GeluGradRow(a, sa, b, sb, y, n); break;
            default: throw new InvalidOperationException($"no cpu kernel for binary function {function}");
        }
    }

    /// <summary>One row; sa/sb are 1 (varies) or 0 (broadcast scalar). Safe when y aliases a varying operand.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Row<TOp>(float* a, int sa, float* b, int sb, float* y, int n, bool wide) where TOp : struct, IBinaryOperator
    {
        int i = 0;
        if (sa == 1 && sb == 1)
        {
            if (wide)
                for (; i + 16 <= n; i += 16) TOp.Invoke(Vector512.Load(a + i), Vector512.Load(b + i)).Store(y + i);
            for (; i + 8 <= n; i += 8) TOp.Invoke(Vector256.Load(a + i), Vector256.Load(b + i)).Store(y + i);
            for (; i < n; i++) y[i] = TOp.Invoke(a[i], b[i]);
        }
        else if (sa == 1)
        {
            float s = *b;
            if (wide)
            {
                var vs = Vector512.Create(s);
                for (; i + 16 <= n; i += 16) TOp.Invoke(Vector512.Load(a + i), vs).Store(y + i);
            }
            var ws = Vector256.Create(s);
            for (; i + 8 <= n; i += 8) TOp.Invoke(Vector256.Load(a + i), ws).Store(y + i);
            for (; i < n; i++) y[i] = TOp.Invoke(a[i], s);
        }
        else if (sb == 1)
        {
            float s = *a;
            if (wide)
            {
                var vs = Vector512.Create(s);
                for (; i + 16 <= n; i += 16) TOp.Invoke(vs, Vector512.Load(b + i)).Store(y + i);
            }
            var ws = Vector256.Create(s);
            for (; i + 8 <= n; i += 8) TOp.Invoke(ws, Vector256.Load(b + i)).Store(y + i);
            for (; i < n; i++) y[i] = TOp.Invoke(s, b[i]);
        }
        else
        {
            float v = TOp.Invoke(*a, *b);
            for (; i < n; i++) y[i] = v;
        }
    }
}

/// <summary>y = cond ≠ 0 ? a : b, broadcasting all three; cond may hold f32 or i32 cells.</summary>
internal sealed unsafe class WhereKernel : Kernel, IParallelWork
{
    private readonly int _cond, _a, _b, _y;
    private readonly bool _condIsInt;
    private readonly BroadcastPlan _plan;
    private readonly RowChunking _chunks;
    private float* _pc, _pa, _pb, _py;

    public WhereKernel(int cond, bool condIsInt, int a, int b, int y, BroadcastPlan plan)
    {
        (_cond, _condIsInt, _a, _b, _y, _plan) = (cond, condIsInt, a, b, y, plan);
        _chunks = new RowChunking(plan.Rows, plan.Inner);
    }

    public override string Describe() => $"where {_plan} cond {(_condIsInt ? "i32" : "f32")} ({_chunks})";

    public override void Execute(RunContext ctx)
    {
        _pc = ctx.F(_cond);
        _pa = ctx.F(_a);
        _pb = ctx.F(_b);
        _py = ctx.F(_y);
        ctx.Pool.Run(this, _chunks.Count);
    }

    public void Execute(int chunk, int worker)
    {
        var (r0, r1, c0, c1) = _chunks.Range(chunk);
        int sc = _plan.InnerStrides[0], sa = _plan.InnerStrides[1], sb = _plan.InnerStrides[2];
        for (long r = r0; r < r1; r++)
        {
            float* c = _pc + _plan.RowOffset(0, r);
            float* a = _pa + _plan.RowOffset(1, r);
            float* b = _pb + _plan.RowOffset(2, r);
            float* y = _py + r * _plan.Inner;
            ApplyRow(c + c0 * sc, sc, _condIsInt, a + c0 * sa, sa, b + c0 * sb, sb, y + c0, c1 - c0);
        }
    }

    /// <summary>y = cond ≠ 0 ? a : b over one row of n; strides are 1 (varies) or 0 (broadcast).</summary>
    internal static void ApplyRow(float* c, int sc, bool condIsInt, float* a, int sa, float* b, int sb, float* y, int n)
    {
        if (condIsInt)
        {
            int* ci = (int*)c;
            for (int i = 0; i < n; i++) y[i] = ci[i * sc] != 0 ? a[i * sa] : b[i * sb];
        }
        else
        {
            for (int i = 0; i < n; i++) y[i] = c[i * sc] != 0f ? a[i * sa] : b[i * sb];
        }
    }
}
