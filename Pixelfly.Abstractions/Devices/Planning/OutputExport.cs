namespace Pixelfly.Devices.Planning;

/// <summary>One output's export: the value, the output index, how, and the snapshot slot when one is used.</summary>
/// <param name="Value">The exported value's id.</param>
/// <param name="Output">The graph output's index.</param>
/// <param name="Kind">How the output tensor is filled.</param>
/// <param name="SnapshotSlot">The arena slot of the snapshot (<see cref="ExportKind.CopyThroughSnapshot"/>); -1 otherwise.</param>
public readonly record struct OutputExport(int Value, int Output, ExportKind Kind, int SnapshotSlot);
