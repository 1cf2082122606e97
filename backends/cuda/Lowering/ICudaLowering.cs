using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Lowering;

/// <summary>
/// What the runtime needs from lowering. The backend uses CudaLowering; runtime tests substitute
/// their own. <see cref="AllVariants"/> lists every compilation unit <see cref="Lower"/> can name for these limits,
/// so CI can compile each one with NVRTC without a GPU.
/// </summary>
internal interface ICudaLowering
{
    /// <summary>Whether the op runs on these input types.</summary>
    Support Supports(Op op, IReadOnlyList<TensorType> inputTypes);

    /// <summary>Every launch node <see cref="LoweringContext.Node"/> needs, in order.</summary>
    IReadOnlyList<KernelLaunch> Lower(LoweringContext context);

    /// <summary>A copy of <paramref name="bytes"/> bytes between two device pointers (pass-through outputs, donation).</summary>
    KernelLaunch Copy(LaunchArg from, LaunchArg to, long bytes);

    /// <summary>Every variant <see cref="Lower"/> and <see cref="Copy"/> may use under <paramref name="limits"/>.</summary>
    IEnumerable<KernelVariant> AllVariants(CudaLoweringLimits limits);
}
