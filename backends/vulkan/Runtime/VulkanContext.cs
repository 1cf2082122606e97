using Silk.NET.Core.Native;
using Silk.NET.Vulkan;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>
/// The logical device: one compute queue, a command pool, a pipeline cache, memory-type selection and one-shot
/// submissions. Queue and pool use is serialised through <see cref="Gate"/> (Vulkan requires external sync).
/// </summary>
internal sealed unsafe class VulkanContext : IDisposable
{
    private readonly PhysicalDeviceMemoryProperties _memory;
    private readonly Fence _fence;
    private CommandBuffer _oneShot;

    public VulkanContext(VulkanInstance instance, PhysicalDevice physical, PhysicalDeviceFacts facts, bool enableCooperativeMatrix)
    {
        Instance = instance;
        Vk = instance.Vk;
        Physical = physical;
        Facts = facts;
        if (facts.ComputeQueueFamily < 0)
            throw new Devices.DeviceUnavailableException($"{facts.Id} ({facts.Name}) has no compute queue");
        if (facts.ApiVersion < Vk.Version12)
            throw new Devices.DeviceUnavailableException($"{facts.Id} ({facts.Name}) supports Vulkan {facts.ApiVersionText}; the Pixelfly shaders need Vulkan 1.2: update the driver");
        PhysicalDeviceMemoryProperties memory;
        Vk.GetPhysicalDeviceMemoryProperties(physical, &memory);
        _memory = memory;
        Device = CreateDevice(enableCooperativeMatrix);
        Queue queue;
        Vk.GetDeviceQueue(Device, (uint)facts.ComputeQueueFamily, 0, &queue);
        Queue = queue;
        var poolInfo = new CommandPoolCreateInfo
        {
            SType = StructureType.CommandPoolCreateInfo,
            Flags = CommandPoolCreateFlags.ResetCommandBufferBit,
            QueueFamilyIndex = (uint)facts.ComputeQueueFamily,
        };
        CommandPool pool;
        Vk.CreateCommandPool(Device, &poolInfo, null, &pool).Check("vkCreateCommandPool");
        CommandPool = pool;
        var cacheInfo = new PipelineCacheCreateInfo { SType = StructureType.PipelineCacheCreateInfo };
        PipelineCache cache;
        Vk.CreatePipelineCache(Device, &cacheInfo, null, &cache).Check("vkCreatePipelineCache");
        PipelineCache = cache;
        var fenceInfo = new FenceCreateInfo { SType = StructureType.FenceCreateInfo };
        Fence fence;
        Vk.CreateFence(Device, &fenceInfo, null, &fence).Check("vkCreateFence");
        _fence = fence;
        _oneShot = AllocateCommandBuffer();
    }

    public VulkanInstance Instance { get; }
    public Vk Vk { get; }
    public PhysicalDevice Physical { get; }
    public PhysicalDeviceFacts Facts { get; }
    public Device Device { get; }
    public Queue Queue { get; }
    public CommandPool CommandPool { get; }
    public PipelineCache PipelineCache { get; }

    /// <summary>Serialises queue submissions and command-pool use.</summary>
    public object Gate { get; } = new();

    /// <summary>Whether the cooperative-matrix extension was enabled on the logical device.</summary>
    public bool CooperativeMatrixEnabled { get; private set; }

    /// <summary>A memory type index with the wanted properties among those allowed by <paramref name="typeBits"/>.</summary>
    public uint MemoryType(uint typeBits, MemoryPropertyFlags wanted, out uint heap)
    {
        for (uint i = 0; i < _memory.MemoryTypeCount; i++)
        {
            if ((typeBits & (1u << (int)i)) == 0) continue;
            var t = _memory.MemoryTypes[(int)i];
            if ((t.PropertyFlags & wanted) == wanted)
            {
                heap = t.HeapIndex;
                return i;
            }
        }
        throw new InvalidOperationException($"{Facts.Id} has no memory type with {wanted} for buffers (type bits 0x{typeBits:x})");
    }

    /// <summary>The largest heap behind a memory type with the wanted properties (for size checks before creating a buffer).</summary>
    public uint LargestHeap(MemoryPropertyFlags wanted)
    {
        uint best = 0;
        ulong bestSize = 0;
        for (int i = 0; i < _memory.MemoryTypeCount; i++)
        {
            var t = _memory.MemoryTypes[i];
            if ((t.PropertyFlags & wanted) != wanted) continue;
            ulong size = _memory.MemoryHeaps[(int)t.HeapIndex].Size;
            if (size > bestSize) (best, bestSize) = (t.HeapIndex, size);
        }
        return best;
    }

    /// <summary>Size of memory heap <paramref name="heap"/> in bytes.</summary>
    public ulong HeapSize(uint heap) => _memory.MemoryHeaps[(int)heap].Size;

    /// <summary>Allocates a primary command buffer from the device pool (callers hold <see cref="Gate"/> or own the context).</summary>
    public CommandBuffer AllocateCommandBuffer()
    {
        var info = new CommandBufferAllocateInfo
        {
            SType = StructureType.CommandBufferAllocateInfo,
            CommandPool = CommandPool,
            Level = CommandBufferLevel.Primary,
            CommandBufferCount = 1,
        };
        CommandBuffer cb;
        Vk.AllocateCommandBuffers(Device, &info, &cb).Check("vkAllocateCommandBuffers");
        return cb;
    }

    /// <summary>Records commands into a one-shot buffer, submits it and waits (callers hold <see cref="Gate"/>).</summary>
    public void SubmitAndWait(Action<CommandBuffer> record)
    {
        Vk.ResetCommandBuffer(_oneShot, 0).Check("vkResetCommandBuffer");
        var begin = new CommandBufferBeginInfo { SType = StructureType.CommandBufferBeginInfo, Flags = CommandBufferUsageFlags.OneTimeSubmitBit };
        Vk.BeginCommandBuffer(_oneShot, &begin).Check("vkBeginCommandBuffer");
        Barriers.Full(Vk, _oneShot);
        record(_oneShot);
        Barriers.ToHost(Vk, _oneShot);
        Vk.EndCommandBuffer(_oneShot).Check("vkEndCommandBuffer");
        Submit(_oneShot);
    }

    /// <summary>Submits a recorded command buffer and waits for it (callers hold <see cref="Gate"/>).</summary>
    public void Submit(CommandBuffer cb)
    {
        var submit = new SubmitInfo { SType = StructureType.SubmitInfo, CommandBufferCount = 1, PCommandBuffers = &cb };
        var fence = _fence;
        Vk.ResetFences(Device, 1, &fence).Check("vkResetFences");
        Vk.QueueSubmit(Queue, 1, &submit, fence).Check("vkQueueSubmit");
        Vk.WaitForFences(Device, 1, &fence, true, ulong.MaxValue).Check("vkWaitForFences");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Vk.DeviceWaitIdle(Device);
        var cb = _oneShot;
        Vk.FreeCommandBuffers(Device, CommandPool, 1, &cb);
        _oneShot = default;
        Vk.DestroyFence(Device, _fence, null);
        Vk.DestroyPipelineCache(Device, PipelineCache, null);
        Vk.DestroyCommandPool(Device, CommandPool, null);
        Vk.DestroyDevice(Device, null);
    }

    private Device CreateDevice(bool enableCooperativeMatrix)
    {
        float priority = 1f;
        var queueInfo = new DeviceQueueCreateInfo
        {
            SType = StructureType.DeviceQueueCreateInfo,
            QueueFamilyIndex = (uint)Facts.ComputeQueueFamily,
            QueueCount = 1,
            PQueuePriorities = &priority,
        };
        // Enable what the device offers and the shaders may use: 16-bit storage, f16 arithmetic, int64, and the
        // Vulkan memory model (the cooperative-matrix shaders declare it).
        var v11 = new PhysicalDeviceVulkan11Features
        {
            SType = StructureType.PhysicalDeviceVulkan11Features,
            StorageBuffer16BitAccess = Facts.Storage16Bit,
        };
        var v12 = new PhysicalDeviceVulkan12Features
        {
            SType = StructureType.PhysicalDeviceVulkan12Features,
            PNext = &v11,
            ShaderFloat16 = Facts.Fp16Arithmetic,
            VulkanMemoryModel = Facts.VulkanMemoryModel,
            VulkanMemoryModelDeviceScope = Facts.VulkanMemoryModelDeviceScope,
        };
        var coopNv = new PhysicalDeviceCooperativeMatrixFeaturesNV { SType = StructureType.PhysicalDeviceCooperativeMatrixFeaturesNV, PNext = &v12, CooperativeMatrix = true };
        var extensions = new List<string>();
        void* chain = &v12;
        if (enableCooperativeMatrix && Facts.CooperativeMatrixExtension is { } ext)
        {
            extensions.Add(ext);
            chain = &coopNv;
            CooperativeMatrixEnabled = true;
        }
        var features = new PhysicalDeviceFeatures2
        {
            SType = StructureType.PhysicalDeviceFeatures2,
            PNext = chain,
            Features = new PhysicalDeviceFeatures { ShaderInt64 = Facts.ShaderInt64 },
        };
        var names = extensions.Count > 0 ? SilkMarshal.StringArrayToPtr(extensions) : 0;
        try
        {
            var info = new DeviceCreateInfo
            {
                SType = StructureType.DeviceCreateInfo,
                PNext = &features,
                QueueCreateInfoCount = 1,
                PQueueCreateInfos = &queueInfo,
                EnabledExtensionCount = (uint)extensions.Count,
                PpEnabledExtensionNames = (byte**)names,
            };
            Device device;
            Vk.CreateDevice(Physical, &info, null, &device).Check($"vkCreateDevice ({Facts.Id}, {Facts.Name})");
            return device;
        }
        finally
        {
            if (names != 0) SilkMarshal.Free(names);
        }
    }
}
