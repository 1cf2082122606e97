namespace Pixelfly.Perf.Protocol;

/// <summary>What the timer measured for one work.</summary>
/// <param name="Name">The work's name.</param>
/// <param name="RunsPerTrial">Repetitions in each timed trial.</param>
/// <param name="WarmupRuns">Untimed runs before the trials.</param>
/// <param name="Time">Per-run time over the trials.</param>
public sealed record Measurement(string Name, int RunsPerTrial, int WarmupRuns, TimeStats Time)
{
    /// <summary>
    /// This measurement's time divided by <paramref name="baseline"/>'s, trial by trial (the works were interleaved, so
    /// trial t of both ran under the same conditions): the median, min and max of those paired ratios.
    /// </summary>
    public RatioStats RatioTo(Measurement baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        var a = Time.SamplesMs;
        var b = baseline.Time.SamplesMs;
        if (a.Count != b.Count)
            throw new ArgumentException($"'{Name}' has {a.Count} trials but '{baseline.Name}' has {b.Count}: ratios pair trials");
        var ratios = a.Zip(b, (x, y) => y > 0 ? x / y : double.PositiveInfinity).ToArray();
        if (ratios.Any(r => !double.IsFinite(r)))
            throw new ArgumentException($"'{baseline.Name}' has a zero-length trial; no ratio");
        var sorted = ratios.Order().ToArray();
        return new RatioStats(TimeStats.Percentile(sorted, 0.5), sorted[0], sorted[^1]);
    }
}

/// <summary>A time ratio (candidate / baseline; below 1 means the candidate is faster) over paired trials.</summary>
/// <param name="Median">Median of the per-trial ratios.</param>
/// <param name="Min">Smallest per-trial ratio.</param>
/// <param name="Max">Largest per-trial ratio.</param>
public sealed record RatioStats(double Median, double Min, double Max);
