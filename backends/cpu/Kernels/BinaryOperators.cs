using System.Runtime.Intrinsics;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// One struct per binary function, TensorPrimitives style: the row loops are generic over it, so the JIT
/// specialises each loop and no per-element call remains. Scalar and vector forms give identical bits.
/// </summary>
internal interface IBinaryOperator
{
    static abstract float Invoke(float a, float b);

    static abstract Vector512<float> Invoke(Vector512<float> a, Vector512<float> b);

    static abstract Vector256<float> Invoke(Vector256<float> a, Vector256<float> b);
}

internal readonly struct AddOperator : IBinaryOperator
{
    public static float Invoke(float a, float b) => a + b;
    public static Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a + b;
    public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a + b;
}

internal readonly struct SubtractOperator : IBinaryOperator
{
    public static float Invoke(float a, float b) => a - b;
    public static Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a - b;
    public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a - b;
}

internal readonly struct MultiplyOperator : IBinaryOperator
{
    public static float Invoke(float a, float b) => a * b;
    public static Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a * b;
    public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a * b;
}

internal readonly struct DivideOperator : IBinaryOperator
{
    public static float Invoke(float a, float b) => a / b;
    public static Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a / b;
    public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a / b;
}

/// <summary>IEEE maximum: NaN propagates, +0 &gt; −0 (as Math.Max and Vector512.Max).</summary>
internal readonly struct MaximumOperator : IBinaryOperator
{
    public static float Invoke(float a, float b) => MathF.Max(a, b);
    public static Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
}

/// <summary>IEEE minimum: NaN propagates, −0 &lt; +0.</summary>
internal readonly struct MinimumOperator : IBinaryOperator
{
    public static float Invoke(float a, float b) => MathF.Min(a, b);
    public static Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);
    public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.Min(a, b);
}

/// <summary>1 where a &gt; b, else 0 (0 when either is NaN).</summary>
internal readonly struct GreaterOperator : IBinaryOperator
{
    public static float Invoke(float a, float b) => a > b ? 1f : 0f;
    public static Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b) & Vector512<float>.One;
    public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b) & Vector256<float>.One;
}

/// <summary>1 where a == b, else 0 (0 when either is NaN; −0 == +0).</summary>
internal readonly struct EqualOperator : IBinaryOperator
{
    public static float Invoke(float a, float b) => a == b ? 1f : 0f;
    public static Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a, b) & Vector512<float>.One;
    public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b) & Vector256<float>.One;
}
