namespace Pixelfly.Perf.Protocol;

/// <summary>How cases are timed (docs/PERFORMANCE.md, "Method").</summary>
/// <param name="Trials">Timed trials per measurement (the median and spread are over these).</param>
/// <param name="MinTrialMs">Each trial repeats a run until it lasts at least this long (calibrated in the warm-up).</param>
/// <param name="Threads">Thread count for the CPU device and OpenBLAS; null: the device's own "threads" capability.</param>
/// <param name="WarmupRuns">Untimed runs before the trials, at least.</param>
/// <param name="WarmupMs">The warm-up lasts at least this long (JIT tier-up, caches, page faults).</param>
/// <param name="PauseBetweenMs">Idle time before each timed trial, so spinning worker threads of the previous work
/// (OpenBLAS's thread server, a device's pool) go to sleep and do not steal cores from the next.</param>
/// <param name="RefMaxDenseFlops">The reference device (a float64 interpreter, ~0.1–1 GFLOP/s) only runs cases whose
/// dense-equivalent FLOPs stay below this; bigger cases are skipped with the reason.</param>
public sealed record BenchSettings(
    int Trials = 7,
    double MinTrialMs = 200,
    int? Threads = null,
    int WarmupRuns = 3,
    double WarmupMs = 200,
    double PauseBetweenMs = 30,
    double RefMaxDenseFlops = 2e8)
{
    /// <summary>Most trials accepted.</summary>
    public const int MaxTrials = 1000;

    /// <summary>Longest trial accepted, in ms.</summary>
    public const double MaxTrialMs = 60_000;

    /// <summary>Throws <see cref="ArgumentException"/> with the rule when a value is out of range.</summary>
    public void Validate()
    {
        if (Trials < 1 || Trials > MaxTrials)
            throw new ArgumentException($"trials must be in [1, {MaxTrials}], got {Trials}");
        if (!(MinTrialMs >= 1 && MinTrialMs <= MaxTrialMs))
            throw new ArgumentException($"the minimum trial time must be in [1, {MaxTrialMs}] ms, got {MinTrialMs}");
        if (Threads is < 1 or > 4096)
            throw new ArgumentException($"threads must be in [1, 4096], got {Threads}");
        if (WarmupRuns < 1)
            throw new ArgumentException($"warm-up runs must be at least 1, got {WarmupRuns}");
        if (!(WarmupMs >= 0) || !(PauseBetweenMs >= 0))
            throw new ArgumentException("warm-up and pause times must be non-negative");
        if (!(RefMaxDenseFlops > 0))
            throw new ArgumentException($"the reference device's FLOP cap must be positive, got {RefMaxDenseFlops}");
    }
}
