namespace Pixelfly.Tensors;

/// <summary>Element types of the IR. F64 exists for the reference oracle only.</summary>
public enum DType
{
    /// <summary>IEEE 754 binary32.</summary>
    F32,
    /// <summary>IEEE 754 binary16.</summary>
    F16,
    /// <summary>bfloat16: the top 16 bits of a binary32.</summary>
    BF16,
    /// <summary>32-bit signed integer (indices, labels).</summary>
    I32,
    /// <summary>IEEE 754 binary64 (the reference backend only).</summary>
    F64,
}

/// <summary>Facts about <see cref="DType"/> values: size, names, rounding.</summary>
public static class DTypes
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(this DType type) => type switch
    {
        DType.F32 or DType.I32 => 4,
        DType.F16 or DType.BF16 => 2,
        DType.F64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown dtype"),
    };

    /// <summary>True for floating-point element types.</summary>
    public static bool IsFloat(this DType type) => type != DType.I32;

    /// <summary>The lower-case name used in JSON and on the command line ("f32", "bf16").</summary>
    public static string Name(this DType type) => type switch
    {
        DType.F32 => "f32",
        DType.F16 => "f16",
        DType.BF16 => "bf16",
        DType.I32 => "i32",
        DType.F64 => "f64",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown dtype"),
    };

    /// <summary>Parses a dtype name; throws <see cref="FormatException"/> naming the accepted names.</summary>
    public static DType Parse(string name) => TryParse(name, out var type)
        ? type
        : throw new FormatException($"unknown dtype '{name}'; expected one of f32, f16, bf16, i32, f64");

    /// <summary>Parses a dtype name (case-insensitive).</summary>
    public static bool TryParse(string? name, out DType type)
    {
        switch (name?.ToLowerInvariant())
        {
            case "f32": type = DType.F32; return true;
            case "f16": type = DType.F16; return true;
            case "bf16": type = DType.BF16; return true;
            case "i32": type = DType.I32; return true;
            case "f64": type = DType.F64; return true;
            default: type = default; return false;
        }
    }

    /// <summary>Rounds a value to what the dtype can represent (round-to-nearest-even).</summary>
    public static double Round(this DType type, double value) => type switch
    {
        DType.F64 => value,
        DType.F32 => (float)value,
        DType.F16 => (double)(Half)(float)value,
        DType.BF16 => BFloat16Bits.ToFloat(BFloat16Bits.FromFloat((float)value)),
        DType.I32 => double.IsNaN(value) ? 0 : Math.Clamp(Math.Truncate(value), int.MinValue, int.MaxValue),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown dtype"),
    };
}
