namespace Pixelfly.Backends.Cpu;

/// <summary>
/// What a compiled graph's memory plan and kernel list came to.
/// </summary>
/// <param name="Nodes">Nodes in the graph.</param>
/// <param name="Kernels">Kernels run per step (aliased reshapes need none; f16/bf16 results add a rounding kernel).</param>
/// <param name="ArenaValues">Values that live in the arena (intermediates and imported inputs).</param>
/// <param name="ArenaBuffers">Distinct arena buffers; fewer than <paramref name="ArenaValues"/> when buffers are reused.</param>
/// <param name="BufferReuses">Times a value took over the buffer of a dead one.</param>
/// <param name="ArenaBytes">Size of the arena.</param>
/// <param name="AliasedValues">Reshape results that share their input's storage.</param>
/// <param name="DirectOutputs">Outputs written by their kernel straight into the bound output tensor.</param>
/// <param name="OutputCopies">Outputs copied (or converted to f16/bf16) into their tensor after the last kernel.</param>
/// <param name="InputSnapshots">Donated inputs copied aside first because they are read after being overwritten.</param>
/// <param name="ConstantBytes">Constants held by the executable.</param>
public sealed record CpuPlanStats(
    int Nodes,
    int Kernels,
    int ArenaValues,
    int ArenaBuffers,
    int BufferReuses,
    long ArenaBytes,
    int AliasedValues,
    int DirectOutputs,
    int OutputCopies,
    int InputSnapshots,
    long ConstantBytes)
{
    /// <summary>Fused element-wise groups (each one kernel for two or more nodes).</summary>
    public int FusedGroups { get; init; }

    /// <summary>Nodes that run inside a fused group.</summary>
    public int FusedNodes { get; init; }

    /// <summary>Fused groups that run as the epilogue of a dense matmul, on its C tiles.</summary>
    public int Epilogues { get; init; }

    /// <summary>Values internal to a fused group: never written to memory.</summary>
    public int FusedValues { get; init; }
}
