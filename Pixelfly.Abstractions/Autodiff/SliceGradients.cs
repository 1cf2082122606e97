using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Autodiff;

/// <summary>
/// The gradients a value receives through slices of it, collected until the value's own gradient is needed. When
/// the slices cut the value along one axis into disjoint ranges (a split: q/k/v, or a fused product's output cut
/// into its parts), the gradient is one concatenation of their gradients, with zeros for any range no slice read;
/// otherwise each slice's gradient is zero-padded to the value's shape and they are summed (a slice's own rule).
/// The concatenation writes the value-sized gradient once instead of once per slice plus the sums.
/// </summary>
internal sealed class SliceGradients
{
    private readonly Dictionary<int, List<(SliceOp Slice, Value Gradient)>> _pending = [];

    /// <summary>Records the gradient arriving at value <paramref name="id"/> through <paramref name="slice"/>.</summary>
    public void Add(int id, SliceOp slice, Value gradient)
    {
        if (!_pending.TryGetValue(id, out var list)) _pending[id] = list = [];
        list.Add((slice, gradient));
    }

    /// <summary>The sum of the recorded slice gradients of value <paramref name="id"/> ([shape]), or null when none.</summary>
    public Value? Take(GraphBuilder b, int id, TensorType type)
    {
        if (!_pending.Remove(id, out var list)) return null;
        var shape = type.Shape;
        if (SplitAxis(list, shape) is int axis)
        {
            var pieces = new List<Value>();
            int at = 0;
            foreach (var (slice, g) in list.OrderBy(p => p.Slice.Begin[axis]))
            {
                if (slice.Begin[axis] > at) pieces.Add(Zeros(b, type, axis, slice.Begin[axis] - at));
                pieces.Add(g);
                at = slice.End[axis];
            }
            if (at < shape[axis]) pieces.Add(Zeros(b, type, axis, shape[axis] - at));
            return pieces.Count == 1 ? pieces[0] : b.Concat(axis, pieces.ToArray());
        }
        Value? sum = null;
        foreach (var (slice, g) in list)
        {
            var padded = b.Pad(g, slice.Begin, shape.Select((d, i) => d - slice.End[i]).ToArray());
            sum = sum is { } acc ? b.Add(acc, padded) : padded;
        }
        return sum;
    }

    // The one axis along which every slice is cut (all others taken whole) into pairwise disjoint ranges, if any.
    private static int? SplitAxis(List<(SliceOp Slice, Value Gradient)> list, Shape shape)
    {
        int? axis = null;
        foreach (var (slice, _) in list)
            for (int d = 0; d < shape.Rank; d++)
            {
                if (slice.Begin[d] == 0 && slice.End[d] == shape[d]) continue;
                if (axis is not null && axis != d) return null;
                axis = d;
            }
        axis ??= 0;
        var ranges = list.Select(p => (p.Slice.Begin[axis.Value], p.Slice.End[axis.Value])).OrderBy(r => r.Item1).ToArray();
        for (int i = 1; i < ranges.Length; i++)
            if (ranges[i].Item1 < ranges[i - 1].Item2) return null;
        return axis;
    }

    private static Value Zeros(GraphBuilder b, TensorType type, int axis, int width)
    {
        var dims = type.Shape.ToArray();
        dims[axis] = width;
        return b.Full(0.0, type.DType, dims);
    }
}
