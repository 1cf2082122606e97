namespace Pixelfly.Backends.Vulkan.Planning;

/// <summary>Where a value's 32-bit words live during a run.</summary>
internal enum StorageKind
{
    /// <summary>Read straight from the bound f32/i32 input tensor (inputs are never written by a node).</summary>
    Bound,

    /// <summary>An arena buffer, widened from the bound f16/bf16 input by an import dispatch before the first node.</summary>
    Import,

    /// <summary>The executable's constant pool, uploaded once at compile time.</summary>
    Constant,

    /// <summary>An arena buffer (slot), reused once its previous occupant is dead.</summary>
    Arena,

    /// <summary>Written straight into the bound f32/i32 output tensor of a graph output that donates nothing.</summary>
    Output,
}

/// <summary>A value's storage: kind, arena slot or constant index, and the binding slot of a bound/imported input.</summary>
internal readonly record struct ValueStorage(StorageKind Kind, int Index, int BindingSlot)
{
    public override string ToString() => Kind switch
    {
        StorageKind.Bound => $"bound #{BindingSlot}",
        StorageKind.Import => $"arena slot {Index} (imported from bound #{BindingSlot})",
        StorageKind.Constant => $"constant {Index}",
        StorageKind.Output => $"output tensor #{BindingSlot}",
        _ => $"arena slot {Index}",
    };
}

/// <summary>How an output tensor is filled after the last node.</summary>
internal enum ExportKind
{
    /// <summary>Nothing to do: the node wrote the output tensor directly, or the output donates the input it passes through.</summary>
    None,

    /// <summary>Raw bytes from the bound input tensor (a pass-through output into a tensor nobody donated).</summary>
    CopyFromInput,

    /// <summary>Raw bytes from the input tensor into a snapshot slot, then into the (donated) output tensor.</summary>
    CopyThroughSnapshot,

    /// <summary>f32/i32 words from the value's arena slot or constant into the output tensor.</summary>
    CopyWords,

    /// <summary>An export dispatch packing the value's f32 words into the f16/bf16 output tensor.</summary>
    Pack,
}

/// <summary>One output's export: the value, the output index, how, and the snapshot slot when one is used.</summary>
internal readonly record struct OutputExport(int Value, int Output, ExportKind Kind, int SnapshotSlot);

/// <summary>A compiled graph's memory plan: storage of every value and the arena slots' sizes in 32-bit words.</summary>
internal sealed class VulkanMemoryPlan
{
    public required ValueStorage[] Storage { get; init; }

    /// <summary>For each value, the value whose storage it shares (itself unless it is a reshape alias).</summary>
    public required int[] Root { get; init; }

    /// <summary>Nodes that need no dispatch because their output aliases their input (reshape).</summary>
    public required bool[] AliasedNodes { get; init; }

    /// <summary>f16/bf16 inputs widened into the arena before the first node.</summary>
    public required int[] Imports { get; init; }

    /// <summary>How each graph output is filled, in output order.</summary>
    public required OutputExport[] Exports { get; init; }

    /// <summary>Capacity of each arena slot in 32-bit words.</summary>
    public required long[] ArenaSlotWords { get; init; }

    /// <summary>Constant values in pool order (value ids).</summary>
    public required int[] Constants { get; init; }

    /// <summary>Values that got an arena slot.</summary>
    public required int ArenaValues { get; init; }

    /// <summary>How many times a freed slot was reused.</summary>
    public required int SlotReuses { get; init; }
}
