using System.Buffers.Binary;

namespace Pixelfly.Backends.Vulkan.Lowering;

/// <summary>Builds a push-constant block: 32-bit fields in declaration order, as a std430 block of uint/int/float lays them out.</summary>
internal sealed class PushConstants
{
    /// <summary>The most bytes every Vulkan device accepts (maxPushConstantsSize is at least 128).</summary>
    public const int MaxBytes = 128;

    private readonly List<byte> _bytes = [];

    /// <summary>Appends an unsigned 32-bit field.</summary>
    public PushConstants U(long value)
    {
        if (value is < 0 or > uint.MaxValue) throw new NotSupportedException($"push constant {value} does not fit in 32 bits");
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    /// <summary>Appends a signed 32-bit field.</summary>
    public PushConstants I(int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    /// <summary>Appends a 32-bit float field.</summary>
    public PushConstants F(float value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    /// <summary>The block; throws when it exceeds <see cref="MaxBytes"/>.</summary>
    public byte[] ToArray()
    {
        if (_bytes.Count > MaxBytes) throw new InvalidOperationException($"push constants of {_bytes.Count} bytes exceed the portable {MaxBytes}");
        return _bytes.ToArray();
    }
}
