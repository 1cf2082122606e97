using System.Runtime.InteropServices;
using Pixelfly.Tensors;

namespace Pixelfly.Devices;

/// <summary>
/// A device tensor that lives in host memory (the CPU and reference devices), optionally between guard bands
/// filled with <see cref="GuardByte"/>.
/// </summary>
public sealed class HostMemoryTensor : IDeviceTensor
{
    /// <summary>The pattern guard bands hold.</summary>
    public const byte GuardByte = 0xA5;

    private readonly byte[] _storage;
    private readonly int _guard;
    private bool _disposed;

    /// <summary>Allocates a zeroed tensor with guardBytes of guard band on each side.</summary>
    public HostMemoryTensor(TensorType type, int guardBytes = 0)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentOutOfRangeException.ThrowIfNegative(guardBytes);
        if (type.ByteCount + 2L * guardBytes > Array.MaxLength)
            throw new OutOfMemoryException($"tensor {type} ({type.ByteCount} bytes) exceeds the largest host allocation");
        Type = type;
        _guard = guardBytes;
        _storage = GC.AllocateUninitializedArray<byte>((int)(type.ByteCount + 2L * guardBytes));
        _storage.AsSpan(0, guardBytes).Fill(GuardByte);
        _storage.AsSpan(guardBytes, (int)type.ByteCount).Clear();
        _storage.AsSpan(guardBytes + (int)type.ByteCount).Fill(GuardByte);
    }

    /// <inheritdoc/>
    public TensorType Type { get; }

    /// <summary>The tensor's bytes (without the guards).</summary>
    public Span<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _storage.AsSpan(_guard, (int)Type.ByteCount);
        }
    }

    /// <summary>The bytes as elements of T.</summary>
    public Span<T> As<T>() where T : unmanaged => MemoryMarshal.Cast<byte, T>(Bytes);

    /// <summary>The whole backing array and the tensor's offset in it (for kernels that take arrays).</summary>
    public (byte[] Array, int Offset) Storage => (_storage, _guard);

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<byte> data)
    {
        if (data.Length != Type.ByteCount)
            throw new ArgumentException($"upload of {data.Length} bytes into tensor {Type} ({Type.ByteCount} bytes)");
        data.CopyTo(Bytes);
    }

    /// <inheritdoc/>
    public void Download(Span<byte> destination)
    {
        if (destination.Length != Type.ByteCount)
            throw new ArgumentException($"download of tensor {Type} ({Type.ByteCount} bytes) into {destination.Length} bytes");
        Bytes.CopyTo(destination);
    }

    /// <inheritdoc/>
    public bool GuardsIntact() =>
        !_storage.AsSpan(0, _guard).ContainsAnyExcept(GuardByte)
        && !_storage.AsSpan(_guard + (int)Type.ByteCount).ContainsAnyExcept(GuardByte);

    /// <inheritdoc/>
    public void Dispose() => _disposed = true;
}
