using Silk.NET.Vulkan;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>
/// A program recorded once into a command buffer for one set of bound tensors: its descriptor sets (one per
/// dispatch), the barriers, the copies, and two timestamps around the work. Replayed by every run with the same
/// tensors.
/// </summary>
internal sealed unsafe class Recording : IDisposable
{
    private readonly VulkanContext _context;
    private readonly DescriptorPool _pool;

    public Recording(VulkanContext context, VulkanProgram program, VulkanTensor[] bound, DeviceBuffer status, QueryPool timestamps)
    {
        _context = context;
        Tensors = bound;
        var vk = context.Vk;
        var dispatches = program.Steps.OfType<DispatchStep>().ToArray();
        int descriptors = Math.Max(1, dispatches.Sum(d => d.Bindings.Length));
        var size = new DescriptorPoolSize(DescriptorType.StorageBuffer, (uint)descriptors);
        var poolInfo = new DescriptorPoolCreateInfo
        {
            SType = StructureType.DescriptorPoolCreateInfo,
            MaxSets = (uint)Math.Max(1, dispatches.Length),
            PoolSizeCount = 1,
            PPoolSizes = &size,
        };
        DescriptorPool pool;
        vk.CreateDescriptorPool(context.Device, &poolInfo, null, &pool).Check("vkCreateDescriptorPool");
        _pool = pool;
        try
        {
            // Recording into a buffer of the device's pool needs the pool's external synchronisation.
            lock (context.Gate)
            {
                CommandBuffer = context.AllocateCommandBuffer();
                Record(program, bound, status, timestamps);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The tensors this recording binds, by binding slot.</summary>
    public VulkanTensor[] Tensors { get; }

    public CommandBuffer CommandBuffer { get; private set; }

    /// <summary>True when <paramref name="bound"/> are the same tensors (by reference) as this recording's.</summary>
    public bool Binds(VulkanTensor[] bound)
    {
        for (int i = 0; i < bound.Length; i++)
            if (!ReferenceEquals(bound[i], Tensors[i])) return false;
        return true;
    }

    public void Dispose()
    {
        var cb = CommandBuffer;
        lock (_context.Gate)
            if (cb.Handle != 0)
                _context.Vk.FreeCommandBuffers(_context.Device, _context.CommandPool, 1, &cb);
        _context.Vk.DestroyDescriptorPool(_context.Device, _pool, null);
    }

    private void Record(VulkanProgram program, VulkanTensor[] bound, DeviceBuffer status, QueryPool timestamps)
    {
        var vk = _context.Vk;
        var cb = CommandBuffer;
        BufferRegion Resolve(Place p) => p.Kind switch
        {
            PlaceKind.Bound => new BufferRegion(bound[p.Index].Buffer, bound[p.Index].DataOffset, bound[p.Index].DataBytes),
            PlaceKind.Status => new BufferRegion(status, 0, 16),
            _ => program.Region(p),
        };

        var begin = new CommandBufferBeginInfo { SType = StructureType.CommandBufferBeginInfo };
        vk.BeginCommandBuffer(cb, &begin).Check("vkBeginCommandBuffer");
        // A queue without timestamp bits must not be asked for timestamps (VUID-vkCmdWriteTimestamp-timestampValidBits-00829).
        bool timed = _context.Facts.TimestampValidBits > 0;
        if (timed) vk.CmdResetQueryPool(cb, timestamps, 0, 2);
        Barriers.Full(vk, cb);
        if (timed) vk.CmdWriteTimestamp(cb, PipelineStageFlags.TopOfPipeBit, timestamps, 0);
        var infos = new DescriptorBufferInfo[16];
        var writes = new WriteDescriptorSet[16];
        foreach (var step in program.Steps)
        {
            if (step.BarrierBefore) Barriers.Full(vk, cb);
            if (step is CopyStep copy)
            {
                var from = Resolve(copy.From);
                var to = Resolve(copy.To);
                var region = new BufferCopy(from.Offset, to.Offset, copy.Bytes);
                vk.CmdCopyBuffer(cb, from.Buffer.Handle, to.Buffer.Handle, 1, &region);
                continue;
            }
            var d = (DispatchStep)step;
            var layout = d.Pipeline.SetLayout;
            var alloc = new DescriptorSetAllocateInfo { SType = StructureType.DescriptorSetAllocateInfo, DescriptorPool = _pool, DescriptorSetCount = 1, PSetLayouts = &layout };
            DescriptorSet set;
            vk.AllocateDescriptorSets(_context.Device, &alloc, &set).Check("vkAllocateDescriptorSets");
            int n = d.Bindings.Length;
            if (infos.Length < n)
            {
                infos = new DescriptorBufferInfo[n];
                writes = new WriteDescriptorSet[n];
            }
            fixed (DescriptorBufferInfo* pInfos = infos)
            fixed (WriteDescriptorSet* pWrites = writes)
            {
                for (int i = 0; i < n; i++)
                {
                    var r = Resolve(d.Bindings[i]);
                    pInfos[i] = new DescriptorBufferInfo(r.Buffer.Handle, r.Offset, Math.Min(r.Bytes, _context.Facts.MaxStorageBufferRange));
                    pWrites[i] = new WriteDescriptorSet
                    {
                        SType = StructureType.WriteDescriptorSet,
                        DstSet = set,
                        DstBinding = (uint)i,
                        DescriptorCount = 1,
                        DescriptorType = DescriptorType.StorageBuffer,
                        PBufferInfo = pInfos + i,
                    };
                }
                if (n > 0) vk.UpdateDescriptorSets(_context.Device, (uint)n, pWrites, 0, null);
            }
            vk.CmdBindPipeline(cb, PipelineBindPoint.Compute, d.Pipeline.Handle);
            vk.CmdBindDescriptorSets(cb, PipelineBindPoint.Compute, d.Pipeline.Layout, 0, 1, &set, 0, null);
            if (d.Dispatch.Push.Length > 0)
                fixed (byte* push = d.Dispatch.Push)
                    vk.CmdPushConstants(cb, d.Pipeline.Layout, ShaderStageFlags.ComputeBit, 0, (uint)d.Dispatch.Push.Length, push);
            vk.CmdDispatch(cb, d.Dispatch.GroupsX, d.Dispatch.GroupsY, d.Dispatch.GroupsZ);
        }
        if (timed) vk.CmdWriteTimestamp(cb, PipelineStageFlags.BottomOfPipeBit, timestamps, 1);
        Barriers.ToHost(vk, cb);
        vk.EndCommandBuffer(cb).Check("vkEndCommandBuffer");
    }
}
