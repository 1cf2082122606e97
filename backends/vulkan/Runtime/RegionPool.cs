namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>A byte range of a device buffer, bindable as one storage descriptor.</summary>
internal readonly record struct BufferRegion(DeviceBuffer Buffer, ulong Offset, ulong Bytes);

/// <summary>
/// Packs many small regions into few device-local buffers (offsets aligned to 256 bytes, which satisfies every
/// device's minStorageBufferOffsetAlignment); a region larger than a chunk gets a buffer of its own.
/// </summary>
internal sealed class RegionPool(string purpose) : IDisposable
{
    private const ulong Alignment = 256;
    private const ulong ChunkBytes = 64ul << 20;
    private readonly List<(int Chunk, ulong Offset, ulong Bytes)> _requests = [];
    private readonly List<ulong> _chunkSizes = [];
    private readonly List<DeviceBuffer> _buffers = [];
    private BufferRegion[] _regions = [];

    /// <summary>Reserves a region of at least <paramref name="bytes"/> bytes (16 at least) and returns its index.</summary>
    public int Add(ulong bytes)
    {
        bytes = Math.Max(16, (bytes + 15) & ~15ul);
        int chunk = _chunkSizes.Count - 1;
        ulong offset = chunk < 0 ? 0 : (_chunkSizes[chunk] + Alignment - 1) & ~(Alignment - 1);
        if (chunk < 0 || bytes > ChunkBytes || offset + bytes > ChunkBytes || _chunkSizes[chunk] > ChunkBytes)
        {
            _chunkSizes.Add(0);
            chunk++;
            offset = 0;
        }
        _chunkSizes[chunk] = offset + bytes;
        _requests.Add((chunk, offset, bytes));
        return _requests.Count - 1;
    }

    /// <summary>Total bytes reserved.</summary>
    public ulong TotalBytes => _chunkSizes.Aggregate(0ul, (a, b) => a + b);

    /// <summary>How many device buffers back the regions.</summary>
    public int BufferCount => _chunkSizes.Count;

    /// <summary>Creates the device buffers.</summary>
    public void Allocate(VulkanContext context)
    {
        foreach (ulong size in _chunkSizes) _buffers.Add(DeviceBuffer.DeviceLocal(context, size, purpose));
        _regions = _requests.Select(r => new BufferRegion(_buffers[r.Chunk], r.Offset, r.Bytes)).ToArray();
    }

    /// <summary>Region <paramref name="index"/> (after <see cref="Allocate"/>).</summary>
    public BufferRegion this[int index] => _regions[index];

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var b in _buffers) b.Dispose();
        _buffers.Clear();
    }
}
