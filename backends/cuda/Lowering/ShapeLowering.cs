using Pixelfly.Devices.Lowering;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Lowering;

/// <summary>
/// Shape ops as bit-exact copies (Kernels/copy.cu), so every dtype works: reshape is a byte copy (when the runtime
/// does not alias it); transpose, slice and broadcast_to read the input through a view into the contiguous output;
/// pad fills zeros, then copies the input into the interior; concat copies each input into its slab.
/// </summary>
internal static class ShapeLowering
{
    /// <summary>Reshape: the same bytes.</summary>
    public static IReadOnlyList<KernelLaunch> Reshape(LoweringContext c)
    {
        long bytes = (long)c.Out(0).Shape.ElementCount * OpKernels.ElementSize(c.Out(0).DType);
        if (bytes == 0) return [];
        return [Bytes(OpKernels.Input(c, 0), OpKernels.Output(c), bytes, c.Limits, OpKernels.Label(c))];
    }

    /// <summary>Output axis i reads input axis perm[i].</summary>
    public static IReadOnlyList<KernelLaunch> Transpose(LoweringContext c, TransposeOp op) =>
        Gathering(c, StridedLayout.Transposed(c.In(0).Shape, op.Perm), 0);

    /// <summary>x[begin .. end) along every axis.</summary>
    public static IReadOnlyList<KernelLaunch> Slice(LoweringContext c, SliceOp op)
    {
        var strides = StridedLayout.Contiguous(c.In(0).Shape.ToArray());
        long start = StridedLayout.OffsetOf(strides, op.Begin);
        return Gathering(c, strides, start);
    }

    /// <summary>NumPy broadcast of the input to the output shape.</summary>
    public static IReadOnlyList<KernelLaunch> BroadcastTo(LoweringContext c) =>
        Gathering(c, StridedLayout.Broadcast(c.In(0).Shape, c.Out(0).Shape), 0);

    /// <summary>Zeros everywhere (all-zero bits are +0 in every dtype), then the input copied from offset begin.</summary>
    public static IReadOnlyList<KernelLaunch> Pad(LoweringContext c, PadOp op)
    {
        var output = c.Out(0).Shape;
        long count = output.ElementCount;
        if (count == 0) return [];
        string label = OpKernels.Label(c);
        var launches = new List<KernelLaunch> { ElementwiseLowering.Fill(OpKernels.Output(c), c.Out(0).DType, 0, count, c.Limits, label + " zeros") };
        var outStrides = StridedLayout.Contiguous(output.ToArray());
        long start = StridedLayout.OffsetOf(outStrides, op.Begin);
        if (c.In(0).Shape.ElementCount > 0)
            launches.Add(Scattering(c, 0, outStrides, start, label));
        return launches;
    }

    /// <summary>Each input copied into its slab of the output along the axis.</summary>
    public static IReadOnlyList<KernelLaunch> Concat(LoweringContext c, ConcatOp op)
    {
        var output = c.Out(0).Shape;
        if (output.ElementCount == 0) return [];
        int axis = output.Axis(op.Axis);
        var outStrides = StridedLayout.Contiguous(output.ToArray());
        string label = OpKernels.Label(c);
        var launches = new List<KernelLaunch>();
        long offset = 0;
        for (int i = 0; i < c.Node.Inputs.Count; i++)
        {
            var input = c.In(i).Shape;
            if (input.ElementCount > 0)
                launches.Add(Scattering(c, i, outStrides, offset * outStrides[axis], $"{label} input {i}"));
            offset += input[axis];
        }
        return launches;
    }

    /// <summary>A copy of <paramref name="bytes"/> bytes (vectorised in the kernel when both pointers allow).</summary>
    public static KernelLaunch Bytes(LaunchArg from, LaunchArg to, long bytes, CudaLoweringLimits limits, string label)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return OpKernels.PerItem(OpKernels.Copy, "pf_copy_bytes", [to, from, LaunchArg.I64(bytes)], (bytes + 15) / 16, limits, label);
    }

    private static IReadOnlyList<KernelLaunch> Gathering(LoweringContext c, long[] inputStrides, long inputStart)
    {
        var output = c.Out(0).Shape;
        long count = output.ElementCount;
        if (count == 0) return [];
        return [Strided(c, 0, StridedLayout.Gathering(output, inputStrides), 0, inputStart, count, OpKernels.Label(c))];
    }

    private static KernelLaunch Scattering(LoweringContext c, int input, long[] outStrides, long outStart, string label)
    {
        var shape = c.In(input).Shape;
        return Strided(c, input, StridedLayout.Scattering(shape, outStrides), outStart, 0, shape.ElementCount, label);
    }

    private static KernelLaunch Strided(LoweringContext c, int input, StridedLayout view, long outBase, long inBase, long count, string label)
    {
        LaunchArg[] args =
        [
            OpKernels.Output(c), OpKernels.Input(c, input), LaunchArg.I32(OpKernels.ElementSize(c.Out(0).DType)), LaunchArg.I64(count),
            LaunchArg.I32(view.Rank), view.ToTable(), LaunchArg.I64(outBase), LaunchArg.I64(inBase),
        ];
        return OpKernels.PerItem(OpKernels.Copy, "pf_copy_strided", args, count, c.Limits, label);
    }
}
