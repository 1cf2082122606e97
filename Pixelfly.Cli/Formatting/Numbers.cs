using System.Globalization;
using Pixelfly.Tensors;

namespace Pixelfly.Cli.Formatting;

/// <summary>How the CLI prints numbers: invariant culture, shortest round-trip form of the element type.</summary>
internal static class Numbers
{
    /// <summary>A value of the given dtype in its shortest exact form ("0.1" for f32 0.1f, not 0.10000000149).</summary>
    public static string Format(double value, DType dtype) => dtype switch
    {
        DType.F64 => value.ToString("R", CultureInfo.InvariantCulture),
        DType.I32 => ((long)value).ToString(CultureInfo.InvariantCulture),
        DType.F16 => ((Half)value).ToString(CultureInfo.InvariantCulture),
        _ => ((float)value).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A general number with up to 7 significant digits ("0.5", "0.3333333", "1.234568E+07").</summary>
    public static string Short(double value) => value.ToString("G7", CultureInfo.InvariantCulture);

    /// <summary>A byte count in binary units ("15.6 GiB"); "-" when unknown (≤ 0).</summary>
    public static string Bytes(long bytes)
    {
        if (bytes <= 0) return "-";
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.Length - 1) { v /= 1024; u++; }
        return u == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{v:0.0} {units[u]}");
    }

    /// <summary>Milliseconds with a sensible number of decimals.</summary>
    public static string Millis(double ms) => ms.ToString(ms < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";
}
