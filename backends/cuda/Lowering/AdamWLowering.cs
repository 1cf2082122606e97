using Pixelfly.Ir.Ops;

namespace Pixelfly.Backends.Cuda.Lowering;

/// <summary>
/// The fused AdamW update (Kernels/adamw.cu): one launch writes param', m' and v'. lr and step are read on the
/// device; a step that is not a finite number ≥ 1 is reported through the status words (its f32 bits, limit 1).
/// </summary>
internal static class AdamWLowering
{
    /// <summary>Launches for one adamw node.</summary>
    public static IReadOnlyList<KernelLaunch> Lower(LoweringContext c, AdamWOp op)
    {
        long count = c.Out(0).Shape.ElementCount;
        if (count == 0) return [];
        LaunchArg[] args =
        [
            OpKernels.Output(c, 0), OpKernels.Output(c, 1), OpKernels.Output(c, 2),
            OpKernels.Input(c, 0), OpKernels.Input(c, 1), OpKernels.Input(c, 2), OpKernels.Input(c, 3), OpKernels.Input(c, 4), OpKernels.Input(c, 5),
            LaunchArg.Status(), LaunchArg.I32(OpKernels.DTypeCode(c.Out(0).DType)), LaunchArg.I64(count),
            LaunchArg.F32((float)op.Beta1), LaunchArg.F32((float)op.Beta2), LaunchArg.F32((float)op.Epsilon), LaunchArg.F32((float)op.WeightDecay),
            // ln(beta) in double, so the bias correction -expm1(t·ln beta) starts from the best f32 of the logarithm.
            LaunchArg.F32((float)Math.Log(op.Beta1)), LaunchArg.F32((float)Math.Log(op.Beta2)), LaunchArg.I32(OpKernels.Tag(c)),
        ];
        return [OpKernels.PerItem(OpKernels.AdamW, "pf_adamw", args, count, c.Limits, OpKernels.Label(c))];
    }
}
