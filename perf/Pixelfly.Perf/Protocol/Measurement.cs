namespace Pixelfly.Perf.Protocol;

/// <summary>What the timer measured for one work.</summary>
/// <param name="Name">The work's name.</param>
/// <param name="RunsPerTrial">Repetitions in each timed trial.</param>
/// <param name="WarmupRuns">Untimed runs before the trials.</param>
/// <param name="HostTime">Per-run time over the trials on the host's wall clock (around the runs, synchronisation included).</param>
/// <param name="DeviceTime">Per-run time on the device's own clock (sum of the trial's device times / runs), when every run
/// of every trial reported one; else null.</param>
public sealed record Measurement(string Name, int RunsPerTrial, int WarmupRuns, TimeStats HostTime, TimeStats? DeviceTime = null)
{
    /// <summary>Name of the host wall clock in reports.</summary>
    public const string HostClock = "host";

    /// <summary>Name of the device's own clock in reports.</summary>
    public const string DeviceClock = "device";

    /// <summary>The time reported: the device clock when there is one, else the host clock.</summary>
    public TimeStats Time => DeviceTime ?? HostTime;

    /// <summary>The clock <see cref="Time"/> comes from: <see cref="DeviceClock"/> or <see cref="HostClock"/>.</summary>
    public string Clock => DeviceTime is null ? HostClock : DeviceClock;

    /// <summary>
    /// This measurement's time divided by <paramref name="baseline"/>'s, trial by trial (the works were interleaved, so
    /// trial t of both ran under the same conditions): the median, min and max of those paired ratios. Both sides use
    /// the same clock: the device clock when both have it, else the host clock.
    /// </summary>
    public RatioStats RatioTo(Measurement baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        bool device = DeviceTime is not null && baseline.DeviceTime is not null;
        var a = (device ? DeviceTime! : HostTime).SamplesMs;
        var b = (device ? baseline.DeviceTime! : baseline.HostTime).SamplesMs;
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
