using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>
/// A tensor in device-local memory: [leading guard][data, rounded up to whole 32-bit words][trailing guard]. The
/// leading guard is rounded up to 256 bytes so the data starts at an offset every device accepts for a storage
/// descriptor; both guards hold <see cref="Pixelfly.Devices.HostMemoryTensor.GuardByte"/>.
/// </summary>
public sealed class VulkanTensor : Pixelfly.Devices.IDeviceTensor
{
    private const uint GuardWord = 0xA5A5A5A5;
    private readonly VulkanDevice _device;
    private readonly DeviceBuffer _buffer;
    private readonly ulong _leadGuard;
    private readonly ulong _trailGuard;
    private bool _disposed;

    internal VulkanTensor(VulkanDevice device, TensorType type, int guardBytes)
    {
        _device = device;
        Type = type;
        DataBytes = Math.Max(4, ((ulong)type.ByteCount + 3) & ~3ul);
        _leadGuard = guardBytes == 0 ? 0 : ((ulong)guardBytes + 255) & ~255ul;
        _trailGuard = ((ulong)guardBytes + 3) & ~3ul;
        _buffer = DeviceBuffer.DeviceLocal(device.Context, _leadGuard + DataBytes + _trailGuard, $"tensor {type}");
        try
        {
            device.Transfers.Fill(_buffer, (0, _leadGuard, GuardWord), (_leadGuard, DataBytes, 0), (_leadGuard + DataBytes, _trailGuard, GuardWord));
        }
        catch
        {
            _buffer.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public TensorType Type { get; }

    /// <summary>The device that owns the tensor.</summary>
    public VulkanDevice Device => _device;

    /// <summary>True once the tensor or its device was disposed.</summary>
    internal bool IsDisposed => _disposed || _device.IsDisposed;

    internal DeviceBuffer Buffer
    {
        get
        {
            ThrowIfDisposed();
            return _buffer;
        }
    }

    /// <summary>Byte offset of the data in <see cref="Buffer"/>.</summary>
    internal ulong DataOffset => _leadGuard;

    /// <summary>Bytes of the data region (the tensor's bytes rounded up to whole words, at least one word).</summary>
    internal ulong DataBytes { get; }

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<byte> data)
    {
        ThrowIfDisposed();
        if (data.Length != Type.ByteCount)
            throw new ArgumentException($"upload of {data.Length} bytes into tensor {Type} ({Type.ByteCount} bytes)");
        _device.Transfers.Upload(data, _buffer, _leadGuard);
    }

    /// <inheritdoc/>
    public void Download(Span<byte> destination)
    {
        ThrowIfDisposed();
        if (destination.Length != Type.ByteCount)
            throw new ArgumentException($"download of tensor {Type} ({Type.ByteCount} bytes) into {destination.Length} bytes");
        _device.Transfers.Download(_buffer, _leadGuard, destination);
    }

    /// <inheritdoc/>
    public bool GuardsIntact()
    {
        ThrowIfDisposed();
        return Intact(0, _leadGuard) && Intact(_leadGuard + DataBytes, _trailGuard);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _device.Release(this, _buffer);
    }

    /// <summary>Frees the memory when the device closes before the tensor was disposed.</summary>
    internal void ReleaseForDevice() => _buffer.Dispose();

    // A tensor outlives nothing: its memory goes with the device that allocated it.
    private void ThrowIfDisposed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ObjectDisposedException.ThrowIf(_device.IsDisposed, _device);
    }

    private bool Intact(ulong offset, ulong bytes)
    {
        if (bytes == 0) return true;
        var copy = new byte[bytes];
        _device.Transfers.Download(_buffer, offset, copy);
        return !copy.AsSpan().ContainsAnyExcept(Pixelfly.Devices.HostMemoryTensor.GuardByte);
    }
}
