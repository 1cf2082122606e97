using Pixelfly.Devices;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Runtime;

/// <summary>
/// A tensor in device memory: [leading guard][the tensor's bytes][trailing guard], native storage (f16/bf16 as
/// 2-byte bit patterns, row-major). The leading guard is rounded up to 256 bytes so the data keeps the allocation's
/// 256-byte alignment (vector loads and cp.async need 16); the trailing guard starts at the tensor's last byte, so
/// any write past the end shows. Both guards hold <see cref="HostMemoryTensor.GuardByte"/>; new data is zero.
/// </summary>
public sealed class CudaTensor : IDeviceTensor
{
    private readonly CudaDevice _device;
    private readonly DeviceBlock _block;
    private readonly long _leadGuard;
    private readonly long _trailGuard;
    private bool _disposed;

    internal CudaTensor(CudaDevice device, TensorType type, int guardBytes)
    {
        _device = device;
        Type = type;
        _leadGuard = guardBytes == 0 ? 0 : (guardBytes + 255L) & ~255L;
        _trailGuard = guardBytes;
        _block = device.Allocator.Allocate(_leadGuard + type.ByteCount + _trailGuard, $"tensor {type}");
        try
        {
            var context = device.Context;
            lock (context.Gate)
            {
                context.Enter();
                var api = context.Api;
                if (_leadGuard > 0) api.Fill(_block.Pointer, HostMemoryTensor.GuardByte, _leadGuard, context.Stream);
                if (type.ByteCount > 0) api.Fill(DataPointer, 0, type.ByteCount, context.Stream);
                if (_trailGuard > 0) api.Fill(DataPointer + (ulong)type.ByteCount, HostMemoryTensor.GuardByte, _trailGuard, context.Stream);
                api.Synchronize(context.Stream);
            }
        }
        catch
        {
            device.Allocator.Free(_block);
            throw;
        }
    }

    /// <inheritdoc/>
    public TensorType Type { get; }

    /// <summary>The device that owns the tensor.</summary>
    public CudaDevice Device => _device;

    /// <summary>The device address of the tensor's first byte (256-byte aligned).</summary>
    public ulong DataPointer => _block.Pointer + (ulong)_leadGuard;

    /// <summary>True once the tensor or its device was disposed.</summary>
    internal bool IsDisposed => _disposed || _device.IsDisposed;

    /// <inheritdoc/>
    public unsafe void Upload(ReadOnlySpan<byte> data)
    {
        ThrowIfDisposed();
        if (data.Length != Type.ByteCount)
            throw new ArgumentException($"upload of {data.Length} bytes into tensor {Type} ({Type.ByteCount} bytes)");
        if (data.Length == 0) return;
        var context = _device.Context;
        lock (context.Gate)
        {
            context.Enter();
            fixed (byte* p = data)
            {
                context.Api.CopyHostToDevice(DataPointer, p, data.Length, context.Stream);
                context.Api.Synchronize(context.Stream);
            }
        }
    }

    /// <inheritdoc/>
    public unsafe void Download(Span<byte> destination)
    {
        ThrowIfDisposed();
        if (destination.Length != Type.ByteCount)
            throw new ArgumentException($"download of tensor {Type} ({Type.ByteCount} bytes) into {destination.Length} bytes");
        if (destination.Length == 0) return;
        var context = _device.Context;
        lock (context.Gate)
        {
            context.Enter();
            fixed (byte* p = destination)
            {
                context.Api.CopyDeviceToHost(p, DataPointer, destination.Length, context.Stream);
                context.Api.Synchronize(context.Stream);
            }
        }
    }

    /// <inheritdoc/>
    public unsafe bool GuardsIntact()
    {
        ThrowIfDisposed();
        if (_leadGuard == 0 && _trailGuard == 0) return true;
        var lead = new byte[_leadGuard];
        var trail = new byte[_trailGuard];
        var context = _device.Context;
        lock (context.Gate)
        {
            context.Enter();
            fixed (byte* l = lead)
            fixed (byte* t = trail)
            {
                if (lead.Length > 0) context.Api.CopyDeviceToHost(l, _block.Pointer, lead.Length, context.Stream);
                if (trail.Length > 0) context.Api.CopyDeviceToHost(t, DataPointer + (ulong)Type.ByteCount, trail.Length, context.Stream);
                context.Api.Synchronize(context.Stream);
            }
        }
        return !lead.AsSpan().ContainsAnyExcept(HostMemoryTensor.GuardByte) && !trail.AsSpan().ContainsAnyExcept(HostMemoryTensor.GuardByte);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _device.Release(this, _block);
    }

    private void ThrowIfDisposed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ObjectDisposedException.ThrowIf(_device.IsDisposed, _device);
    }
}
