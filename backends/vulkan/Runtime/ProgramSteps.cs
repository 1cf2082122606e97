using Pixelfly.Backends.Vulkan.Lowering;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>What a binding or copy refers to once the memory plan is known.</summary>
internal enum PlaceKind
{
    /// <summary>A bound input or output tensor's data (Index = binding slot).</summary>
    Bound,

    /// <summary>An arena slot.</summary>
    Arena,

    /// <summary>A constant of the pool.</summary>
    Constant,

    /// <summary>A scratch slot (shared by all nodes: dispatches are separated by barriers).</summary>
    Scratch,

    /// <summary>A compile-time table.</summary>
    Table,

    /// <summary>The status words.</summary>
    Status,
}

/// <summary>A resolved buffer location.</summary>
internal readonly record struct Place(PlaceKind Kind, int Index)
{
    public override string ToString() => Kind switch
    {
        PlaceKind.Bound => $"bound#{Index}",
        PlaceKind.Arena => $"arena{Index}",
        PlaceKind.Constant => $"const{Index}",
        PlaceKind.Scratch => $"scratch{Index}",
        PlaceKind.Table => $"table{Index}",
        _ => "status",
    };
}

/// <summary>One recorded command: a dispatch or a buffer copy, with whether a barrier must precede it.</summary>
internal abstract record ProgramStep(string Label, Place[] Reads, Place[] Writes)
{
    /// <summary>True when an earlier step since the last barrier touched what this one needs (set by the builder).</summary>
    public bool BarrierBefore { get; set; }
}

/// <summary>A compute dispatch with its pipeline and resolved bindings.</summary>
internal sealed record DispatchStep(Dispatch Dispatch, ComputePipeline Pipeline, Place[] Bindings, int Node, Place[] Reads, Place[] Writes)
    : ProgramStep(Dispatch.Label, Reads, Writes);

/// <summary>A vkCmdCopyBuffer of <see cref="Bytes"/> bytes.</summary>
internal sealed record CopyStep(Place From, Place To, ulong Bytes, string Text)
    : ProgramStep(Text, [From], [To]);
