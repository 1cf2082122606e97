using System.Diagnostics;

namespace Pixelfly.Perf.Protocol;

/// <summary>
/// Times several works under the same conditions: each is warmed up (untimed) and calibrated so a trial of R repeated
/// runs lasts at least the minimum trial time; then the trials interleave the works, one trial of each per round,
/// with the starting work rotating every round (A B, B A, A B, …) so that no work always runs first. Each trial
/// gives one sample, its elapsed time divided by R. A work with a device clock (<see cref="ITimedWork.LastRunDeviceMs"/>)
/// also gives a device sample per trial: the sum of its R runs' device times divided by R.
/// </summary>
/// <param name="settings">Trials, minimum trial time, warm-up and pause.</param>
/// <param name="clockMs">Milliseconds from a monotonic clock; the default is <see cref="Stopwatch"/>. Tests pass a fake.</param>
/// <param name="pause">Waits the given milliseconds between trials; the default sleeps. Tests pass a no-op.</param>
public sealed class InterleavedTimer(BenchSettings settings, Func<double>? clockMs = null, Action<double>? pause = null)
{
    private readonly Func<double> _clock = clockMs ?? (() => Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency);
    private readonly Action<double> _pause = pause ?? (ms => { if (ms > 0) Thread.Sleep(TimeSpan.FromMilliseconds(ms)); });

    /// <summary>Warms up, calibrates and times the works; results are in the order of <paramref name="works"/>.</summary>
    /// <param name="works">What to time.</param>
    /// <param name="afterWarmUp">Called once every work is warmed up and before the first trial (the bench runner checks
    /// the candidate's outputs there); an exception from it ends the measurement.</param>
    public IReadOnlyList<Measurement> Measure(IReadOnlyList<ITimedWork> works, Action? afterWarmUp = null)
    {
        ArgumentNullException.ThrowIfNull(works);
        if (works.Count == 0) throw new ArgumentException("nothing to time");
        settings.Validate();

        var reps = new int[works.Count];
        var warmups = new int[works.Count];
        for (int w = 0; w < works.Count; w++)
            (reps[w], warmups[w]) = WarmUp(works[w]);
        afterWarmUp?.Invoke();

        var samples = works.Select(_ => new List<double>(settings.Trials)).ToArray();
        // Null once some run of the work gave no device time: then the host clock is its only clock.
        var deviceSamples = works.Select(_ => (List<double>?)new List<double>(settings.Trials)).ToArray();
        for (int t = 0; t < settings.Trials; t++)
        {
            for (int i = 0; i < works.Count; i++)
            {
                int w = (t + i) % works.Count;
                _pause(settings.PauseBetweenMs);
                double deviceMs = 0;
                bool onDevice = deviceSamples[w] is not null;
                double start = _clock();
                for (int r = 0; r < reps[w]; r++)
                {
                    works[w].Run();
                    if (!onDevice) continue;
                    if (works[w].LastRunDeviceMs is { } ms) deviceMs += ms;
                    else onDevice = false;
                }
                samples[w].Add((_clock() - start) / reps[w]);
                if (onDevice) deviceSamples[w]!.Add(deviceMs / reps[w]);
                else deviceSamples[w] = null;
            }
        }
        return works.Select((work, w) => new Measurement(work.Name, reps[w], warmups[w], TimeStats.From(samples[w]),
            deviceSamples[w] is { Count: > 0 } d ? TimeStats.From(d) : null)).ToArray();
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
