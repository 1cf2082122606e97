using Pixelfly.Tensors;

namespace Pixelfly.Ir;

/// <summary>Shared checks used by the ops' typing rules; each throws <see cref="OpTypeException"/>.</summary>
internal static class TypeRules
{
    public static void Arity(IReadOnlyList<TensorType> inputs, int count, string op)
    {
        if (inputs.Count != count)
            throw new OpTypeException(-1, $"{op} takes {count} input(s), got {inputs.Count}");
    }

    public static void Float(IReadOnlyList<TensorType> inputs, int operand)
    {
        if (!inputs[operand].DType.IsFloat())
            throw new OpTypeException(operand, $"expected a floating-point tensor, got {inputs[operand]}");
    }

    public static void DTypeIs(IReadOnlyList<TensorType> inputs, int operand, DType dtype)
    {
        if (inputs[operand].DType != dtype)
            throw new OpTypeException(operand, $"expected dtype {dtype.Name()}, got {inputs[operand]}");
    }

    public static void SameDType(IReadOnlyList<TensorType> inputs, int a, int b)
    {
        if (inputs[a].DType != inputs[b].DType)
            throw new OpTypeException(b, $"dtype {inputs[b].DType.Name()} does not match operand {a}'s {inputs[a].DType.Name()} ({inputs[a]} vs {inputs[b]})");
    }

    public static void SameType(IReadOnlyList<TensorType> inputs, int a, int b)
    {
        if (inputs[a] != inputs[b])
            throw new OpTypeException(b, $"type {inputs[b]} does not match operand {a}'s {inputs[a]}");
    }

    public static void Rank(IReadOnlyList<TensorType> inputs, int operand, int rank)
    {
        if (inputs[operand].Shape.Rank != rank)
            throw new OpTypeException(operand, $"expected rank {rank}, got {inputs[operand]}");
    }

    public static void MinRank(IReadOnlyList<TensorType> inputs, int operand, int rank)
    {
        if (inputs[operand].Shape.Rank < rank)
            throw new OpTypeException(operand, $"expected rank >= {rank}, got {inputs[operand]}");
    }

    /// <summary>NumPy broadcasting of two shapes.</summary>
    public static Shape Broadcast(Shape a, Shape b, int operandB)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new OpTypeException(operandB, $"shapes {a} and {b} do not broadcast (dimension {i}: {da} vs {db})");
            dims[i] = da == 1 ? db : da;
        }
        return new Shape(dims);
    }

    /// <summary>Normalises and checks a list of distinct axes.</summary>
    public static int[] Axes(Shape shape, IReadOnlyList<int> axes, int operand)
    {
        var result = new int[axes.Count];
        for (int i = 0; i < axes.Count; i++)
        {
            int a = axes[i] < 0 ? axes[i] + shape.Rank : axes[i];
            if (a < 0 || a >= shape.Rank)
                throw new OpTypeException(operand, $"axis {axes[i]} is out of range for shape {shape}");
            if (Array.IndexOf(result, a, 0, i) >= 0)
                throw new OpTypeException(operand, $"axis {axes[i]} is listed twice");
            result[i] = a;
        }
        Array.Sort(result);
        return result;
    }

    /// <summary>The rule of softmax-like ops: one float input, a valid axis, output of the input's type.</summary>
    public static TensorType[] NormalizeAlongAxis(IReadOnlyList<TensorType> inputs, int axis, string op)
    {
        Arity(inputs, 1, op);
        Float(inputs, 0);
        Axis(inputs[0].Shape, axis, 0);
        return [inputs[0]];
    }

    public static int Axis(Shape shape, int axis, int operand)
    {
        int a = axis < 0 ? axis + shape.Rank : axis;
        if (a < 0 || a >= shape.Rank)
            throw new OpTypeException(operand, $"axis {axis} is out of range for shape {shape}");
        return a;
    }
}
