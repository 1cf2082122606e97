using Silk.NET.Vulkan;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>Host to device-local copies and back through one reusable host-visible staging buffer, in chunks.</summary>
internal sealed unsafe class Transfers(VulkanContext context) : IDisposable
{
    private const ulong ChunkBytes = 32ul << 20;
    private DeviceBuffer? _staging;

    /// <summary>Copies <paramref name="data"/> into <paramref name="target"/> at <paramref name="offset"/>.</summary>
    public void Upload(ReadOnlySpan<byte> data, DeviceBuffer target, ulong offset)
    {
        lock (context.Gate)
        {
            for (int done = 0; done < data.Length;)
            {
                int n = (int)Math.Min((ulong)(data.Length - done), ChunkBytes);
                var staging = Staging((ulong)n);
                data.Slice(done, n).CopyTo(new Span<byte>(staging.Mapped, n));
                ulong at = offset + (ulong)done;
                context.SubmitAndWait(cb =>
                {
                    var region = new BufferCopy(0, at, (ulong)n);
                    context.Vk.CmdCopyBuffer(cb, staging.Handle, target.Handle, 1, &region);
                });
                done += n;
            }
        }
    }

    /// <summary>Copies bytes of <paramref name="source"/> from <paramref name="offset"/> into <paramref name="destination"/>.</summary>
    public void Download(DeviceBuffer source, ulong offset, Span<byte> destination)
    {
        lock (context.Gate)
        {
            for (int done = 0; done < destination.Length;)
            {
                int n = (int)Math.Min((ulong)(destination.Length - done), ChunkBytes);
                var staging = Staging((ulong)n);
                ulong at = offset + (ulong)done;
                context.SubmitAndWait(cb =>
                {
                    var region = new BufferCopy(at, 0, (ulong)n);
                    context.Vk.CmdCopyBuffer(cb, source.Handle, staging.Handle, 1, &region);
                });
                new ReadOnlySpan<byte>(staging.Mapped, n).CopyTo(destination.Slice(done, n));
                done += n;
            }
        }
    }

    /// <summary>Fills 4-byte-aligned ranges of a buffer with a repeated 32-bit word, in one submission.</summary>
    public void Fill(DeviceBuffer target, params (ulong Offset, ulong Bytes, uint Word)[] ranges)
    {
        lock (context.Gate)
            context.SubmitAndWait(cb =>
            {
                foreach (var (offset, bytes, word) in ranges)
                    if (bytes > 0) context.Vk.CmdFillBuffer(cb, target.Handle, offset, bytes, word);
            });
    }

    /// <inheritdoc/>
    public void Dispose() => _staging?.Dispose();

    private DeviceBuffer Staging(ulong bytes)
    {
        if (_staging is null || _staging.Bytes < bytes)
        {
            _staging?.Dispose();
            _staging = DeviceBuffer.HostVisible(context, Math.Max(bytes, 1ul << 20), "the staging buffer");
        }
        return _staging;
    }
}
