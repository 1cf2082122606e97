using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Reference.Kernels;

/// <summary>reduce_sum, reduce_mean (sum / reduced count) and reduce_max over any set of axes.</summary>
internal static class Reductions
{
    public static double[] Reduce(ReduceOp op, Operand x)
    {
        var shape = x.Shape;
        var axes = op.NormalizedAxes(shape);

        // The output index of an input element: kept axes keep their stride, reduced axes contribute nothing.
        var keptDims = Enumerable.Range(0, shape.Rank).Where(d => Array.IndexOf(axes, d) < 0).Select(d => shape[d]).ToArray();
        var keptStrides = new Shape(keptDims).Strides();
        var strides = new int[shape.Rank];
        for (int d = 0, k = 0; d < shape.Rank; d++)
            strides[d] = Array.IndexOf(axes, d) >= 0 ? 0 : keptStrides[k++];
        var target = StridedIndex.Map(shape.ToArray(), strides);

        int outCount = new Shape(keptDims).ElementCount;
        var y = new double[outCount];
        if (op.Kind == ReduceKind.Max)
        {
            Array.Fill(y, double.NegativeInfinity);
            // Math.Max propagates NaN, so a NaN anywhere in the reduced set gives NaN.
            for (int i = 0; i < target.Length; i++) y[target[i]] = Math.Max(y[target[i]], x.Data[i]);
            return y;
        }

        for (int i = 0; i < target.Length; i++) y[target[i]] += x.Data[i];
        if (op.Kind == ReduceKind.Mean)
        {
            long reduced = 1;
            foreach (int a in axes) reduced *= shape[a];
            for (int i = 0; i < y.Length; i++) y[i] /= reduced;
        }
        return y;
    }
}
