using Pixelfly.Tensors;

namespace Pixelfly.Ir.Ops;

/// <summary>Reinterprets the elements (row-major) with a new shape of the same element count; one dim may be -1.</summary>
public sealed record ReshapeOp(int[] Shape) : Op
{
    /// <inheritdoc/>
    public override string Name => "reshape";

    /// <inheritdoc/>
    public override int? Arity => 1;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 1, Name);
        var dims = (int[])Shape.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (infer >= 0) throw new OpTypeException(-1, $"reshape target [{string.Join(",", Shape)}] has more than one -1");
                infer = i;
            }
            else if (dims[i] < 0) throw new OpTypeException(-1, $"reshape target [{string.Join(",", Shape)}] has a negative dimension");
            else known *= dims[i];
        }
        int count = inputs[0].Shape.ElementCount;
        if (infer >= 0)
        {
            if (known == 0 || count % known != 0)
                throw new OpTypeException(0, $"cannot reshape {inputs[0]} to [{string.Join(",", Shape)}]");
            dims[infer] = (int)(count / known);
            known *= dims[infer];
        }
        if (known != count)
            throw new OpTypeException(0, $"cannot reshape {inputs[0]} ({count} elements) to [{string.Join(",", Shape)}] ({known} elements)");
        return [new TensorType(inputs[0].DType, new Shape(dims))];
    }
}

/// <summary>Permutes axes: output axis i is input axis Perm[i].</summary>
public sealed record TransposeOp(int[] Perm) : Op
{
    /// <inheritdoc/>
    public override string Name => "transpose";

    /// <inheritdoc/>
    public override int? Arity => 1;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 1, Name);
        var s = inputs[0].Shape;
        if (Perm.Length != s.Rank)
            throw new OpTypeException(0, $"permutation [{string.Join(",", Perm)}] has {Perm.Length} axes, input {inputs[0]} has {s.Rank}");
        var seen = new bool[s.Rank];
        var dims = new int[s.Rank];
        for (int i = 0; i < Perm.Length; i++)
        {
            if (Perm[i] < 0 || Perm[i] >= s.Rank || seen[Perm[i]])
                throw new OpTypeException(-1, $"[{string.Join(",", Perm)}] is not a permutation of 0..{s.Rank - 1}");
            seen[Perm[i]] = true;
            dims[i] = s[Perm[i]];
        }
        return [new TensorType(inputs[0].DType, new Shape(dims))];
    }

    /// <summary>The inverse permutation.</summary>
    public int[] Inverse()
    {
        var inv = new int[Perm.Length];
        for (int i = 0; i < Perm.Length; i++) inv[Perm[i]] = i;
        return inv;
    }
}

/// <summary>Takes x[Begin[i] .. End[i]) along every axis (unit stride).</summary>
public sealed record SliceOp(int[] Begin, int[] End) : Op
{
    /// <inheritdoc/>
    public override string Name => "slice";

    /// <inheritdoc/>
    public override int? Arity => 1;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 1, Name);
        var s = inputs[0].Shape;
        if (Begin.Length != s.Rank || End.Length != s.Rank)
            throw new OpTypeException(0, $"slice bounds must list all {s.Rank} axes of {inputs[0]}");
        var dims = new int[s.Rank];
        for (int i = 0; i < s.Rank; i++)
        {
            if (Begin[i] < 0 || End[i] > s[i] || Begin[i] > End[i])
                throw new OpTypeException(0, $"slice [{Begin[i]}, {End[i]}) is out of range for axis {i} of {inputs[0]}");
            dims[i] = End[i] - Begin[i];
        }
        return [new TensorType(inputs[0].DType, new Shape(dims))];
    }
}

/// <summary>Zero-pads: Begin[i] zeros before and End[i] zeros after along every axis. The backward of slice.</summary>
public sealed record PadOp(int[] Begin, int[] End) : Op
{
    /// <inheritdoc/>
    public override string Name => "pad";

    /// <inheritdoc/>
    public override int? Arity => 1;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 1, Name);
        var s = inputs[0].Shape;
        if (Begin.Length != s.Rank || End.Length != s.Rank)
            throw new OpTypeException(0, $"pad amounts must list all {s.Rank} axes of {inputs[0]}");
        var dims = new int[s.Rank];
        for (int i = 0; i < s.Rank; i++)
        {
            if (Begin[i] < 0 || End[i] < 0)
                throw new OpTypeException(-1, $"pad amounts must be non-negative (axis {i}: {Begin[i]}, {End[i]})");
            dims[i] = s[i] + Begin[i] + End[i];
        }
        return [new TensorType(inputs[0].DType, new Shape(dims))];
    }
}

/// <summary>Concatenates its inputs along Axis; every other dimension and the dtype must agree.</summary>
public sealed record ConcatOp(int Axis) : Op
{
    /// <inheritdoc/>
    public override string Name => "concat";

    /// <inheritdoc/>
    public override int? Arity => null;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        if (inputs.Count == 0) throw new OpTypeException(-1, "concat needs at least one input");
        var first = inputs[0].Shape;
        int axis = TypeRules.Axis(first, Axis, 0);
        int total = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            TypeRules.SameDType(inputs, 0, i);
            var s = inputs[i].Shape;
            if (s.Rank != first.Rank)
                throw new OpTypeException(i, $"rank of {inputs[i]} differs from {inputs[0]}");
            for (int d = 0; d < s.Rank; d++)
                if (d != axis && s[d] != first[d])
                    throw new OpTypeException(i, $"{inputs[i]} differs from {inputs[0]} in dimension {d} (concat axis is {axis})");
            total += s[axis];
        }
        var dims = first.ToArray();
        dims[axis] = total;
        return [new TensorType(inputs[0].DType, new Shape(dims))];
    }
}

/// <summary>Broadcasts (NumPy rules) to the given shape.</summary>
public sealed record BroadcastToOp(int[] Shape) : Op
{
    /// <inheritdoc/>
    public override string Name => "broadcast_to";

    /// <inheritdoc/>
    public override int? Arity => 1;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 1, Name);
        Shape target;
        try { target = new Shape(Shape); }
        catch (ArgumentException e) { throw new OpTypeException(-1, e.Message); }
        var s = inputs[0].Shape;
        if (s.Rank > target.Rank)
            throw new OpTypeException(0, $"cannot broadcast {inputs[0]} to the lower-rank shape {target}");
        for (int i = 0; i < s.Rank; i++)
        {
            int d = s[i], t = target[i + target.Rank - s.Rank];
            if (d != t && d != 1)
                throw new OpTypeException(0, $"cannot broadcast {inputs[0]} to {target}");
        }
        return [new TensorType(inputs[0].DType, target)];
    }
}

/// <summary>
/// Row gather (embedding lookup): table [V, ...rest], indices i32 [...I] → [...I, ...rest]. An index outside
/// [0, V) is an error at run time.
/// </summary>
public sealed record GatherOp : Op
{
    /// <inheritdoc/>
    public override string Name => "gather";

    /// <inheritdoc/>
    public override int? Arity => 2;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 2, Name);
        TypeRules.MinRank(inputs, 0, 1);
        TypeRules.DTypeIs(inputs, 1, DType.I32);
        var rest = inputs[0].Shape.ToArray()[1..];
        return [new TensorType(inputs[0].DType, new Shape([.. inputs[1].Shape, .. rest]))];
    }
}

/// <summary>
/// Scatter-add into zeros: indices i32 [...I], updates [...I, ...rest] → [Rows, ...rest] where row indices[i]
/// accumulates updates[i]. The backward of gather.
/// </summary>
public sealed record ScatterAddOp(int Rows) : Op
{
    /// <inheritdoc/>
    public override string Name => "scatter_add";

    /// <inheritdoc/>
    public override int? Arity => 2;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 2, Name);
        TypeRules.DTypeIs(inputs, 0, DType.I32);
        TypeRules.Float(inputs, 1);
        if (Rows <= 0) throw new OpTypeException(-1, $"rows must be positive, got {Rows}");
        var idx = inputs[0].Shape;
        var upd = inputs[1].Shape;
        if (upd.Rank < idx.Rank || !upd.Take(idx.Rank).SequenceEqual(idx))
            throw new OpTypeException(1, $"updates {inputs[1]} must start with the indices' shape {idx}");
        return [new TensorType(inputs[1].DType, new Shape([Rows, .. upd.Skip(idx.Rank)]))];
    }
}
