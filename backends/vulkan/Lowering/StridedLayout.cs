using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Lowering;

/// <summary>
/// An iteration space walked in row-major order and, per operand, the element stride of each dimension: the
/// compact description the elementwise, copy and reduction shaders take in their push constants.
/// </summary>
internal sealed record StridedLayout(long[] Dims, long[][] Strides)
{
    /// <summary>Number of dimensions after collapsing.</summary>
    public int Rank => Dims.Length;

    /// <summary>
    /// Drops size-1 dimensions and merges neighbours that stay linear in every operand (a contiguous operand,
    /// a repeated one, or a whole broadcast row), so most views need one to three dimensions.
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
        return new StridedLayout(d.ToArray(), s.Select(x => x.ToArray()).ToArray());
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
    /// the last dimension, 0 where the operand is missing the dimension or has size 1.
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

    /// <summary>Throws a clear error when the collapsed view has more dimensions than a shader's push constants hold.</summary>
    public StridedLayout Within(int maxRank, string what)
    {
        if (Rank > maxRank)
            throw new NotSupportedException(
                $"{what}: the strided view needs {Rank} dimensions after merging, more than the {maxRank} the Vulkan shader takes");
        return this;
    }
}
