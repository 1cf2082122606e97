using Pixelfly.Devices.Lowering;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Lowering;

/// <summary>
/// Unary and binary elementwise ops, where, cast and full: one dispatch of Shaders/elementwise.comp (or fill.comp),
/// the function as a specialization constant, each operand read through a collapsed broadcast view.
/// </summary>
internal static class ElementwiseLowering
{
    /// <summary>The most collapsed dimensions elementwise.comp takes (its MAX_RANK).</summary>
    public const int MaxRank = 6;

    // Function codes: keep in sync with Shaders/elementwise.comp.
    private const uint WhereFloatCond = 20, WhereIntCond = 21;
    private const uint CastFloat = 30, CastIntToFloat = 31, CastFloatToInt = 32, CastCopy = 33;

    /// <summary>The shader's code for a unary function (shared by both GPU backends' kernel sources).</summary>
    public static uint CodeOf(UnaryFunction f) => (uint)ElementwiseFunctionCodes.Of(f);

    /// <summary>The shader's code for a binary function (shared by both GPU backends' kernel sources).</summary>
    public static uint CodeOf(BinaryFunction f) => (uint)ElementwiseFunctionCodes.Of(f);

    /// <summary>The shader's code and rounding for a cast between two dtypes.</summary>
    public static (uint Code, uint Round) CastCode(DType from, DType to)
    {
        if (from == to) return (CastCopy, 0);
        if (to == DType.I32) return (CastFloatToInt, 0);
        if (from == DType.I32) return (CastIntToFloat, OpShaders.RoundingOf(to));
        return to == DType.F32 ? (CastCopy, 0) : (CastFloat, OpShaders.RoundingOf(to));
    }

    /// <summary>Dispatches for a unary op.</summary>
    public static IReadOnlyList<Dispatch> Unary(LoweringContext c, UnaryFunction f) =>
        Map(c, CodeOf(f), OpShaders.RoundingOf(c.Out(0).DType), [0, 0, 0]);

    /// <summary>Dispatches for a binary op (NumPy broadcasting).</summary>
    public static IReadOnlyList<Dispatch> Binary(LoweringContext c, BinaryFunction f) =>
        Map(c, CodeOf(f), OpShaders.RoundingOf(c.Out(0).DType), [0, 1, 1]);

    /// <summary>Dispatches for where(cond, a, b): selects existing values, so no rounding.</summary>
    public static IReadOnlyList<Dispatch> Where(LoweringContext c) =>
        Map(c, c.In(0).DType == DType.I32 ? WhereIntCond : WhereFloatCond, 0, [0, 1, 2]);

    /// <summary>Dispatches for a cast (float to float rounds to nearest even; float to i32 truncates, saturating).</summary>
    public static IReadOnlyList<Dispatch> Cast(LoweringContext c, CastOp op)
    {
        var (code, round) = CastCode(c.In(0).DType, op.To);
        return Map(c, code, round, [0, 0, 0]);
    }

    /// <summary>Dispatches for full: the value rounded to the dtype once, here, then a fill.</summary>
    public static IReadOnlyList<Dispatch> Full(LoweringContext c, FullOp op)
    {
        long count = c.Out(0).Shape.ElementCount;
        if (count == 0) return [];
        return [FillDispatch(BufferArg.Value(c.Node.Outputs[0], count), count, BitsOf(op.DType, op.Value), c.Limits, Label(c))];
    }

    /// <summary>The 32-bit word holding <paramref name="value"/> in <paramref name="dtype"/> (f16/bf16 widened to f32).</summary>
    public static uint BitsOf(DType dtype, double value) => dtype == DType.I32
        ? unchecked((uint)(int)dtype.Round(value))
        : BitConverter.SingleToUInt32Bits((float)dtype.Round(value));

    /// <summary>A fill.comp dispatch writing <paramref name="bits"/> to the first <paramref name="count"/> words.</summary>
    public static Dispatch FillDispatch(BufferArg target, long count, uint bits, LoweringLimits limits, string label) =>
        OpShaders.PerItem(OpShaders.Fill, [OpShaders.ElementGroupSize(limits)], new PushConstants().U(count).U(bits).ToArray(),
            [target], count, limits, label);

    /// <summary>"node 3 (add)": the label every dispatch of a node carries.</summary>
    public static string Label(LoweringContext c) => $"node {c.Node.Index} ({c.Node.Op.Name})";

    // operandOf[k]: which node input binding k+1 reads (a unary op binds its one input three times).
    private static IReadOnlyList<Dispatch> Map(LoweringContext c, uint code, uint round, int[] operandOf)
    {
        var output = c.Out(0).Shape;
        long count = output.ElementCount;
        if (count == 0) return [];
        var inputs = operandOf.Select(i => c.In(i).Shape).ToArray();
        var view = StridedLayout.Broadcasting(output, inputs).Within(MaxRank, Label(c));
        var push = new PushConstants().U(count).U(view.Rank).Fields(view.Dims, MaxRank);
        foreach (var strides in view.Strides) push.Fields(strides, MaxRank);
        var buffers = new BufferArg[4];
        buffers[0] = BufferArg.Value(c.Node.Outputs[0], count);
        for (int k = 0; k < 3; k++)
        {
            int value = c.Node.Inputs[operandOf[k]];
            buffers[k + 1] = BufferArg.Value(value, c.Graph.Values[value].Type.Shape.ElementCount);
        }
        return [OpShaders.PerItem(OpShaders.Elementwise, [OpShaders.ElementGroupSize(c.Limits), code, round], push.ToArray(), buffers, count, c.Limits, Label(c))];
    }
}
