namespace Pixelfly.Conformance;

/// <summary>Error metrics of an output against the reference. Non-finite reference elements are left to the NaN/Inf parity check.</summary>
public static class Metrics
{
    /// <summary>
    /// Normalised mean squared error Σ(a−r)² / Σr² over the elements where both are finite. When Σr² = 0 it is 0 if
    /// every a equals r and +∞ otherwise (any error on an all-zero output is total).
    /// </summary>
    public static double Nmse(ReadOnlySpan<double> actual, ReadOnlySpan<double> reference)
    {
        CheckLengths(actual, reference);
        double err = 0, norm = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double a = actual[i], r = reference[i];
            if (!double.IsFinite(a) || !double.IsFinite(r)) continue;
            double d = a - r;
            err += d * d;
            norm += r * r;
        }
        if (norm > 0) return err / norm;
        return err == 0 ? 0 : double.PositiveInfinity;
    }

    /// <summary>
    /// Max relative error max|a−r| / (max|r| + <see cref="Tolerances.Tiny"/>) over the elements where both are finite,
    /// and the index of the element with the largest |a−r| (-1 when there is none).
    /// </summary>
    public static (double Value, int WorstIndex) MaxRelError(ReadOnlySpan<double> actual, ReadOnlySpan<double> reference)
    {
        CheckLengths(actual, reference);
        double maxErr = 0, maxRef = 0;
        int worst = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double a = actual[i], r = reference[i];
            if (!double.IsFinite(a) || !double.IsFinite(r)) continue;
            double d = Math.Abs(a - r);
            if (d > maxErr || worst < 0) { maxErr = d; worst = i; }
            maxRef = Math.Max(maxRef, Math.Abs(r));
        }
        return (maxErr / (maxRef + Tolerances.Tiny), worst);
    }

    /// <summary>
    /// The first element whose non-finite status differs: NaN where the reference is not (or the reverse), or an
    /// infinity of another sign. Returns -1 when the NaN/Inf pattern matches.
    /// </summary>
    public static int FirstNonFiniteMismatch(ReadOnlySpan<double> actual, ReadOnlySpan<double> reference)
    {
        CheckLengths(actual, reference);
        for (int i = 0; i < actual.Length; i++)
        {
            double a = actual[i], r = reference[i];
            if (double.IsNaN(a) != double.IsNaN(r)) return i;
            if (double.IsInfinity(r) || double.IsInfinity(a))
                if (a != r) return i;
        }
        return -1;
    }

    /// <summary>Elements that differ in value (+0 equals −0; NaN equals NaN) and the first of them (-1 when none).</summary>
    public static (int Count, int First) ExactMismatches(ReadOnlySpan<double> actual, ReadOnlySpan<double> reference)
    {
        CheckLengths(actual, reference);
        int count = 0, first = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double a = actual[i], r = reference[i];
            if (a == r || (double.IsNaN(a) && double.IsNaN(r))) continue;
            if (first < 0) first = i;
            count++;
        }
        return (count, first);
    }

    private static void CheckLengths(ReadOnlySpan<double> actual, ReadOnlySpan<double> reference)
    {
        if (actual.Length != reference.Length)
            throw new ArgumentException($"actual has {actual.Length} elements, the reference {reference.Length}");
    }
}
