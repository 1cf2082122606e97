using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Lowering;

/// <summary>
/// The Vulkan backend's lowering entry point: which ops run, the dispatches of each node (including rounding of
/// f16/bf16 results, exactly as the CPU backend rounds them), and the import/export/copy dispatches the runtime
/// uses for bound f16/bf16 tensors, pass-through outputs and donation.
/// </summary>
internal static class VulkanLowering
{
    /// <summary>Yes for every IR op over f32/f16/bf16/i32 whose views fit the shaders; no for f64.</summary>
    public static Support Supports(Op op, IReadOnlyList<TensorType> inputTypes)
    {
        var basic = SupportRules.Float32Compute(op, inputTypes, "Vulkan", out var outputs);
        if (!basic.IsSupported) return basic;
        string? tooWide = ViewLimits.Check(op, inputTypes, outputs);
        return tooWide is null ? Support.Yes : Support.No($"{op.Name}: {tooWide}");
    }

    /// <summary>Every dispatch node <see cref="LoweringContext.Node"/> needs, in order.</summary>
    public static IReadOnlyList<Dispatch> Lower(LoweringContext c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var node = c.Node;
        switch (node.Op)
        {
            case MatMulOp or BlockSparseMatMulOp or BlockSparseSoftmaxOp or BlockSparseSoftmaxGradOp:
                return [.. MatMulLowering.Lower(c), .. RoundOutputs(c)];
            case UnaryOp u: return ElementwiseLowering.Unary(c, u.Function);
            case BinaryOp b: return ElementwiseLowering.Binary(c, b.Function);
            case WhereOp: return ElementwiseLowering.Where(c);
            case CastOp cast: return ElementwiseLowering.Cast(c, cast);
            case FullOp full: return ElementwiseLowering.Full(c, full);
            case ReduceOp r: return ReductionLowering.Reduce(c, r);
            case SoftmaxOp s: return ReductionLowering.Softmax(c, s.Axis, log: false);
            case LogSoftmaxOp s: return ReductionLowering.Softmax(c, s.Axis, log: true);
            case LayerNormOp ln: return ReductionLowering.LayerNorm(c, ln);
            case CrossEntropyOp: return ReductionLowering.CrossEntropy(c);
            case OneHotOp oh: return IndexLowering.OneHotRows(c, oh);
            case GatherOp: return IndexLowering.GatherRows(c);
            case ScatterAddOp s: return IndexLowering.ScatterAddRows(c, s);
            case ReshapeOp: return ShapeLowering.Reshape(c);
            case TransposeOp t: return ShapeLowering.Transpose(c, t);
            case SliceOp s: return ShapeLowering.Slice(c, s);
            case PadOp p: return ShapeLowering.Pad(c, p);
            case ConcatOp cat: return ShapeLowering.Concat(c, cat);
            case BroadcastToOp: return ShapeLowering.BroadcastTo(c);
            case AdamWOp adam: return AdamWLowering.Lower(c, adam);
            default:
                throw new UnsupportedOpException($"node {node.Index} ({node.Op.Name}): the Vulkan backend has no shader for this op");
        }
    }

    /// <summary>f16/bf16 (packed two per word) to f32 words, one invocation per element (exact).</summary>
    public static Dispatch Import(BufferArg packed, BufferArg wide, DType dtype, long count, LoweringLimits l) =>
        ConversionLowering.Import(packed, wide, dtype, count, l);

    /// <summary>f32 words to packed f16/bf16, rounding to nearest even, one invocation per packed word (no races).</summary>
    public static Dispatch Export(BufferArg wide, BufferArg packed, DType dtype, long count, LoweringLimits l) =>
        ConversionLowering.Export(wide, packed, dtype, count, l);

    /// <summary>A copy of <paramref name="words"/> 32-bit words.</summary>
    public static Dispatch Copy(BufferArg from, BufferArg to, long words, LoweringLimits l) =>
        ShapeLowering.Words(from, to, words, l, $"copy {words} words");

    // The matmul family computes in f32; f16/bf16 results are rounded in place (idempotent if already rounded).
    private static IEnumerable<Dispatch> RoundOutputs(LoweringContext c)
    {
        for (int i = 0; i < c.Node.Outputs.Count; i++)
        {
            var type = c.Out(i);
            long count = type.Shape.ElementCount;
            if (type.DType is DType.F16 or DType.BF16 && count > 0)
                yield return ConversionLowering.Round(BufferArg.Value(c.Node.Outputs[i], count), type.DType, count, c.Limits,
                    $"{ElementwiseLowering.Label(c)} round to {type.DType.Name()}");
        }
    }
}
