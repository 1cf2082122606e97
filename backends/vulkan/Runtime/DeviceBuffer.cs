using Silk.NET.Vulkan;
using Buffer = Silk.NET.Vulkan.Buffer;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>A VkBuffer with its own memory: device-local storage, or host-visible (mapped) staging and status.</summary>
internal sealed unsafe class DeviceBuffer : IDisposable
{
    private readonly VulkanContext _context;
    private DeviceMemory _memory;

    private DeviceBuffer(VulkanContext context, Buffer buffer, DeviceMemory memory, ulong bytes, void* mapped)
    {
        _context = context;
        Handle = buffer;
        _memory = memory;
        Bytes = bytes;
        Mapped = mapped;
    }

    /// <summary>The buffer.</summary>
    public Buffer Handle { get; private set; }

    /// <summary>Its size in bytes.</summary>
    public ulong Bytes { get; }

    /// <summary>The host mapping of a host-visible buffer, else null.</summary>
    public void* Mapped { get; }

    /// <summary>A device-local storage buffer that transfers can fill and read.</summary>
    public static DeviceBuffer DeviceLocal(VulkanContext context, ulong bytes, string purpose) =>
        Create(context, bytes, BufferUsageFlags.StorageBufferBit | BufferUsageFlags.TransferSrcBit | BufferUsageFlags.TransferDstBit,
            MemoryPropertyFlags.DeviceLocalBit, purpose);

    /// <summary>A host-visible, coherent, mapped buffer (staging, status words).</summary>
    public static DeviceBuffer HostVisible(VulkanContext context, ulong bytes, string purpose) =>
        Create(context, bytes, BufferUsageFlags.StorageBufferBit | BufferUsageFlags.TransferSrcBit | BufferUsageFlags.TransferDstBit,
            MemoryPropertyFlags.HostVisibleBit | MemoryPropertyFlags.HostCoherentBit, purpose);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Handle.Handle == 0) return;
        var vk = _context.Vk;
        vk.DestroyBuffer(_context.Device, Handle, null);
        if (Mapped != null) vk.UnmapMemory(_context.Device, _memory);
        vk.FreeMemory(_context.Device, _memory, null);
        Handle = default;
        _memory = default;
    }

    private static DeviceBuffer Create(VulkanContext context, ulong bytes, BufferUsageFlags usage, MemoryPropertyFlags properties, string purpose)
    {
        var vk = context.Vk;
        var device = context.Device;
        bytes = Math.Max(16, (bytes + 15) & ~15ul);
        // Ask only for what a heap can hold: a larger request is invalid usage, not an allocation failure.
        uint likelyHeap = context.LargestHeap(properties);
        if (bytes > context.HeapSize(likelyHeap))
            throw OutOfMemory(context, bytes, likelyHeap, purpose, Result.ErrorOutOfDeviceMemory);
        var info = new BufferCreateInfo { SType = StructureType.BufferCreateInfo, Size = bytes, Usage = usage, SharingMode = SharingMode.Exclusive };
        Buffer buffer;
        var created = vk.CreateBuffer(device, &info, null, &buffer);
        if (created != Result.Success)
            throw OutOfMemory(context, bytes, null, purpose, created);
        MemoryRequirements req;
        vk.GetBufferMemoryRequirements(device, buffer, &req);
        uint type = context.MemoryType(req.MemoryTypeBits, properties, out uint heap);
        if (req.Size > context.HeapSize(heap))
        {
            vk.DestroyBuffer(device, buffer, null);
            throw OutOfMemory(context, req.Size, heap, purpose, Result.ErrorOutOfDeviceMemory);
        }
        var alloc = new MemoryAllocateInfo { SType = StructureType.MemoryAllocateInfo, AllocationSize = req.Size, MemoryTypeIndex = type };
        DeviceMemory memory;
        var allocated = vk.AllocateMemory(device, &alloc, null, &memory);
        if (allocated != Result.Success)
        {
            vk.DestroyBuffer(device, buffer, null);
            throw OutOfMemory(context, req.Size, heap, purpose, allocated);
        }
        vk.BindBufferMemory(device, buffer, memory, 0).Check("vkBindBufferMemory");
        void* mapped = null;
        if (properties.HasFlag(MemoryPropertyFlags.HostVisibleBit))
            vk.MapMemory(device, memory, 0, Vk.WholeSize, 0, &mapped).Check("vkMapMemory");
        return new DeviceBuffer(context, buffer, memory, bytes, mapped);
    }

    private static Exception OutOfMemory(VulkanContext context, ulong bytes, uint? heap, string purpose, Result result)
    {
        string heapText = heap is { } h ? $"; memory heap {h} holds {FormatBytes(context.HeapSize(h))}" : "";
        string message = $"{context.Facts.Id} ({context.Facts.Name}) could not allocate {FormatBytes(bytes)} for {purpose}: {result}{heapText}";
        return result is Result.ErrorOutOfDeviceMemory or Result.ErrorOutOfHostMemory or Result.ErrorTooManyObjects
            ? new OutOfMemoryException(message)
            : new InvalidOperationException(message);
    }

    /// <summary>Bytes as "12.5 MiB".</summary>
    public static string FormatBytes(ulong bytes) =>
        bytes >= 1ul << 30 ? $"{bytes / (double)(1ul << 30):0.##} GiB"
        : bytes >= 1 << 20 ? $"{bytes / (double)(1 << 20):0.##} MiB"
        : bytes >= 1 << 10 ? $"{bytes / 1024.0:0.##} KiB" : $"{bytes} B";
}
