using Pixelfly.Devices.Lowering;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Lowering;

/// <summary>
/// Whether a node's strided views fit the shaders' push constants, so Supports answers honestly before Lower would
/// fail: merged views of more than <see cref="ElementwiseLowering.MaxRank"/> (elementwise),
/// <see cref="ShapeLowering.MaxRank"/> (copies) or <see cref="ReductionLowering.MaxRank"/> (reductions) dimensions
/// are refused.
/// </summary>
internal static class ViewLimits
{
    /// <summary>Null when the op fits, else why not.</summary>
    public static string? Check(Op op, IReadOnlyList<TensorType> inputs, IReadOnlyList<TensorType> outputs)
    {
        var output = outputs[0].Shape;
        switch (op)
        {
            case BinaryOp or WhereOp:
            {
                var view = StridedLayout.Broadcasting(output, inputs.Select(t => t.Shape).ToArray());
                return Fits(view.Rank, ElementwiseLowering.MaxRank, "the broadcast");
            }
            case ReduceOp r:
            {
                var (kept, reduced) = StridedLayout.SplitReduction(inputs[0].Shape, r.NormalizedAxes(inputs[0].Shape));
                return Fits(kept.Rank, ReductionLowering.MaxRank, "the kept axes") ?? Fits(reduced.Rank, ReductionLowering.MaxRank, "the reduced axes");
            }
            case TransposeOp t:
                return Fits(StridedLayout.Gathering(output, StridedLayout.Transposed(inputs[0].Shape, t.Perm)).Rank, ShapeLowering.MaxRank, "the permutation");
            case SliceOp:
                return Fits(StridedLayout.Gathering(output, StridedLayout.Contiguous(inputs[0].Shape.ToArray())).Rank, ShapeLowering.MaxRank, "the slice");
            case BroadcastToOp:
                return Fits(StridedLayout.Gathering(output, StridedLayout.Broadcast(inputs[0].Shape, output)).Rank, ShapeLowering.MaxRank, "the broadcast");
            case PadOp or ConcatOp:
            {
                var outStrides = StridedLayout.Contiguous(output.ToArray());
                int rank = inputs.Max(t => StridedLayout.Scattering(t.Shape, outStrides).Rank);
                return Fits(rank, ShapeLowering.MaxRank, "the strided copy");
            }
            default:
                return null;
        }
    }

    private static string? Fits(int rank, int max, string what) => rank <= max
        ? null
        : $"{what} needs {rank} dimensions after merging, more than the {max} the Vulkan shaders take";

    /// <summary>Throws a clear error when the collapsed view has more dimensions than a shader's push constants hold.</summary>
    public static StridedLayout Within(this StridedLayout view, int maxRank, string what)
    {
        if (view.Rank > maxRank)
            throw new NotSupportedException(
                $"{what}: the strided view needs {view.Rank} dimensions after merging, more than the {maxRank} the Vulkan shader takes");
        return view;
    }
}
