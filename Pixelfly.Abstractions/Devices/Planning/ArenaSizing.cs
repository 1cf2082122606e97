using Pixelfly.Tensors;

namespace Pixelfly.Devices.Planning;

/// <summary>
/// What a backend's kernels need from the <see cref="LivenessMemoryPlanner"/>: how big an arena slot is, in the
/// backend's own unit (bytes, 32-bit words), and which dtypes they read and write in their tensors' own encoding.
/// </summary>
public sealed record ArenaSizing
{
    /// <summary>Slot size of a node result or an imported input of this type (including any alignment).</summary>
    public required Func<TensorType, long> SlotSize { get; init; }

    /// <summary>Size of a snapshot slot holding a bound input tensor's raw bytes.</summary>
    public required Func<TensorType, long> SnapshotSize { get; init; }

    /// <summary>
    /// Whether kernels use this dtype's own encoding; other inputs are imported into the arena and other outputs packed
    /// by an export. Every dtype is native unless set.
    /// </summary>
    public Func<DType, bool> IsNative { get; init; } = _ => true;
}
