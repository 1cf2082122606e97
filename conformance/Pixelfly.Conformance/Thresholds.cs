namespace Pixelfly.Conformance;

/// <summary>Bounds one float output must meet: NMSE and max relative error against the reference.</summary>
/// <param name="Nmse">Largest allowed Σ(a−r)² / Σr².</param>
/// <param name="MaxRelError">Largest allowed max|a−r| / (max|r| + tiny).</param>
/// <param name="Reason">Where the numbers come from.</param>
public sealed record Thresholds(double Nmse, double MaxRelError, string Reason)
{
    /// <summary>Bit-exact: both bounds zero.</summary>
    public bool IsExact => Nmse == 0 && MaxRelError == 0;
}
