namespace Pixelfly.Nn.Init;

/// <summary>
/// A small deterministic generator (SplitMix64) whose whole state is one 64-bit word, so a checkpoint can store
/// it and a resumed run draws the same numbers. The same seed gives the same sequence on every machine and .NET
/// version (System.Random does not promise that).
/// </summary>
public sealed class SeededRandom(ulong seed)
{
    private bool _hasSpare;
    private double _spare;

    /// <summary>The generator's state (restore it to continue the same sequence).</summary>
    public ulong State { get; set; } = seed;

    /// <summary>A generator seeded from a base seed and a name (FNV-1a of the name mixed into the seed), so each
    /// parameter gets its own stream and adding a parameter does not shift the others.</summary>
    public static SeededRandom For(ulong seed, string name)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in name)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        var r = new SeededRandom(seed ^ h);
        r.NextUInt64();
        return r;
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = State += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [low, high).</summary>
    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Standard normal (Box–Muller; the second value of each pair is kept for the next call).</summary>
    public double Normal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        _spare = radius * Math.Sin(2 * Math.PI * u2);
        _hasSpare = true;
        return radius * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>A uniformly random integer in [0, count).</summary>
    public int NextInt(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return (int)(NextUInt64() % (ulong)count);
    }
}
