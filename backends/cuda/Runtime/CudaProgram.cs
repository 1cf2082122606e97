using Pixelfly.Backends.Cuda.Lowering;
using Pixelfly.Devices.Planning;

namespace Pixelfly.Backends.Cuda.Runtime;

/// <summary>The device memory regions a compiled program addresses.</summary>
internal enum Region
{
    /// <summary>A bound tensor (input, parameter or output) by binding slot; known only at run time.</summary>
    Bound,

    /// <summary>The executable's arena (node results, snapshots).</summary>
    Arena,

    /// <summary>The executable's constant pool (graph constants and lowering tables).</summary>
    Constants,

    /// <summary>The executable's scratch buffer (valid within one node).</summary>
    Scratch,

    /// <summary>The four status words.</summary>
    Status,
}

/// <summary>A device address relative to a region: base(region, slot) + offset.</summary>
internal readonly record struct DeviceAddress(Region Region, int Slot, long Offset)
{
    public override string ToString() => Region switch
    {
        Region.Bound => $"bound#{Slot}{(Offset != 0 ? $"+{Offset}" : "")}",
        _ => $"{Region.ToString().ToLowerInvariant()}+{Offset}",
    };
}

/// <summary>A kernel argument resolved against the memory plan: a pointer (by address) or a scalar.</summary>
internal readonly record struct ResolvedArg(LaunchArgKind Kind, DeviceAddress Address, long Integer, float Real)
{
    public bool IsPointer => Kind is LaunchArgKind.Value or LaunchArgKind.Scratch or LaunchArgKind.Table or LaunchArgKind.Status;

    public override string ToString() => Kind switch
    {
        LaunchArgKind.Int32 or LaunchArgKind.Int64 => Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        LaunchArgKind.Float32 => Real.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => Address.ToString(),
    };
}

/// <summary>One step of a run, in stream order.</summary>
internal abstract record ProgramStep(string Label);

/// <summary>A kernel launch of node <paramref name="NodeIndex"/> (-1 for none).</summary>
internal sealed record LaunchStep(KernelLaunch Launch, int NodeIndex, ResolvedArg[] Args) : ProgramStep(Launch.Label);

/// <summary>A device-to-device copy (an output export).</summary>
internal sealed record CopyStep(DeviceAddress From, DeviceAddress To, long Bytes, string Text) : ProgramStep(Text);

/// <summary>
/// A graph lowered for a device, before anything is on the device: the steps with their arguments resolved to
/// region-relative addresses, the constant pool's bytes (constants, then tables), the scratch size and the memory
/// plan. Pure data, built by <see cref="CudaProgramBuilder"/>.
/// </summary>
internal sealed class CudaProgram
{
    public required LivenessMemoryPlan Plan { get; init; }

    public required IReadOnlyList<ProgramStep> Steps { get; init; }

    /// <summary>The bytes uploaded once into the constant region.</summary>
    public required byte[] ConstantPool { get; init; }

    /// <summary>Offset of each graph constant (plan order) in the pool.</summary>
    public required long[] ConstantOffsets { get; init; }

    /// <summary>How many distinct lowering tables the pool holds.</summary>
    public required int TableCount { get; init; }

    /// <summary>The scratch region's size (the largest any node needs).</summary>
    public required long ScratchBytes { get; init; }

    public int LaunchCount => Steps.Count(s => s is LaunchStep);

    public int CopyCount => Steps.Count(s => s is CopyStep);

    /// <summary>The distinct variants the launches use, in first-use order.</summary>
    public IReadOnlyList<KernelVariant> Variants => Steps.OfType<LaunchStep>().Select(s => s.Launch.Variant).Distinct().ToArray();
}
