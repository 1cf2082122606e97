using Pixelfly.Tensors;

namespace Pixelfly.Backends.Reference.Kernels;

/// <summary>
/// The one index mapper every layout op uses: walks all multi-indices of <c>dims</c> in row-major order and
/// yields <c>offset + Σ index[d]·strides[d]</c> for each. A stride of 0 repeats (broadcast, reduce), a permuted
/// stride transposes, an offset starts a slice or places a pad.
/// </summary>
internal static class StridedIndex
{
    /// <summary>The flat target index for each position of <paramref name="dims"/>, in row-major order.</summary>
    public static int[] Map(IReadOnlyList<int> dims, IReadOnlyList<int> strides, int offset = 0)
    {
        if (dims.Count != strides.Count)
            throw new ArgumentException($"{dims.Count} dims but {strides.Count} strides");
        long count = 1;
        foreach (int d in dims) count *= d;
        var map = new int[count];
        if (count == 0) return map;

        var index = new int[dims.Count];
        int flat = offset;
        for (int n = 0; n < map.Length; n++)
        {
            map[n] = flat;
            // Odometer step: bump the last axis, carry into earlier axes.
            for (int d = dims.Count - 1; d >= 0; d--)
            {
                index[d]++;
                flat += strides[d];
                if (index[d] < dims[d]) break;
                flat -= strides[d] * dims[d];
                index[d] = 0;
            }
        }
        return map;
    }

    /// <summary>
    /// For each element of <paramref name="to"/>, the flat index of the element of <paramref name="from"/> that
    /// NumPy broadcasting reads there.
    /// </summary>
    public static int[] Broadcast(Shape from, Shape to)
    {
        if (from.Rank > to.Rank)
            throw new ArgumentException($"cannot broadcast {from} to the lower-rank {to}");
        var fromStrides = from.Strides();
        var strides = new int[to.Rank];
        int lead = to.Rank - from.Rank;
        for (int d = lead; d < to.Rank; d++)
        {
            int size = from[d - lead];
            if (size != to[d] && size != 1)
                throw new ArgumentException($"shape {from} does not broadcast to {to} (dimension {d})");
            strides[d] = size == 1 ? 0 : fromStrides[d - lead];
        }
        return Map(to.ToArray(), strides);
    }
}
