namespace Pixelfly.Conformance;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014, with Vigna's reference constants): the PRNG that defines conformance input
/// data. Its output sequence is fixed by this definition, so every runtime (C#, Python, a shader harness) can
/// reproduce the inputs of a case from the seed stored in it. See docs/conformance.md for the exact mapping.
/// </summary>
public struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>Advances the state by 0x9E3779B97F4A7C15 and returns the mixed 64-bit output.</summary>
    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A double in [0, 1): the top 53 bits of the next output times 2^-53.</summary>
    public double NextUnit() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>
    /// An integer in [0, n): the top 32 bits of the next output times n, shifted right by 32 (Lemire's
    /// multiply-shift; exact integer arithmetic, no floating point involved).
    /// </summary>
    public int NextBelow(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "the range of a random integer must be positive");
        return (int)(((Next() >> 32) * (ulong)n) >> 32);
    }
}
