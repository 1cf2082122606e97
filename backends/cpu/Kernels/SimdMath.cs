using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Row primitives with a fixed summation order (it depends on the length and the SIMD width only, not on the
/// address), so reductions give the same bits on every run. TensorPrimitives' aggregates align to the address,
/// which would make results depend on where a buffer happens to live. With <c>wide</c> false no Vector512
/// instruction is used (the "cpu.avx512" off switch).
/// </summary>
internal static unsafe class SimdMath
{
    /// <summary>Σ x[0..n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Sum(float* x, int n, bool wide)
    {
        int i = 0;
        float s;
        if (wide && n >= 16)
        {
            var a0 = Vector512<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
            for (; i + 64 <= n; i += 64)
            {
                a0 += Vector512.Load(x + i);
                a1 += Vector512.Load(x + i + 16);
                a2 += Vector512.Load(x + i + 32);
                a3 += Vector512.Load(x + i + 48);
            }
            for (; i + 16 <= n; i += 16) a0 += Vector512.Load(x + i);
            s = Vector512.Sum((a0 + a1) + (a2 + a3));
        }
        else if (n >= 8)
        {
            var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
            for (; i + 32 <= n; i += 32)
            {
                a0 += Vector256.Load(x + i);
                a1 += Vector256.Load(x + i + 8);
                a2 += Vector256.Load(x + i + 16);
                a3 += Vector256.Load(x + i + 24);
            }
            for (; i + 8 <= n; i += 8) a0 += Vector256.Load(x + i);
            s = Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        else s = 0;
        for (; i < n; i++) s += x[i];
        return s;
    }

    /// <summary>Σ x[i]·y[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(float* x, float* y, int n, bool wide)
    {
        int i = 0;
        float s;
        if (wide && n >= 16)
        {
            var a0 = Vector512<float>.Zero; var a1 = a0;
            for (; i + 32 <= n; i += 32)
            {
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(x + i), Vector512.Load(y + i), a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Load(x + i + 16), Vector512.Load(y + i + 16), a1);
            }
            for (; i + 16 <= n; i += 16) a0 = Vector512.FusedMultiplyAdd(Vector512.Load(x + i), Vector512.Load(y + i), a0);
            s = Vector512.Sum(a0 + a1);
        }
        else if (n >= 8)
        {
            var a0 = Vector256<float>.Zero; var a1 = a0;
            for (; i + 16 <= n; i += 16)
            {
                a0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i), Vector256.Load(y + i), a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 8), Vector256.Load(y + i + 8), a1);
            }
            for (; i + 8 <= n; i += 8) a0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i), Vector256.Load(y + i), a0);
            s = Vector256.Sum(a0 + a1);
        }
        else s = 0;
        for (; i < n; i++) s = MathF.FusedMultiplyAdd(x[i], y[i], s);
        return s;
    }

    /// <summary>max x[0..n) (NaN propagates); −∞ for n = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Max(float* x, int n, bool wide)
    {
        int i = 0;
        float m = float.NegativeInfinity;
        if (wide && n >= 16)
        {
            var a = Vector512.Load(x);
            for (i = 16; i + 16 <= n; i += 16) a = Vector512.Max(a, Vector512.Load(x + i));
            for (int l = 0; l < 16; l++) m = MathF.Max(m, a[l]);
        }
        else if (n >= 8)
        {
            var a = Vector256.Load(x);
            for (i = 8; i + 8 <= n; i += 8) a = Vector256.Max(a, Vector256.Load(x + i));
            for (int l = 0; l < 8; l++) m = MathF.Max(m, a[l]);
        }
        for (; i < n; i++) m = MathF.Max(m, x[i]);
        return m;
    }

    /// <summary>acc[i] += x[i] (elementwise, so the width does not change the result).</summary>
    public static void AddInto(float* acc, float* x, int n, bool wide)
    {
        int i = 0;
        if (wide)
            for (; i + 16 <= n; i += 16) (Vector512.Load(acc + i) + Vector512.Load(x + i)).Store(acc + i);
        for (; i + 8 <= n; i += 8) (Vector256.Load(acc + i) + Vector256.Load(x + i)).Store(acc + i);
        for (; i < n; i++) acc[i] += x[i];
    }

    /// <summary>acc[i] = max(acc[i], x[i]).</summary>
    public static void MaxInto(float* acc, float* x, int n, bool wide)
    {
        int i = 0;
        if (wide)
            for (; i + 16 <= n; i += 16) Vector512.Max(Vector512.Load(acc + i), Vector512.Load(x + i)).Store(acc + i);
        for (; i + 8 <= n; i += 8) Vector256.Max(Vector256.Load(acc + i), Vector256.Load(x + i)).Store(acc + i);
        for (; i < n; i++) acc[i] = MathF.Max(acc[i], x[i]);
    }

    /// <summary>y[i] = value.</summary>
    public static void Fill(float* y, float value, long n) => new Span<float>(y, checked((int)n)).Fill(value);

    /// <summary>y[i] = 0.</summary>
    public static void Zero(float* y, long n) => new Span<float>(y, checked((int)n)).Clear();

    /// <summary>Copies n 4-byte cells (f32 or i32 bit patterns); the ranges may overlap.</summary>
    public static void Copy(void* source, void* destination, long n)
    {
        if (n > 0 && source != destination)
            Buffer.MemoryCopy(source, destination, n * 4, n * 4);
    }
}
