using Pixelfly.Tensors;

namespace Pixelfly.Devices.Lowering;

/// <summary>
/// An iteration space walked in row-major order with, per operand, the element stride of each dimension: the compact
/// view the GPU backends' elementwise, copy and reduction kernels take (CUDA as a view table, Vulkan in push constants).
/// </summary>
/// <param name="Dims">Dimensions after collapsing, outermost first.</param>
/// <param name="Strides">Per operand, the element stride of each dimension.</param>
public sealed record StridedLayout(long[] Dims, long[][] Strides)
{
    /// <summary>Dimensions after collapsing.</summary>
    public int Rank => Dims.Length;

    /// <summary>
    /// Drops size-1 dimensions and merges a dimension into its left neighbour when every operand stays linear
    /// across the pair (contiguous, repeated, or a whole broadcast run), so most views need one to three dimensions
    /// and the kernels divide less per element.
    /// </summary>
    public static StridedLayout Collapse(IReadOnlyList<long> dims, params long[][] strides)
    {
        var d = new List<long>();
        var s = strides.Select(_ => new List<long>()).ToArray();
        for (int i = 0; i < dims.Count; i++)
        {
            if (dims[i] == 1) continue;
            bool merge = d.Count > 0;
            for (int k = 0; k < strides.Length && merge; k++) merge = s[k][^1] == strides[k][i] * dims[i];
            if (merge)
            {
                d[^1] *= dims[i];
                for (int k = 0; k < strides.Length; k++) s[k][^1] = strides[k][i];
                continue;
            }
            d.Add(dims[i]);
            for (int k = 0; k < strides.Length; k++) s[k].Add(strides[k][i]);
        }
        return new StridedLayout([.. d], [.. s.Select(x => x.ToArray())]);
    }

    /// <summary>Row-major element strides of a shape.</summary>
    public static long[] Contiguous(IReadOnlyList<int> shape)
    {
        var strides = new long[shape.Count];
        long stride = 1;
        for (int i = shape.Count - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= shape[i];
        }
        return strides;
    }

    /// <summary>
    /// Strides that read <paramref name="operand"/> broadcast (NumPy rules) to <paramref name="output"/>: aligned at
    /// the last dimension, 0 where the operand lacks the dimension or has size 1.
    /// </summary>
    public static long[] Broadcast(Shape operand, Shape output)
    {
        var own = Contiguous(operand.ToArray());
        var strides = new long[output.Rank];
        for (int d = 0; d < output.Rank; d++)
        {
            int od = d - (output.Rank - operand.Rank);
            strides[d] = od < 0 || operand[od] == 1 ? 0 : own[od];
        }
        return strides;
    }

    /// <summary>The element offset of <paramref name="index"/> (one entry per dimension) under <paramref name="strides"/>.</summary>
    public static long OffsetOf(long[] strides, int[] index)
    {
        long offset = 0;
        for (int d = 0; d < strides.Length; d++) offset += index[d] * strides[d];
        return offset;
    }

    /// <summary>The broadcast view of <paramref name="operands"/> over a contiguous <paramref name="output"/> (elementwise ops).</summary>
    public static StridedLayout Broadcasting(Shape output, params Shape[] operands) =>
        Collapse([.. output.Select(d => (long)d)], [.. operands.Select(o => Broadcast(o, output))]);

    /// <summary>The copy view of a contiguous output read through <paramref name="inputStrides"/> (operand 0 out, 1 in).</summary>
    public static StridedLayout Gathering(Shape output, long[] inputStrides) =>
        Collapse([.. output.Select(d => (long)d)], Contiguous(output.ToArray()), inputStrides);

    /// <summary>The copy view of a contiguous input written through <paramref name="outStrides"/> (operand 0 out, 1 in).</summary>
    public static StridedLayout Scattering(Shape input, long[] outStrides) =>
        Collapse([.. input.Select(d => (long)d)], outStrides, Contiguous(input.ToArray()));

    /// <summary>The input strides a transpose reads its output axes with (output axis i reads input axis perm[i]).</summary>
    public static long[] Transposed(Shape input, int[] perm)
    {
        var strides = Contiguous(input.ToArray());
        return [.. perm.Select(p => strides[p])];
    }

    /// <summary>The kept and the reduced dimensions of <paramref name="input"/>, each collapsed, with their element strides in the input.</summary>
    public static (StridedLayout Kept, StridedLayout Reduced) SplitReduction(Shape input, int[] axes)
    {
        var strides = Contiguous(input.ToArray());
        var kept = Enumerable.Range(0, input.Rank).Where(d => Array.IndexOf(axes, d) < 0).ToArray();
        var reduced = Enumerable.Range(0, input.Rank).Where(d => Array.IndexOf(axes, d) >= 0).ToArray();
        return (Collapse([.. kept.Select(d => (long)input[d])], [.. kept.Select(d => strides[d])]),
            Collapse([.. reduced.Select(d => (long)input[d])], [.. reduced.Select(d => strides[d])]));
    }
}
