using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Bulk conversions between f32 cells and the 16-bit float dtypes, bit-identical to the scalar definitions
/// (<see cref="BFloat16Bits"/>, the <see cref="Half"/> casts): bf16 with Vector256 integer arithmetic (round to nearest
/// even, NaN kept quiet), f16 through <see cref="TensorPrimitives"/> (which uses the hardware conversions the runtime
/// enables).
/// </summary>
internal static unsafe class HalfConversions
{
    private const int F16Chunk = 1024;

    /// <summary>dst[i] = bf16 src[i] widened (exact).</summary>
    public static void BF16ToSingle(ushort* src, float* dst, long count)
    {
        long i = 0;
        for (; i + 16 <= count; i += 16)
        {
            var (lo, hi) = Vector256.Widen(Vector256.Load(src + i));
            Vector256.ShiftLeft(lo, 16).AsSingle().Store(dst + i);
            Vector256.ShiftLeft(hi, 16).AsSingle().Store(dst + i + 8);
        }
        for (; i < count; i++) dst[i] = BFloat16Bits.ToFloat(src[i]);
    }

    /// <summary>dst[i] = src[i] rounded to bf16.</summary>
    public static void SingleToBF16(float* src, ushort* dst, long count)
    {
        long i = 0;
        for (; i + 16 <= count; i += 16)
        {
            var lo = RoundedTopHalves(Vector256.Load(src + i));
            var hi = RoundedTopHalves(Vector256.Load(src + i + 8));
            Vector256.Narrow(lo, hi).Store(dst + i);
        }
        for (; i < count; i++) dst[i] = BFloat16Bits.FromFloat(src[i]);
    }

    /// <summary>x[i] = x[i] rounded to bf16, kept as f32.</summary>
    public static void RoundToBF16(float* x, long count)
    {
        long i = 0;
        for (; i + 8 <= count; i += 8)
            Vector256.ShiftLeft(RoundedTopHalves(Vector256.Load(x + i)), 16).AsSingle().Store(x + i);
        for (; i < count; i++) x[i] = BFloat16Bits.ToFloat(BFloat16Bits.FromFloat(x[i]));
    }

    /// <summary>dst[i] = f16 src[i] widened (exact).</summary>
    public static void HalfToSingle(Half* src, float* dst, long count)
    {
        for (long i = 0; i < count; i += F16Chunk)
        {
            int n = (int)Math.Min(F16Chunk, count - i);
            TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(src + i, n), new Span<float>(dst + i, n));
        }
    }

    /// <summary>dst[i] = src[i] rounded to f16.</summary>
    public static void SingleToHalf(float* src, Half* dst, long count)
    {
        for (long i = 0; i < count; i += F16Chunk)
        {
            int n = (int)Math.Min(F16Chunk, count - i);
            TensorPrimitives.ConvertToHalf(new ReadOnlySpan<float>(src + i, n), new Span<Half>(dst + i, n));
        }
    }

    /// <summary>x[i] = x[i] rounded to f16, kept as f32.</summary>
    public static void RoundToHalf(float* x, long count)
    {
        Half* tmp = stackalloc Half[F16Chunk];
        for (long i = 0; i < count; i += F16Chunk)
        {
            int n = (int)Math.Min(F16Chunk, count - i);
            var cells = new Span<float>(x + i, n);
            TensorPrimitives.ConvertToHalf(cells, new Span<Half>(tmp, n));
            TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(tmp, n), cells);
        }
    }

    // The bf16 pattern of each float in the low 16 bits: (bits + 0x7FFF + lsb) >> 16, or (bits >> 16) | 0x40 for NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RoundedTopHalves(Vector256<float> v)
    {
        var bits = v.AsUInt32();
        var top = Vector256.ShiftRightLogical(bits, 16);
        var rounded = Vector256.ShiftRightLogical(bits + Vector256.Create(0x7FFFu) + (top & Vector256<uint>.One), 16);
        var quietNaN = top | Vector256.Create(0x40u);
        return Vector256.ConditionalSelect(Vector256.Equals(v, v).AsUInt32(), rounded, quietNaN);
    }
}
