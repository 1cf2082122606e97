using Pixelfly.Devices.Lowering;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Lowering;

/// <summary>
/// Unary and binary functions, where, cast and full (Kernels/elementwise.cu): one grid-stride launch over the
/// contiguous output; binary operands and where's three read through a collapsed broadcast view.
/// </summary>
internal static class ElementwiseLowering
{
    /// <summary>The kernel's code for a unary function (shared by both GPU backends' kernel sources).</summary>
    public static int CodeOf(UnaryFunction f) => ElementwiseFunctionCodes.Of(f);

    /// <summary>The kernel's code for a binary function (shared by both GPU backends' kernel sources).</summary>
    public static int CodeOf(BinaryFunction f) => ElementwiseFunctionCodes.Of(f);

    /// <summary>Launches for a unary op (same shape in and out).</summary>
    public static IReadOnlyList<KernelLaunch> Unary(LoweringContext c, UnaryFunction f)
    {
        long count = c.Out(0).Shape.ElementCount;
        if (count == 0) return [];
        LaunchArg[] args = [OpKernels.Output(c), OpKernels.Input(c, 0), LaunchArg.I32(OpKernels.DTypeCode(c.Out(0).DType)), LaunchArg.I32(CodeOf(f)), LaunchArg.I64(count)];
        return [OpKernels.PerItem(OpKernels.Elementwise, "pf_unary", args, count, c.Limits, OpKernels.Label(c))];
    }

    /// <summary>Launches for a binary op (NumPy broadcasting).</summary>
    public static IReadOnlyList<KernelLaunch> Binary(LoweringContext c, BinaryFunction f)
    {
        var output = c.Out(0).Shape;
        long count = output.ElementCount;
        if (count == 0) return [];
        var view = StridedLayout.Broadcasting(output, c.In(0).Shape, c.In(1).Shape);
        LaunchArg[] args =
        [
            OpKernels.Output(c), OpKernels.Input(c, 0), OpKernels.Input(c, 1),
            LaunchArg.I32(OpKernels.DTypeCode(c.Out(0).DType)), LaunchArg.I32(CodeOf(f)), LaunchArg.I64(count),
            LaunchArg.I32(view.Rank), view.ToTable(),
        ];
        return [OpKernels.PerItem(OpKernels.Elementwise, "pf_binary", args, count, c.Limits, OpKernels.Label(c))];
    }

    /// <summary>Launches for where(cond, a, b): bits of a or b are selected, so nothing is rounded.</summary>
    public static IReadOnlyList<KernelLaunch> Where(LoweringContext c)
    {
        var output = c.Out(0).Shape;
        long count = output.ElementCount;
        if (count == 0) return [];
        var view = StridedLayout.Broadcasting(output, c.In(0).Shape, c.In(1).Shape, c.In(2).Shape);
        LaunchArg[] args =
        [
            OpKernels.Output(c), OpKernels.Input(c, 0), OpKernels.Input(c, 1), OpKernels.Input(c, 2),
            LaunchArg.I32(OpKernels.DTypeCode(c.In(0).DType)), LaunchArg.I32(OpKernels.ElementSize(c.Out(0).DType)), LaunchArg.I64(count),
            LaunchArg.I32(view.Rank), view.ToTable(),
        ];
        return [OpKernels.PerItem(OpKernels.Elementwise, "pf_where", args, count, c.Limits, OpKernels.Label(c))];
    }

    /// <summary>Launches for a cast: float to float rounds to nearest even, float to i32 truncates (saturating, NaN 0).</summary>
    public static IReadOnlyList<KernelLaunch> Cast(LoweringContext c, CastOp op)
    {
        long count = c.Out(0).Shape.ElementCount;
        if (count == 0) return [];
        LaunchArg[] args =
        [
            OpKernels.Output(c), OpKernels.Input(c, 0),
            LaunchArg.I32(OpKernels.DTypeCode(c.In(0).DType)), LaunchArg.I32(OpKernels.DTypeCode(op.To)), LaunchArg.I64(count),
        ];
        return [OpKernels.PerItem(OpKernels.Elementwise, "pf_cast", args, count, c.Limits, OpKernels.Label(c))];
    }

    /// <summary>Launches for full: the value rounded to the dtype once, here, then a fill of its bits.</summary>
    public static IReadOnlyList<KernelLaunch> Full(LoweringContext c, FullOp op)
    {
        long count = c.Out(0).Shape.ElementCount;
        if (count == 0) return [];
        return [Fill(OpKernels.Output(c), op.DType, BitsOf(op.DType, op.Value), count, c.Limits, OpKernels.Label(c))];
    }

    /// <summary>A fill of the first <paramref name="count"/> elements of <paramref name="target"/> with <paramref name="bits"/>.</summary>
    public static KernelLaunch Fill(LaunchArg target, DType dtype, int bits, long count, CudaLoweringLimits limits, string label) =>
        OpKernels.PerItem(OpKernels.Elementwise, "pf_fill", [target, LaunchArg.I32(OpKernels.ElementSize(dtype)), LaunchArg.I32(bits), LaunchArg.I64(count)],
            count, limits, label);

    /// <summary>
    /// The stored bits of <paramref name="value"/> in <paramref name="dtype"/> (native: 16 bits for f16/bf16), rounded
    /// as the reference rounds it (through f32 to nearest even; i32 truncated, saturating, NaN 0).
    /// </summary>
    public static int BitsOf(DType dtype, double value)
    {
        double rounded = dtype.Round(value);
        return dtype switch
        {
            DType.F32 => BitConverter.SingleToInt32Bits((float)rounded),
            DType.F16 => BitConverter.HalfToUInt16Bits((Half)(float)rounded),
            DType.BF16 => BFloat16Bits.FromFloat((float)rounded),
            DType.I32 => (int)rounded,
            _ => throw new NotSupportedException($"the CUDA backend does not hold {dtype.Name()} tensors"),
        };
    }
}
