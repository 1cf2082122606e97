using Pixelfly.Ir.Ops;

namespace Pixelfly.Backends.Vulkan.Lowering;

/// <summary>
/// The fused AdamW update (Shaders/adamw.comp): one dispatch writes param', m' and v'. A step below 1 is reported
/// through the status buffer: word 1 the step's f32 bits, word 2 the limit 1.
/// </summary>
internal static class AdamWLowering
{
    /// <summary>Dispatches for one adamw node.</summary>
    public static IReadOnlyList<Dispatch> Lower(LoweringContext c, AdamWOp op)
    {
        long count = c.Out(0).Shape.ElementCount;
        if (count == 0) return [];
        var push = new PushConstants()
            .U(count).F((float)op.Beta1).F((float)op.Beta2).F((float)op.Epsilon).F((float)op.WeightDecay)
            .F((float)Math.Log(op.Beta1)).F((float)Math.Log(op.Beta2)).U(c.Node.Index + 1).ToArray();
        var buffers = new BufferArg[10];
        for (int i = 0; i < 6; i++) buffers[i] = BufferArg.Value(c.Node.Inputs[i], c.In(i).Shape.ElementCount);
        for (int i = 0; i < 3; i++) buffers[6 + i] = BufferArg.Value(c.Node.Outputs[i], count);
        buffers[9] = BufferArg.Status();
        uint[] specialization = [OpShaders.ElementGroupSize(c.Limits), OpShaders.RoundingOf(c.Out(0).DType)];
        return [OpShaders.PerItem(OpShaders.AdamW, specialization, push, buffers, count, c.Limits, ElementwiseLowering.Label(c))];
    }
}
