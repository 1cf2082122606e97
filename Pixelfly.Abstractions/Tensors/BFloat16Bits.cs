namespace Pixelfly.Tensors;

/// <summary>bfloat16 as raw 16-bit patterns: the top half of an IEEE float32, rounded to nearest even.</summary>
public static class BFloat16Bits
{
    /// <summary>Rounds a float to bfloat16 (nearest even); NaN stays a quiet NaN.</summary>
    public static ushort FromFloat(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
            return (ushort)((bits >> 16) | 0x0040);
        uint roundingBias = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + roundingBias) >> 16);
    }

    /// <summary>Widens a bfloat16 pattern to float (exact).</summary>
    public static float ToFloat(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);
}
