namespace Pixelfly.Devices.Planning;

/// <summary>
/// A compiled graph's memory plan (see <see cref="LivenessMemoryPlanner"/>). Sizes are in the unit of the backend's
/// <see cref="ArenaSizing"/>. Exports run after the last node in two phases: first everything that reads a bound input
/// tensor (<see cref="ExportKind.CopyFromInput"/> and the snapshot reads), then everything that writes a donated
/// tensor, so no export reads an input a donation already overwrote.
/// </summary>
public sealed class LivenessMemoryPlan
{
    /// <summary>Each value's storage, by value id.</summary>
    public required ValueStorage[] Storage { get; init; }

    /// <summary>For each value, the value whose storage it shares (itself unless it is a reshape alias).</summary>
    public required int[] Root { get; init; }

    /// <summary>Nodes that need no kernel because their output aliases their input (reshape).</summary>
    public required bool[] AliasedNodes { get; init; }

    /// <summary>Inputs in a non-native dtype, converted into the arena before the first node.</summary>
    public required int[] Imports { get; init; }

    /// <summary>How each graph output is filled, in output order.</summary>
    public required OutputExport[] Exports { get; init; }

    /// <summary>Capacity of each arena slot.</summary>
    public required long[] ArenaSlotSizes { get; init; }

    /// <summary>Offset of each arena slot when the arena is one allocation (slots back to back).</summary>
    public required long[] ArenaSlotOffsets { get; init; }

    /// <summary>The arena's size as one allocation.</summary>
    public long ArenaSize => ArenaSlotSizes.Length == 0 ? 0 : ArenaSlotOffsets[^1] + ArenaSlotSizes[^1];

    /// <summary>Constant values in pool order (value ids).</summary>
    public required int[] Constants { get; init; }

    /// <summary>Values that got an arena slot.</summary>
    public required int ArenaValues { get; init; }

    /// <summary>How many times a freed slot was reused.</summary>
    public required int SlotReuses { get; init; }
}
