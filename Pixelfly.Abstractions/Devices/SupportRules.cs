using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Devices;

/// <summary>Checks every f32-computing backend starts its <see cref="IDevice.Supports"/> with, worded the same everywhere.</summary>
public static class SupportRules
{
    /// <summary>
    /// Yes (with the op's output types) when the inputs type-check and neither they nor the outputs are f64, which
    /// a backend computing in f32 cannot hold; otherwise no, with the reason naming <paramref name="backend"/>.
    /// </summary>
    public static Support Float32Compute(Op op, IReadOnlyList<TensorType> inputTypes, string backend, out TensorType[] outputs)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(inputTypes);
        outputs = [];
        foreach (var t in inputTypes)
            if (t.DType == DType.F64)
                return Support.No($"{op.Name}: the {backend} backend computes in f32 and does not hold f64 tensors (f64 is for the reference backend)");
        try
        {
            outputs = op.InferTypes(inputTypes);
        }
        catch (OpTypeException e)
        {
            return Support.No($"{op.Name}: the inputs do not type-check: {e.Message}");
        }
        foreach (var t in outputs)
            if (t.DType == DType.F64)
                return Support.No($"{op.Name}: the {backend} backend computes in f32 and cannot produce f64 results (f64 is for the reference backend)");
        return Support.Yes;
    }
}
