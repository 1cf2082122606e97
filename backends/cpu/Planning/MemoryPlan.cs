namespace Pixelfly.Backends.Cpu.Planning;

/// <summary>Where a value's working cells (f32, or i32 for I32 values) live during a run.</summary>
internal enum StorageKind
{
    /// <summary>Read directly from the bound input tensor (f32/i32 inputs that nothing overwrites too early).</summary>
    Bound,

    /// <summary>Copied (and widened from f16/bf16) from the bound input into the arena before the first kernel.</summary>
    Import,

    /// <summary>In the constant pool, filled once at compile time.</summary>
    Constant,

    /// <summary>An arena buffer, reused once its previous occupant is dead.</summary>
    Arena,

    /// <summary>Written directly into the bound output tensor (for a donating output: the donated input's tensor).</summary>
    Output,

    /// <summary>Internal to a fused element-wise group: it lives only in the group's per-worker registers.</summary>
    Fused,
}

/// <summary>A value's storage: kind, offset in floats (arena or constant pool), and the binding name it uses.</summary>
internal readonly record struct ValueStorage(StorageKind Kind, long Offset, string? Binding)
{
    public override string ToString() => Kind switch
    {
        StorageKind.Bound => $"bound '{Binding}'",
        StorageKind.Import => $"arena+{Offset} (imported from '{Binding}')",
        StorageKind.Constant => $"constants+{Offset}",
        StorageKind.Arena => $"arena+{Offset}",
        StorageKind.Fused => "fused (no storage)",
        _ => $"output '{Binding}'",
    };
}

/// <summary>A compiled graph's memory plan.</summary>
internal sealed class MemoryPlan
{
    public required ValueStorage[] Storage { get; init; }

    /// <summary>For each value, the value whose storage it shares (itself unless it is a reshape alias).</summary>
    public required int[] Root { get; init; }

    /// <summary>Nodes that need no kernel because their output aliases their input (reshape).</summary>
    public required bool[] AliasedNodes { get; init; }

    /// <summary>Values copied into the arena before the first kernel (f16/bf16 inputs, snapshots of donated inputs).</summary>
    public required int[] Imports { get; init; }

    /// <summary>Outputs filled after the last kernel: (value, output index in the graph).</summary>
    public required (int Value, int Output)[] Exports { get; init; }

    public required long ArenaFloats { get; init; }

    public required long ConstantFloats { get; init; }

    public required int ArenaBuffers { get; init; }

    public required int BufferReuses { get; init; }

    public required int ArenaValues { get; init; }

    public required int InputSnapshots { get; init; }
}
