using Pixelfly.Devices.Lowering;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Lowering;

/// <summary>
/// Shape ops as strided word copies (Shaders/copy.comp): reshape, transpose, slice and broadcast_to read the input
/// through a view into a contiguous output; pad fills zeros and copies the input into the interior; concat copies
/// each input into its slab of the output. Bits are moved untouched, so any dtype works.
/// </summary>
internal static class ShapeLowering
{
    /// <summary>The most collapsed dimensions copy.comp takes (its MAX_RANK).</summary>
    public const int MaxRank = 8;

    /// <summary>Reshape: the same words (the runtime aliases a reshape unless its result is a graph output).</summary>
    public static IReadOnlyList<Dispatch> Reshape(LoweringContext c)
    {
        long count = c.Out(0).Shape.ElementCount;
        if (count == 0) return [];
        return [Words(Input(c, 0), Output(c), count, c.Limits, ElementwiseLowering.Label(c))];
    }

    /// <summary>Output axis i reads input axis perm[i].</summary>
    public static IReadOnlyList<Dispatch> Transpose(LoweringContext c, TransposeOp op)
    {
        return Gathering(c, StridedLayout.Transposed(c.In(0).Shape, op.Perm), 0);
    }

    /// <summary>x[begin .. end) along every axis.</summary>
    public static IReadOnlyList<Dispatch> Slice(LoweringContext c, SliceOp op)
    {
        var input = StridedLayout.Contiguous(c.In(0).Shape.ToArray());
        long start = StridedLayout.OffsetOf(input, op.Begin);
        return Gathering(c, input, start);
    }

    /// <summary>NumPy broadcast of the input to the output shape.</summary>
    public static IReadOnlyList<Dispatch> BroadcastTo(LoweringContext c) =>
        Gathering(c, StridedLayout.Broadcast(c.In(0).Shape, c.Out(0).Shape), 0);

    /// <summary>Zeros everywhere, then the input copied at offset begin.</summary>
    public static IReadOnlyList<Dispatch> Pad(LoweringContext c, PadOp op)
    {
        var output = c.Out(0).Shape;
        long count = output.ElementCount;
        if (count == 0) return [];
        string label = ElementwiseLowering.Label(c);
        var dispatches = new List<Dispatch> { ElementwiseLowering.FillDispatch(Output(c), count, 0, c.Limits, label) };
        var outStrides = StridedLayout.Contiguous(output.ToArray());
        long start = StridedLayout.OffsetOf(outStrides, op.Begin);
        var input = c.In(0).Shape;
        if (input.ElementCount > 0)
            dispatches.Add(Scattering(Input(c, 0), Output(c), input, outStrides, start, c.Limits, label));
        return dispatches;
    }

    /// <summary>Each input copied into its slab along the axis.</summary>
    public static IReadOnlyList<Dispatch> Concat(LoweringContext c, ConcatOp op)
    {
        var output = c.Out(0).Shape;
        if (output.ElementCount == 0) return [];
        int axis = output.Axis(op.Axis);
        var outStrides = StridedLayout.Contiguous(output.ToArray());
        string label = ElementwiseLowering.Label(c);
        var dispatches = new List<Dispatch>();
        long offset = 0;
        for (int i = 0; i < c.Node.Inputs.Count; i++)
        {
            var input = c.In(i).Shape;
            if (input.ElementCount > 0)
                dispatches.Add(Scattering(Input(c, i), Output(c), input, outStrides, offset * outStrides[axis], c.Limits, label));
            offset += input[axis];
        }
        return dispatches;
    }

    /// <summary>A plain copy of <paramref name="words"/> 32-bit words.</summary>
    public static Dispatch Words(BufferArg from, BufferArg to, long words, LoweringLimits limits, string label) =>
        CopyDispatch(from, to, StridedLayout.Collapse([words], [1], [1]), 0, 0, words, limits, label);

    // Contiguous output, input read through `inputStrides` (over the output's dimensions) from `inputStart`.
    private static IReadOnlyList<Dispatch> Gathering(LoweringContext c, long[] inputStrides, long inputStart)
    {
        var output = c.Out(0).Shape;
        long count = output.ElementCount;
        if (count == 0) return [];
        return [CopyDispatch(Input(c, 0), Output(c), StridedLayout.Gathering(output, inputStrides), 0, inputStart, count, c.Limits, ElementwiseLowering.Label(c))];
    }

    // Contiguous input of shape `input` written through `outStrides` from `outStart`.
    private static Dispatch Scattering(BufferArg from, BufferArg to, Shape input, long[] outStrides, long outStart, LoweringLimits limits, string label)
    {
        return CopyDispatch(from, to, StridedLayout.Scattering(input, outStrides), outStart, 0, input.ElementCount, limits, label);
    }

    private static Dispatch CopyDispatch(BufferArg from, BufferArg to, StridedLayout view, long outBase, long inBase, long count, LoweringLimits limits, string label)
    {
        view.Within(MaxRank, label);
        var push = new PushConstants().U(count).U(view.Rank).U(outBase).U(inBase)
            .Fields(view.Dims, MaxRank).Fields(view.Strides[0], MaxRank).Fields(view.Strides[1], MaxRank);
        return OpShaders.PerItem(OpShaders.Copy, [OpShaders.ElementGroupSize(limits)], push.ToArray(), [to, from], count, limits, label);
    }

    private static BufferArg Input(LoweringContext c, int i) => BufferArg.Value(c.Node.Inputs[i], c.In(i).Shape.ElementCount);

    private static BufferArg Output(LoweringContext c) => BufferArg.Value(c.Node.Outputs[0], c.Out(0).Shape.ElementCount);
}
