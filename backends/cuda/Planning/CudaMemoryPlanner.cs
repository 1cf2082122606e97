using Pixelfly.Devices.Planning;
using Pixelfly.Ir;

namespace Pixelfly.Backends.Cuda.Planning;

/// <summary>
/// The CUDA memory plan: the shared <see cref="LivenessMemoryPlanner"/> over native bytes (kernels read every dtype as
/// stored, so nothing is imported or packed), with every arena slot and constant aligned to <see cref="Alignment"/>.
/// The arena is one allocation; slots sit at <see cref="LivenessMemoryPlan.ArenaSlotOffsets"/> (bytes).
/// </summary>
internal static class CudaMemoryPlanner
{
    /// <summary>Alignment of every arena slot and constant (the allocation alignment; vector loads need 16).</summary>
    public const long Alignment = 256;

    private static readonly ArenaSizing Sizing = new()
    {
        SlotSize = t => Align(t.ByteCount),
        SnapshotSize = t => Align(t.ByteCount),
    };

    /// <param name="graph">The graph.</param>
    /// <param name="bindingSlot">Binding slot of each input/parameter by name (the runtime's numbering).</param>
    /// <param name="outputSlot">Binding slot of each graph output's tensor, in output order.</param>
    public static LivenessMemoryPlan Plan(Graph graph, IReadOnlyDictionary<string, int> bindingSlot, IReadOnlyList<int> outputSlot) =>
        LivenessMemoryPlanner.Plan(graph, bindingSlot, outputSlot, Sizing);

    /// <summary>Rounds up to <see cref="Alignment"/> (at least one unit, so even empty values have an address of their own).</summary>
    public static long Align(long bytes) => Math.Max(Alignment, (bytes + Alignment - 1) / Alignment * Alignment);
}
