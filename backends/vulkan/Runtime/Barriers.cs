using Silk.NET.Vulkan;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>
/// The global memory barriers the runtime records. Compute and transfer work both read and write buffers, so one
/// barrier kind covers every hazard between them (global barriers cost no more than buffer barriers on current drivers).
/// </summary>
internal static unsafe class Barriers
{
    private const PipelineStageFlags Work = PipelineStageFlags.ComputeShaderBit | PipelineStageFlags.TransferBit;
    private const AccessFlags Writes = AccessFlags.ShaderWriteBit | AccessFlags.TransferWriteBit;
    private const AccessFlags All = AccessFlags.ShaderReadBit | AccessFlags.ShaderWriteBit | AccessFlags.TransferReadBit | AccessFlags.TransferWriteBit;

    /// <summary>Every earlier compute/transfer write (and host write) is visible to every later compute/transfer access.</summary>
    public static void Full(Vk vk, CommandBuffer cb)
    {
        var b = new MemoryBarrier { SType = StructureType.MemoryBarrier, SrcAccessMask = Writes | AccessFlags.HostWriteBit, DstAccessMask = All };
        vk.CmdPipelineBarrier(cb, Work | PipelineStageFlags.HostBit, Work, 0, 1, &b, 0, null, 0, null);
    }

    /// <summary>Earlier compute/transfer writes become visible to the host (after the fence wait).</summary>
    public static void ToHost(Vk vk, CommandBuffer cb)
    {
        var b = new MemoryBarrier { SType = StructureType.MemoryBarrier, SrcAccessMask = Writes, DstAccessMask = AccessFlags.HostReadBit };
        vk.CmdPipelineBarrier(cb, Work, PipelineStageFlags.HostBit, 0, 1, &b, 0, null, 0, null);
    }
}
