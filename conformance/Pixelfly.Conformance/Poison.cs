using System.Buffers.Binary;
using Pixelfly.Tensors;

namespace Pixelfly.Conformance;

/// <summary>
/// The recognisable bit patterns output tensors are filled with before a run: quiet NaNs with a "DEAD" payload for
/// floats (so a poisoned element also fails NaN parity) and 0xDEADBEEF for i32. An element still holding its
/// pattern after the run was never written.
/// </summary>
public static class Poison
{
    /// <summary>f32 poison: quiet NaN 0x7FC0DEAD.</summary>
    public const uint F32 = 0x7FC0DEAD;

    /// <summary>f16 poison: quiet NaN 0x7EAD.</summary>
    public const ushort F16 = 0x7EAD;

    /// <summary>bf16 poison: quiet NaN 0x7FED.</summary>
    public const ushort BF16 = 0x7FED;

    /// <summary>f64 poison: quiet NaN 0x7FF8DEADDEADDEAD.</summary>
    public const ulong F64 = 0x7FF8DEADDEADDEADUL;

    /// <summary>i32 poison: 0xDEADBEEF (−559038737).</summary>
    public const uint I32 = 0xDEADBEEF;

    /// <summary>A tensor's bytes filled with its dtype's poison.</summary>
    public static byte[] Fill(TensorType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var bytes = new byte[type.ByteCount];
        int size = type.DType.SizeOf();
        Span<byte> pattern = stackalloc byte[8];
        Write(type.DType, pattern);
        for (int i = 0; i < bytes.Length; i += size)
            pattern[..size].CopyTo(bytes.AsSpan(i));
        return bytes;
    }

    /// <summary>The first element still holding the poison pattern, or -1 when every element was written.</summary>
    public static int FirstPoisoned(DType dtype, ReadOnlySpan<byte> data)
    {
        int size = dtype.SizeOf();
        Span<byte> pattern = stackalloc byte[8];
        Write(dtype, pattern);
        for (int i = 0, e = 0; i + size <= data.Length; i += size, e++)
            if (data.Slice(i, size).SequenceEqual(pattern[..size]))
                return e;
        return -1;
    }

    private static void Write(DType dtype, Span<byte> into)
    {
        switch (dtype)
        {
            case DType.F32: BinaryPrimitives.WriteUInt32LittleEndian(into, F32); break;
            case DType.I32: BinaryPrimitives.WriteUInt32LittleEndian(into, I32); break;
            case DType.F16: BinaryPrimitives.WriteUInt16LittleEndian(into, F16); break;
            case DType.BF16: BinaryPrimitives.WriteUInt16LittleEndian(into, BF16); break;
            case DType.F64: BinaryPrimitives.WriteUInt64LittleEndian(into, F64); break;
            default: throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "no poison pattern for this dtype");
        }
    }
}
