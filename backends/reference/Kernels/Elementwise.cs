using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Reference.Kernels;

/// <summary>Unary and binary functions, where, cast and full, straight from the ops' definitions, in double.</summary>
internal static class Elementwise
{
    /// <summary>√(2/π), the GELU tanh-approximation constant.</summary>
    private static readonly double GeluScale = Math.Sqrt(2.0 / Math.PI);

    private const double GeluCubic = 0.044715;

    public static double[] Unary(UnaryFunction function, Operand x)
    {
        Func<double, double> f = function switch
        {
            UnaryFunction.Neg => v => -v,
            UnaryFunction.Exp => Math.Exp,
            UnaryFunction.Log => Math.Log,
            UnaryFunction.Tanh => Math.Tanh,
            UnaryFunction.Sigmoid => v => 1.0 / (1.0 + Math.Exp(-v)),
            // Math.Max propagates NaN, as relu does on every other backend.
            UnaryFunction.Relu => v => Math.Max(v, 0.0),
            UnaryFunction.Gelu => Gelu,
            UnaryFunction.Rsqrt => v => 1.0 / Math.Sqrt(v),
            UnaryFunction.Sqrt => Math.Sqrt,
            _ => throw new ArgumentOutOfRangeException(nameof(function), function, "unknown unary function"),
        };
        var y = new double[x.Data.Length];
        for (int i = 0; i < y.Length; i++) y[i] = f(x.Data[i]);
        return y;
    }

    public static double[] Binary(BinaryFunction function, Operand a, Operand b, Shape result)
    {
        Func<double, double, double> f = function switch
        {
            BinaryFunction.Add => (u, v) => u + v,
            BinaryFunction.Sub => (u, v) => u - v,
            BinaryFunction.Mul => (u, v) => u * v,
            BinaryFunction.Div => (u, v) => u / v,
            BinaryFunction.Maximum => Math.Max,
            BinaryFunction.Minimum => Math.Min,
            BinaryFunction.Greater => (u, v) => u > v ? 1.0 : 0.0,
            BinaryFunction.Equal => (u, v) => u == v ? 1.0 : 0.0,
            BinaryFunction.GeluGrad => (x, dy) => dy * GeluDerivative(x),
            _ => throw new ArgumentOutOfRangeException(nameof(function), function, "unknown binary function"),
        };
        var ia = StridedIndex.Broadcast(a.Shape, result);
        var ib = StridedIndex.Broadcast(b.Shape, result);
        var y = new double[result.ElementCount];
        for (int i = 0; i < y.Length; i++) y[i] = f(a.Data[ia[i]], b.Data[ib[i]]);
        return y;
    }

    /// <summary>cond ≠ 0 ? a : b, all three broadcast to the result shape.</summary>
    public static double[] Where(Operand cond, Operand a, Operand b, Shape result)
    {
        var ic = StridedIndex.Broadcast(cond.Shape, result);
        var ia = StridedIndex.Broadcast(a.Shape, result);
        var ib = StridedIndex.Broadcast(b.Shape, result);
        var y = new double[result.ElementCount];
        for (int i = 0; i < y.Length; i++) y[i] = cond.Data[ic[i]] != 0 ? a.Data[ia[i]] : b.Data[ib[i]];
        return y;
    }

    /// <summary>
    /// Rounds every element to the target dtype (nearest even; truncation toward zero for i32). Unlike other
    /// nodes, a cast to f32 rounds too: producing an f32 value is what the op means.
    /// </summary>
    public static double[] Cast(Operand x, DType to)
    {
        var y = new double[x.Data.Length];
        for (int i = 0; i < y.Length; i++) y[i] = to.Round(x.Data[i]);
        return y;
    }

    /// <summary>Every element equal to the value as the dtype represents it.</summary>
    public static double[] Full(FullOp op)
    {
        var y = new double[new Shape(op.Shape).ElementCount];
        Array.Fill(y, op.DType.Round(op.Value));
        return y;
    }

    /// <summary>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    public static double Gelu(double x) => 0.5 * x * (1.0 + Math.Tanh(GeluScale * (x + GeluCubic * x * x * x)));

    /// <summary>The exact derivative of <see cref="Gelu"/>: 0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²).</summary>
    public static double GeluDerivative(double x)
    {
        double t = Math.Tanh(GeluScale * (x + GeluCubic * x * x * x));
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GeluScale * (1.0 + 3.0 * GeluCubic * x * x);
    }
}
