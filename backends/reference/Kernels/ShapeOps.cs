using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Reference.Kernels;

/// <summary>reshape, transpose, slice, pad, concat and broadcast_to: data movement only, by index maps.</summary>
internal static class ShapeOps
{
    /// <summary>Row-major order is unchanged by a reshape: the elements are copied as they are.</summary>
    public static double[] Reshape(Operand x) => (double[])x.Data.Clone();

    /// <summary>Output axis i walks input axis Perm[i].</summary>
    public static double[] Transpose(Operand x, TransposeOp op, Shape result)
    {
        var inStrides = x.Shape.Strides();
        var strides = op.Perm.Select(p => inStrides[p]).ToArray();
        var source = StridedIndex.Map(result.ToArray(), strides);
        return Gather(x.Data, source);
    }

    /// <summary>out[i] = x[i + Begin].</summary>
    public static double[] Slice(Operand x, SliceOp op, Shape result)
    {
        var inStrides = x.Shape.Strides();
        int offset = 0;
        for (int d = 0; d < inStrides.Length; d++) offset += op.Begin[d] * inStrides[d];
        var source = StridedIndex.Map(result.ToArray(), inStrides, offset);
        return Gather(x.Data, source);
    }

    /// <summary>Zeros, with x placed at offset Begin.</summary>
    public static double[] Pad(Operand x, PadOp op, Shape result)
    {
        var outStrides = result.Strides();
        int offset = 0;
        for (int d = 0; d < outStrides.Length; d++) offset += op.Begin[d] * outStrides[d];
        var target = StridedIndex.Map(x.Shape.ToArray(), outStrides, offset);
        var y = new double[result.ElementCount];
        for (int i = 0; i < target.Length; i++) y[target[i]] = x.Data[i];
        return y;
    }

    /// <summary>Each input is placed after the previous ones along the axis.</summary>
    public static double[] Concat(IReadOnlyList<Operand> xs, ConcatOp op, Shape result)
    {
        int axis = result.Axis(op.Axis);
        var outStrides = result.Strides();
        var y = new double[result.ElementCount];
        int position = 0;
        foreach (var x in xs)
        {
            var target = StridedIndex.Map(x.Shape.ToArray(), outStrides, position * outStrides[axis]);
            for (int i = 0; i < target.Length; i++) y[target[i]] = x.Data[i];
            position += x.Shape[axis];
        }
        return y;
    }

    public static double[] BroadcastTo(Operand x, Shape result) => Gather(x.Data, StridedIndex.Broadcast(x.Shape, result));

    private static double[] Gather(double[] data, int[] source)
    {
        var y = new double[source.Length];
        for (int i = 0; i < y.Length; i++) y[i] = data[source[i]];
        return y;
    }
}
