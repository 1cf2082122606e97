using Pixelfly.Backends.Cpu.Kernels;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>The vectorised f16/bf16 conversions are bit-identical to the scalar definitions, tails included.</summary>
public sealed unsafe class HalfConversionTests
{
    // Random bit patterns plus the edges: ±0, ±Inf, NaNs with payloads, subnormals, exact ties, the largest finite values.
    private static float[] Floats()
    {
        var rng = new Random(5);
        var values = new List<float> { 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, 65504f, 65520f, 1e-8f, 6e-5f };
        uint[] patterns = [0x7FC00001, 0xFFC12345, 0x7F800001, 0x3F808000, 0x3F818000, 0x3F80_7FFF, 0x0000_8000, 0x7F7F_8000];
        values.AddRange(patterns.Select(BitConverter.UInt32BitsToSingle));
        for (int i = 0; i < 20000; i++) values.Add(BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0, 1L << 32)));
        values.Add(1.5f); // 20022 values: not a multiple of 16, so the scalar tails run too
        return values.ToArray();
    }

    private static void AssertSameBits(float expected, float actual, string what)
    {
        if (float.IsNaN(expected))
            Assert.That(actual, Is.NaN, what);
        else
            Assert.That(BitConverter.SingleToUInt32Bits(actual), Is.EqualTo(BitConverter.SingleToUInt32Bits(expected)), what);
    }

    [Test]
    public void BF16_to_single_widens_every_pattern_exactly()
    {
        var src = Enumerable.Range(0, 65536).Select(i => (ushort)i).Append((ushort)0x3F80).ToArray();
        var dst = new float[src.Length];

        fixed (ushort* s = src)
        fixed (float* d = dst)
            HalfConversions.BF16ToSingle(s, d, src.Length);

        for (int i = 0; i < src.Length; i++)
            Assert.That(BitConverter.SingleToUInt32Bits(dst[i]), Is.EqualTo(BitConverter.SingleToUInt32Bits(BFloat16Bits.ToFloat(src[i]))), $"pattern 0x{src[i]:X4}");
    }

    [Test]
    public void Single_to_BF16_and_rounding_in_place_match_the_scalar_rounding()
    {
        var values = Floats();
        var packed = new ushort[values.Length];
        var rounded = (float[])values.Clone();

        fixed (float* v = values, r = rounded)
        fixed (ushort* p = packed)
        {
            HalfConversions.SingleToBF16(v, p, values.Length);
            HalfConversions.RoundToBF16(r, values.Length);
        }

        for (int i = 0; i < values.Length; i++)
        {
            ushort expected = BFloat16Bits.FromFloat(values[i]);
            Assert.That(packed[i], Is.EqualTo(expected), $"0x{BitConverter.SingleToUInt32Bits(values[i]):X8} to bf16");
            Assert.That(BitConverter.SingleToUInt32Bits(rounded[i]), Is.EqualTo((uint)expected << 16), $"0x{BitConverter.SingleToUInt32Bits(values[i]):X8} rounded");
        }
    }

    [Test]
    public void Half_to_single_widens_every_pattern_exactly()
    {
        var src = Enumerable.Range(0, 65536).Select(i => BitConverter.UInt16BitsToHalf((ushort)i)).Append((Half)1).ToArray();
        var dst = new float[src.Length];

        fixed (Half* s = src)
        fixed (float* d = dst)
            HalfConversions.HalfToSingle(s, d, src.Length);

        for (int i = 0; i < src.Length; i++) AssertSameBits((float)src[i], dst[i], $"pattern 0x{BitConverter.HalfToUInt16Bits(src[i]):X4}");
    }

    [Test]
    public void Single_to_half_and_rounding_in_place_match_the_scalar_cast()
    {
        var values = Floats();
        var packed = new Half[values.Length];
        var rounded = (float[])values.Clone();

        fixed (float* v = values, r = rounded)
        fixed (Half* p = packed)
        {
            HalfConversions.SingleToHalf(v, p, values.Length);
            HalfConversions.RoundToHalf(r, values.Length);
        }

        for (int i = 0; i < values.Length; i++)
        {
            AssertSameBits((float)(Half)values[i], (float)packed[i], $"0x{BitConverter.SingleToUInt32Bits(values[i]):X8} to f16");
            AssertSameBits((float)(Half)values[i], rounded[i], $"0x{BitConverter.SingleToUInt32Bits(values[i]):X8} rounded");
        }
    }
}
