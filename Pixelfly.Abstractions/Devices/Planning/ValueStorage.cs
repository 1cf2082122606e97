namespace Pixelfly.Devices.Planning;

/// <summary>A value's storage: kind, arena slot or constant index, and the binding slot for bound, imported or output storage.</summary>
/// <param name="Kind">Where the value lives.</param>
/// <param name="Index">The arena slot (arena, import) or the constant's pool index (constant); -1 otherwise.</param>
/// <param name="BindingSlot">The runtime's binding slot (bound, import, output); -1 otherwise.</param>
public readonly record struct ValueStorage(StorageKind Kind, int Index, int BindingSlot)
{
    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        StorageKind.Bound => $"bound #{BindingSlot}",
        StorageKind.Import => $"arena slot {Index} (imported from bound #{BindingSlot})",
        StorageKind.Constant => $"constant {Index}",
        StorageKind.Output => $"output tensor #{BindingSlot}",
        _ => $"arena slot {Index}",
    };
}
