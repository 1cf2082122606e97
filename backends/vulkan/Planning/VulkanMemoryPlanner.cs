using Pixelfly.Devices.Planning;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Planning;

/// <summary>
/// The Vulkan memory plan: the shared <see cref="LivenessMemoryPlanner"/> over the 32-bit words the shaders use.
/// f32/i32 are native; f16/bf16 inputs are widened into an arena slot by an import dispatch and f16/bf16 outputs packed
/// by an export dispatch. Arena slot sizes are in 32-bit words; each slot is its own buffer.
/// </summary>
internal static class VulkanMemoryPlanner
{
    private static readonly ArenaSizing Sizing = new()
    {
        SlotSize = t => Math.Max(1, t.Shape.ElementCount),
        SnapshotSize = t => Math.Max(1, (t.ByteCount + 3) / 4),
        IsNative = IsWordDType,
    };

    /// <param name="graph">The graph.</param>
    /// <param name="bindingSlot">Binding slot of each input/parameter by name (the runtime's numbering).</param>
    /// <param name="outputSlot">Binding slot of each graph output's tensor, in output order.</param>
    public static LivenessMemoryPlan Plan(Graph graph, IReadOnlyDictionary<string, int> bindingSlot, IReadOnlyList<int> outputSlot) =>
        LivenessMemoryPlanner.Plan(graph, bindingSlot, outputSlot, Sizing);

    /// <summary>f32 and i32 values are stored as the 32-bit words the shaders use; f16/bf16 need widening.</summary>
    public static bool IsWordDType(DType dtype) => dtype is DType.F32 or DType.I32;
}
