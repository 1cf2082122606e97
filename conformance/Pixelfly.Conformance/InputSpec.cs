using Pixelfly.Tensors;

namespace Pixelfly.Conformance;

/// <summary>
/// How to produce one input of a case: the data is never stored, it is generated from this spec with
/// <see cref="SplitMix64"/> (row-major, one draw per element) and rounded to the input's dtype, so every runtime
/// reproduces it. Build specs with the factory methods; <see cref="Validate"/> checks one against its input type.
/// </summary>
/// <param name="Name">The graph input or parameter it binds.</param>
/// <param name="Kind">The generator.</param>
/// <param name="Lo">Lower bound (uniform: inclusive; small-int: inclusive).</param>
/// <param name="Hi">Upper bound (uniform: exclusive; small-int: inclusive).</param>
/// <param name="Range">Labels: the number of classes; indices: the number of rows.</param>
/// <param name="Value">Constant: the value; step: the value at step 0.</param>
/// <param name="Seed">The SplitMix64 seed of random kinds, in [0, 2^53) so it survives any JSON reader.</param>
public sealed record InputSpec(string Name, InputKind Kind, double Lo = 0, double Hi = 0, int Range = 0, double Value = 0, long Seed = 0)
{
    /// <summary>Largest seed: integers above 2^53 do not survive JSON readers that use doubles.</summary>
    public const long MaxSeed = (1L << 53) - 1;

    /// <summary>Small-int bounds must stay within ±2^24 so every value is exact in f32.</summary>
    public const int MaxSmallInt = 1 << 24;

    /// <summary>Uniform floats in [lo, hi).</summary>
    public static InputSpec Uniform(string name, double lo, double hi, long seed) => new(name, InputKind.Uniform, Lo: lo, Hi: hi, Seed: seed);

    /// <summary>Integers in [lo, hi] stored as floats.</summary>
    public static InputSpec SmallInt(string name, int lo, int hi, long seed) => new(name, InputKind.SmallInt, Lo: lo, Hi: hi, Seed: seed);

    /// <summary>i32 labels in [0, classes).</summary>
    public static InputSpec Labels(string name, int classes, long seed) => new(name, InputKind.Labels, Range: classes, Seed: seed);

    /// <summary>i32 row indices in [0, rows).</summary>
    public static InputSpec Indices(string name, int rows, long seed) => new(name, InputKind.Indices, Range: rows, Seed: seed);

    /// <summary>Every element equal to value.</summary>
    public static InputSpec Constant(string name, double value) => new(name, InputKind.Constant, Value: value);

    /// <summary>All zeros.</summary>
    public static InputSpec Zeros(string name) => new(name, InputKind.Zeros);

    /// <summary>start + step index (1, 2, 3, … for an AdamW step counter with start 1).</summary>
    public static InputSpec Step(string name, double start) => new(name, InputKind.Step, Value: start);

    /// <summary>True for kinds whose data depends on the step index.</summary>
    public bool VariesPerStep => Kind == InputKind.Step;

    /// <summary>Throws <see cref="ArgumentException"/> when this spec cannot produce data of <paramref name="type"/>.</summary>
    public void Validate(TensorType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        string Where() => $"input '{Name}' ({KindName(Kind)}, {type})";
        switch (Kind)
        {
            case InputKind.Uniform:
                RequireFloat(type, Where);
                if (!double.IsFinite(Lo) || !double.IsFinite(Hi) || !(Lo < Hi))
                    throw new ArgumentException($"{Where()}: needs finite bounds lo < hi, got lo={Lo} hi={Hi}");
                RequireSeed(Where);
                break;
            case InputKind.SmallInt:
                RequireFloat(type, Where);
                if (Lo != Math.Floor(Lo) || Hi != Math.Floor(Hi) || Lo > Hi || Math.Abs(Lo) > MaxSmallInt || Math.Abs(Hi) > MaxSmallInt)
                    throw new ArgumentException($"{Where()}: needs integer bounds lo <= hi within ±2^24, got lo={Lo} hi={Hi}");
                RequireSeed(Where);
                break;
            case InputKind.Labels:
            case InputKind.Indices:
                if (type.DType != DType.I32)
                    throw new ArgumentException($"{Where()}: {KindName(Kind)} are i32, but the input is {type.DType.Name()}");
                if (Range <= 0)
                    throw new ArgumentException($"{Where()}: needs a positive {(Kind == InputKind.Labels ? "class" : "row")} count, got {Range}");
                RequireSeed(Where);
                break;
            case InputKind.Constant:
            case InputKind.Step:
                if (!double.IsFinite(Value))
                    throw new ArgumentException($"{Where()}: the value must be finite, got {Value}");
                break;
            case InputKind.Zeros:
                break;
            default:
                throw new ArgumentException($"{Where()}: unknown input kind {Kind}");
        }
    }

    /// <summary>
    /// The data for <paramref name="type"/> at the given step (0-based; only <see cref="InputKind.Step"/> depends on
    /// it). Values are computed in double, then rounded to the dtype as <see cref="HostTensor.FromDoubles"/> does.
    /// </summary>
    public HostTensor Generate(TensorType type, int step = 0)
    {
        Validate(type);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var values = new double[type.Shape.ElementCount];
        var rng = new SplitMix64((ulong)Seed);
        switch (Kind)
        {
            case InputKind.Uniform:
                for (int i = 0; i < values.Length; i++) values[i] = Lo + (Hi - Lo) * rng.NextUnit();
                break;
            case InputKind.SmallInt:
                int count = checked((int)(Hi - Lo) + 1);
                for (int i = 0; i < values.Length; i++) values[i] = Lo + rng.NextBelow(count);
                break;
            case InputKind.Labels:
            case InputKind.Indices:
                for (int i = 0; i < values.Length; i++) values[i] = rng.NextBelow(Range);
                break;
            case InputKind.Constant:
                Array.Fill(values, Value);
                break;
            case InputKind.Step:
                Array.Fill(values, Value + step);
                break;
            case InputKind.Zeros:
                break;
        }
        return HostTensor.FromDoubles(type, values);
    }

    /// <summary>The kind's name in the JSON form ("small_int").</summary>
    public static string KindName(InputKind kind) => kind switch
    {
        InputKind.Uniform => "uniform",
        InputKind.SmallInt => "small_int",
        InputKind.Labels => "labels",
        InputKind.Indices => "indices",
        InputKind.Constant => "constant",
        InputKind.Zeros => "zeros",
        InputKind.Step => "step",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown input kind"),
    };

    /// <summary>Parses a kind name; null when unknown.</summary>
    public static InputKind? ParseKind(string? name) =>
        Enum.GetValues<InputKind>().Cast<InputKind?>().FirstOrDefault(k => KindName(k!.Value) == name);

    private static void RequireFloat(TensorType type, Func<string> where)
    {
        if (!type.DType.IsFloat())
            throw new ArgumentException($"{where()}: this kind produces floats, but the input is {type.DType.Name()}");
    }

    private void RequireSeed(Func<string> where)
    {
        if (Seed < 0 || Seed > MaxSeed)
            throw new ArgumentException($"{where()}: seed {Seed} is outside [0, 2^53)");
    }
}
