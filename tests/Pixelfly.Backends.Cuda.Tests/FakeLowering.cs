using Pixelfly.Backends.Cuda.Lowering;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>
/// A lowering for runtime tests: by default one launch per node reading its inputs and writing its outputs (plus the
/// status words and the node tag), or whatever <see cref="Custom"/> returns. Records what it was asked to lower.
/// </summary>
internal sealed class FakeLowering : ICudaLowering
{
    public static readonly KernelVariant Variant = KernelVariant.Of("fake.cu", ("MODE", 1));

    public HashSet<string> Unsupported { get; } = [];

    public Func<LoweringContext, IReadOnlyList<KernelLaunch>?>? Custom { get; set; }

    public List<int> LoweredNodes { get; } = [];

    public Support Supports(Op op, IReadOnlyList<TensorType> inputTypes) =>
        Unsupported.Contains(op.Name) ? Support.No($"{op.Name}: not in the fake lowering") : Support.Yes;

    public IReadOnlyList<KernelLaunch> Lower(LoweringContext context)
    {
        LoweredNodes.Add(context.Node.Index);
        if (Custom?.Invoke(context) is { } custom) return custom;
        var node = context.Node;
        LaunchArg[] args = [.. node.Inputs.Select(i => LaunchArg.Value(i)), .. node.Outputs.Select(o => LaunchArg.Value(o)), LaunchArg.Status(), LaunchArg.I32(node.Index + 1)];
        return [Launch(node.Op.Name, args, $"#{node.Index} {node.Op.Name}")];
    }

    public KernelLaunch Copy(LaunchArg from, LaunchArg to, long bytes) => Launch("copy", [from, to, LaunchArg.I64(bytes)], "copy");

    public IEnumerable<KernelVariant> AllVariants(CudaLoweringLimits limits) => [Variant];

    public static KernelLaunch Launch(string function, LaunchArg[] args, string label, (uint, uint, uint)? grid = null, (uint, uint, uint)? block = null, int shared = 0) =>
        new(Variant, function, args, grid ?? (1, 1, 1), block ?? (32, 1, 1), shared, label);
}
