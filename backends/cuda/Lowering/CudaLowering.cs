using Pixelfly.Backends.Cuda.Lowering.MatMul;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Lowering;

/// <summary>
/// The CUDA backend's lowering: which ops run, the kernel launches of each node (the matmul family on tensor cores,
/// every other op as a plain kernel), the runtime's copy, and every variant for CI's NVRTC pass. Storage is native
/// (f16/bf16 as 16-bit values); every kernel computes in f32 and rounds f16/bf16 results to nearest even on store,
/// exactly as the CPU backend rounds them.
/// </summary>
internal sealed class CudaLowering : ICudaLowering
{
    /// <summary>The one instance (the lowering holds no state).</summary>
    public static CudaLowering Instance { get; } = new();

    private CudaLowering()
    {
    }

    /// <inheritdoc/>
    public Support Supports(Op op, IReadOnlyList<TensorType> inputTypes)
    {
        // Every op runs over f32/f16/bf16/i32 as the type rules allow; views are passed as tables, so no rank limit.
        return SupportRules.Float32Compute(op, inputTypes, "CUDA", out _);
    }

    /// <inheritdoc/>
    public IReadOnlyList<KernelLaunch> Lower(LoweringContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var c = context;
        var node = c.Node;
        switch (node.Op)
        {
            case MatMulOp or BlockSparseMatMulOp or BlockSparseSoftmaxOp or BlockSparseSoftmaxGradOp:
                return MatMulLowering.Lower(c);
            case UnaryOp u: return ElementwiseLowering.Unary(c, u.Function);
            case BinaryOp b: return ElementwiseLowering.Binary(c, b.Function);
            case WhereOp: return ElementwiseLowering.Where(c);
            case CastOp cast: return ElementwiseLowering.Cast(c, cast);
            case FullOp full: return ElementwiseLowering.Full(c, full);
            case ReduceOp r: return ReductionLowering.Reduce(c, r);
            case SoftmaxOp s: return RowsLowering.SoftmaxAlong(c, s.Axis, log: false);
            case LogSoftmaxOp s: return RowsLowering.SoftmaxAlong(c, s.Axis, log: true);
            case LayerNormOp ln: return RowsLowering.LayerNormRows(c, ln);
            case CrossEntropyOp: return RowsLowering.CrossEntropyRows(c);
            case OneHotOp oh: return IndexLowering.OneHot(c, oh);
            case GatherOp: return IndexLowering.Gather(c);
            case ScatterAddOp s: return IndexLowering.ScatterAdd(c, s);
            case ReshapeOp: return ShapeLowering.Reshape(c);
            case TransposeOp t: return ShapeLowering.Transpose(c, t);
            case SliceOp s: return ShapeLowering.Slice(c, s);
            case PadOp p: return ShapeLowering.Pad(c, p);
            case ConcatOp cat: return ShapeLowering.Concat(c, cat);
            case BroadcastToOp: return ShapeLowering.BroadcastTo(c);
            case AdamWOp adam: return AdamWLowering.Lower(c, adam);
            default:
                throw new UnsupportedOpException($"node {node.Index} ({node.Op.Name}): the CUDA backend has no kernel for this op");
        }
    }

    /// <inheritdoc/>
    public KernelLaunch Copy(LaunchArg from, LaunchArg to, long bytes) =>
        // A grid-stride copy: the limits only cap its block count, which is correct on any device.
        ShapeLowering.Bytes(from, to, bytes, CudaLoweringLimits.H100, $"copy {bytes} bytes");

    /// <inheritdoc/>
    public IEnumerable<KernelVariant> AllVariants(CudaLoweringLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return OpKernels.All.Concat(MatMulLowering.Variants(limits)).Distinct();
    }
}
