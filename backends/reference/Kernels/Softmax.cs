using Pixelfly.Tensors;

namespace Pixelfly.Backends.Reference.Kernels;

/// <summary>Softmax and log-softmax along one axis, with max-subtraction for stability.</summary>
internal static class Softmax
{
    public static double[] Forward(Operand x, int axis, bool log)
    {
        var shape = x.Shape;
        int a = shape.Axis(axis);
        var (outer, length, inner) = Split(shape, a);
        var y = new double[x.Data.Length];
        for (int o = 0; o < outer; o++)
            for (int n = 0; n < inner; n++)
            {
                int start = o * length * inner + n;
                double max = double.NegativeInfinity;
                for (int k = 0; k < length; k++) max = Math.Max(max, x.Data[start + k * inner]);
                double sum = 0;
                for (int k = 0; k < length; k++) sum += Math.Exp(x.Data[start + k * inner] - max);
                double logSum = Math.Log(sum);
                for (int k = 0; k < length; k++)
                {
                    double shifted = x.Data[start + k * inner] - max;
                    y[start + k * inner] = log ? shifted - logSum : Math.Exp(shifted) / sum;
                }
            }
        return y;
    }

    /// <summary>Sizes before the axis, along it, and after it.</summary>
    public static (int Outer, int Length, int Inner) Split(Shape shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        for (int d = axis + 1; d < shape.Rank; d++) inner *= shape[d];
        return (outer, shape[axis], inner);
    }
}
