namespace Pixelfly.Nn.Init;

/// <summary>
/// How a parameter's initial values are drawn: a named rule (for messages and checkpoints' config) that fills a
/// flat f32 buffer from a generator. The standard rules are the factory methods; layers with structured init (the
/// Pixelfly sparse part's per-block-row scaling, the SVD low-rank init) build their own.
/// </summary>
public sealed class Initializer(string description, Action<SeededRandom, float[]> fill)
{
    /// <summary>What the rule is, e.g. "uniform(±0.0361)".</summary>
    public string Description { get; } = description;

    /// <summary>Fills <paramref name="values"/>.</summary>
    public void Fill(SeededRandom random, float[] values) => fill(random, values);

    /// <summary>All zeros.</summary>
    public static Initializer Zeros { get; } = Constant(0);

    /// <summary>All ones.</summary>
    public static Initializer Ones { get; } = Constant(1);

    /// <summary>Every value equal to <paramref name="value"/>.</summary>
    public static Initializer Constant(double value) => new($"constant({value})", (_, v) => Array.Fill(v, (float)value));

    /// <summary>Uniform in [−bound, bound).</summary>
    public static Initializer Uniform(double bound) => new($"uniform(±{bound:G4})", (r, v) =>
    {
        for (int i = 0; i < v.Length; i++) v[i] = (float)r.Uniform(-bound, bound);
    });

    /// <summary>PyTorch's default for linear weights, kaiming_uniform(a = √5): uniform(±1/√fan_in).</summary>
    public static Initializer KaimingUniform(int fanIn) => Uniform(1 / Math.Sqrt(Math.Max(1, fanIn)));

    /// <summary>Xavier (Glorot) uniform: uniform(±√(6 / (fan_in + fan_out))).</summary>
    public static Initializer XavierUniform(int fanIn, int fanOut) => Uniform(Math.Sqrt(6.0 / Math.Max(1, fanIn + fanOut)));

    /// <summary>Normal(0, std²).</summary>
    public static Initializer Normal(double std) => new($"normal(0, {std:G4})", (r, v) =>
    {
        for (int i = 0; i < v.Length; i++) v[i] = (float)(std * r.Normal());
    });

    /// <summary>Normal(0, std²) redrawn outside ±2·std (timm's trunc_normal_ with its default cut at ±2).</summary>
    public static Initializer TruncatedNormal(double std) => new($"trunc_normal(0, {std:G4}, ±2σ)", (r, v) =>
    {
        for (int i = 0; i < v.Length; i++)
        {
            double z;
            do z = r.Normal(); while (Math.Abs(z) > 2);
            v[i] = (float)(std * z);
        }
    });
}
