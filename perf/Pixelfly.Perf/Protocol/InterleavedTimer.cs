using System.Diagnostics;

namespace Pixelfly.Perf.Protocol;

/// <summary>
/// Times several works under the same conditions: each is warmed up (untimed) and calibrated so a trial of R repeated
/// runs lasts at least the minimum trial time; then the trials interleave the works, one trial of each per round,
/// with the starting work rotating every round (A B, B A, A B, …) so that no work always runs first. Each trial
/// gives one sample, its elapsed time divided by R.
/// </summary>
/// <param name="settings">Trials, minimum trial time, warm-up and pause.</param>
/// <param name="clockMs">Milliseconds from a monotonic clock; the default is <see cref="Stopwatch"/>. Tests pass a fake.</param>
/// <param name="pause">Waits the given milliseconds between trials; the default sleeps. Tests pass a no-op.</param>
public sealed class InterleavedTimer(BenchSettings settings, Func<double>? clockMs = null, Action<double>? pause = null)
{
    private readonly Func<double> _clock = clockMs ?? (() => Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency);
    private readonly Action<double> _pause = pause ?? (ms => { if (ms > 0) Thread.Sleep(TimeSpan.FromMilliseconds(ms)); });

    /// <summary>Warms up, calibrates and times the works; results are in the order of <paramref name="works"/>.</summary>
    public IReadOnlyList<Measurement> Measure(IReadOnlyList<ITimedWork> works)
    {
        ArgumentNullException.ThrowIfNull(works);
        if (works.Count == 0) throw new ArgumentException("nothing to time");
        settings.Validate();

        var reps = new int[works.Count];
        var warmups = new int[works.Count];
        for (int w = 0; w < works.Count; w++)
            (reps[w], warmups[w]) = WarmUp(works[w]);

        var samples = works.Select(_ => new List<double>(settings.Trials)).ToArray();
        for (int t = 0; t < settings.Trials; t++)
        {
            for (int i = 0; i < works.Count; i++)
            {
                int w = (t + i) % works.Count;
                _pause(settings.PauseBetweenMs);
                double start = _clock();
                for (int r = 0; r < reps[w]; r++) works[w].Run();
                samples[w].Add((_clock() - start) / reps[w]);
            }
        }
        return works.Select((work, w) => new Measurement(work.Name, reps[w], warmups[w], TimeStats.From(samples[w]))).ToArray();
    }

    // Runs until both the run count and the time budget are reached; the fastest warm-up run sets the repetitions.
    private (int Reps, int Runs) WarmUp(ITimedWork work)
    {
        double begin = _clock(), fastest = double.PositiveInfinity;
        int runs = 0;
        while (runs < settings.WarmupRuns || _clock() - begin < settings.WarmupMs)
        {
            double start = _clock();
            work.Run();
            fastest = Math.Min(fastest, _clock() - start);
            runs++;
        }
        int reps = fastest <= 0 ? 1_000_000 : (int)Math.Clamp(Math.Ceiling(settings.MinTrialMs / fastest), 1, 1_000_000);
        return (reps, runs);
    }
}
