using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// NumPy broadcasting of up to three operands onto an output shape, collapsed to as few dimensions as possible:
/// size-1 output dims are dropped and neighbours that stay contiguous (or stay broadcast) in every operand merge.
/// The innermost dimension is the row every kernel loops over; there each operand's stride is 1 (it varies) or 0
/// (it is broadcast).
/// </summary>
internal sealed class BroadcastPlan
{
    private readonly int[] _outer;        // outer dims (all but the row)
    private readonly long[][] _strides;   // per operand, per collapsed dim

    private BroadcastPlan(int[] dims, long[][] strides)
    {
        Inner = dims[^1];
        _outer = dims[..^1];
        _strides = strides;
        long rows = 1;
        foreach (int d in _outer) rows *= d;
        Rows = rows;
        InnerStrides = strides.Select(s => (int)s[^1]).ToArray();
        Dims = dims;
    }

    /// <summary>The collapsed output dims (the last is the row).</summary>
    public int[] Dims { get; }

    /// <summary>Length of a row.</summary>
    public int Inner { get; }

    /// <summary>Number of rows.</summary>
    public long Rows { get; }

    /// <summary>Per operand: 1 when it varies along the row, 0 when it is broadcast.</summary>
    public int[] InnerStrides { get; }

    /// <summary>Builds the plan; every operand must broadcast to <paramref name="output"/> (checked by the IR).</summary>
    public static BroadcastPlan Create(Shape output, params Shape[] operands)
    {
        int rank = output.Rank;
        if (output.ElementCount == 0)
            return new BroadcastPlan([0], operands.Select(_ => new long[] { 0 }).ToArray());
        var dims = new List<int>();
        var strides = operands.Select(_ => new List<long>()).ToArray();
        var full = operands.Select(o => o.Strides()).ToArray();
        for (int d = 0; d < rank; d++)
        {
            if (output[d] == 1) continue;
            dims.Add(output[d]);
            for (int k = 0; k < operands.Length; k++)
            {
                var o = operands[k];
                int od = d - (rank - o.Rank);
                strides[k].Add(od < 0 || o[od] == 1 ? 0 : full[k][od]);
            }
        }
        if (dims.Count == 0)
            return new BroadcastPlan([1], operands.Select(_ => new long[] { 0 }).ToArray());
        // Merge neighbours that stay linear in every operand.
        for (int d = dims.Count - 2; d >= 0; d--)
        {
            bool mergeable = true;
            for (int k = 0; k < operands.Length && mergeable; k++)
                mergeable = strides[k][d] == strides[k][d + 1] * dims[d + 1];
            if (!mergeable) continue;
            dims[d] *= dims[d + 1];
            dims.RemoveAt(d + 1);
            for (int k = 0; k < operands.Length; k++)
            {
                strides[k][d] = strides[k][d + 1];
                strides[k].RemoveAt(d + 1);
            }
        }
        return new BroadcastPlan(dims.ToArray(), strides.Select(s => s.ToArray()).ToArray());
    }

    /// <summary>Offset (in elements) of the start of <paramref name="row"/> in operand <paramref name="operand"/>.</summary>
    public long RowOffset(int operand, long row)
    {
        var s = _strides[operand];
        long offset = 0;
        for (int d = _outer.Length - 1; d >= 0; d--)
        {
            long i = row % _outer[d];
            row /= _outer[d];
            offset += i * s[d];
        }
        return offset;
    }

    /// <summary>The collapsed dims, e.g. "[6,40]".</summary>
    public override string ToString() => $"[{string.Join(",", Dims)}]";
}
