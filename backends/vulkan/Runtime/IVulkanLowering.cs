using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>
/// What the runtime needs from lowering: op support, a node's dispatches, and the f16/bf16 import/export conversions.
/// The backend uses <see cref="BuiltInLowering"/>; tests substitute their own to exercise the runtime alone.
/// </summary>
internal interface IVulkanLowering
{
    /// <summary>The shaders the dispatches name.</summary>
    ShaderLibrary Shaders { get; }

    /// <summary>Whether the op runs on these input types.</summary>
    Support Supports(Op op, IReadOnlyList<TensorType> inputTypes);

    /// <summary>Everything one node needs, in order.</summary>
    IReadOnlyList<Dispatch> Lower(LoweringContext context);

    /// <summary>Widens packed f16/bf16 words into f32 words.</summary>
    Dispatch Import(BufferArg packed, BufferArg wide, DType dtype, long count, LoweringLimits limits);

    /// <summary>Packs f32 words into f16/bf16, one invocation per packed word.</summary>
    Dispatch Export(BufferArg wide, BufferArg packed, DType dtype, long count, LoweringLimits limits);
}

/// <summary>The backend's own lowering (<see cref="VulkanLowering"/>) over its embedded shaders.</summary>
internal sealed class BuiltInLowering : IVulkanLowering
{
    public static BuiltInLowering Instance { get; } = new();

    public ShaderLibrary Shaders => ShaderLibrary.BuiltIn;

    public Support Supports(Op op, IReadOnlyList<TensorType> inputTypes) => VulkanLowering.Supports(op, inputTypes);

    public IReadOnlyList<Dispatch> Lower(LoweringContext context) => VulkanLowering.Lower(context);

    public Dispatch Import(BufferArg packed, BufferArg wide, DType dtype, long count, LoweringLimits limits) =>
        VulkanLowering.Import(packed, wide, dtype, count, limits);

    public Dispatch Export(BufferArg wide, BufferArg packed, DType dtype, long count, LoweringLimits limits) =>
        VulkanLowering.Export(wide, packed, dtype, count, limits);
}
