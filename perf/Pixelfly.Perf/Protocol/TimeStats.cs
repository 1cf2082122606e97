namespace Pixelfly.Perf.Protocol;

/// <summary>
/// Summary of per-run times, one sample per trial (each trial's time divided by its repetitions): median, extremes and
/// the 10th/90th percentiles (linear interpolation between order statistics).
/// </summary>
/// <param name="MedianMs">Median over the trials.</param>
/// <param name="MinMs">Fastest trial.</param>
/// <param name="MaxMs">Slowest trial.</param>
/// <param name="P10Ms">10th percentile.</param>
/// <param name="P90Ms">90th percentile.</param>
/// <param name="SamplesMs">Every trial's per-run time, in trial order.</param>
public sealed record TimeStats(double MedianMs, double MinMs, double MaxMs, double P10Ms, double P90Ms, IReadOnlyList<double> SamplesMs)
{
    /// <summary>Statistics of the samples (at least one, all finite and non-negative).</summary>
    public static TimeStats From(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
            throw new ArgumentException("no samples");
        if (samples.Any(s => !double.IsFinite(s) || s < 0))
            throw new ArgumentException("samples must be finite and non-negative");
        var sorted = samples.Order().ToArray();
        return new(Percentile(sorted, 0.5), sorted[0], sorted[^1], Percentile(sorted, 0.1), Percentile(sorted, 0.9), samples.ToArray());
    }

    /// <summary>The p-quantile of sorted values, interpolating linearly between neighbours (p = 0.5: the median).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0) throw new ArgumentException("no values");
        double at = p * (sorted.Count - 1);
        int lo = (int)Math.Floor(at), hi = (int)Math.Ceiling(at);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
    }

    /// <summary>(max − min) / median: how noisy the trials were.</summary>
    public double RelativeSpread => MedianMs > 0 ? (MaxMs - MinMs) / MedianMs : 0;
}
