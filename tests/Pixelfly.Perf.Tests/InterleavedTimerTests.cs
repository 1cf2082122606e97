using Pixelfly.Perf.Protocol;

namespace Pixelfly.Perf.Tests;

public sealed class InterleavedTimerTests
{
    /// <summary>A fake clock that only moves when a fake work runs: the timer's logic without real time.</summary>
    private sealed class FakeClock
    {
        public double Now { get; set; }
    }

    private sealed class FakeWork(string name, double msPerRun, FakeClock clock, List<string> log) : ITimedWork
    {
        public string Name { get; } = name;

        public int Runs { get; private set; }

        public void Run()
        {
            clock.Now += msPerRun;
            Runs++;
            log.Add(Name);
        }

        public void Dispose() { }
    }

    private static readonly BenchSettings Settings = new(Trials: 4, MinTrialMs: 10, WarmupRuns: 2, WarmupMs: 0, PauseBetweenMs: 0);

    [Test]
    public void TrialsInterleaveTheWorksWithARotatingStart()
    {
        var clock = new FakeClock();
        var log = new List<string>();
        var works = new[] { new FakeWork("A", 5, clock, log), new FakeWork("B", 10, clock, log) };
        new InterleavedTimer(Settings, () => clock.Now, _ => { }).Measure(works);

        // Warm-up: 2 runs each; then A needs 2 runs per 10 ms trial, B 1; rounds start with A, B, A, B.
        var trials = log.Skip(4).ToArray();
        Assert.That(string.Concat(trials), Is.EqualTo("AAB" + "BAA" + "AAB" + "BAA"));
    }

    [Test]
    public void RepetitionsFillTheMinimumTrialTimeAndSamplesAreTimePerRun()
    {
        var clock = new FakeClock();
        var log = new List<string>();
        var works = new[] { new FakeWork("fast", 3, clock, log), new FakeWork("slow", 25, clock, log) };
        var m = new InterleavedTimer(Settings, () => clock.Now, _ => { }).Measure(works);

        Assert.That(m.Select(x => x.Name), Is.EqualTo(new[] { "fast", "slow" }));
        Assert.That(m[0].RunsPerTrial, Is.EqualTo(4), "ceil(10 ms / 3 ms)");
        Assert.That(m[1].RunsPerTrial, Is.EqualTo(1));
        Assert.That(m[0].WarmupRuns, Is.EqualTo(2));
        Assert.That(m[0].Time.SamplesMs, Has.Count.EqualTo(4).And.All.EqualTo(3.0));
        Assert.That(m[1].Time.MedianMs, Is.EqualTo(25.0));
        Assert.That(works[0].Runs, Is.EqualTo(2 + 4 * 4));
    }

    [Test]
    public void TheWarmUpLastsAtLeastItsMinimumTime()
    {
        var clock = new FakeClock();
        var log = new List<string>();
        var work = new FakeWork("A", 10, clock, log);
        var m = new InterleavedTimer(Settings with { WarmupRuns = 1, WarmupMs = 45, Trials = 1 }, () => clock.Now, _ => { }).Measure([work]);
        Assert.That(m[0].WarmupRuns, Is.EqualTo(5));
    }

    [Test]
    public void ThePauseComesBeforeEveryTrial()
    {
        var clock = new FakeClock();
        var log = new List<string>();
        var pauses = new List<double>();
        var works = new[] { new FakeWork("A", 5, clock, log), new FakeWork("B", 5, clock, log) };
        new InterleavedTimer(Settings with { PauseBetweenMs = 7 }, () => clock.Now, pauses.Add).Measure(works);
        Assert.That(pauses, Has.Count.EqualTo(8).And.All.EqualTo(7.0));
    }

    [Test]
    public void NothingToTimeIsAnError()
    {
        Assert.Throws<ArgumentException>(() => new InterleavedTimer(Settings).Measure([]));
    }

    [TestCase(0, 200)]
    [TestCase(1001, 200)]
    [TestCase(7, 0)]
    [TestCase(7, 1e9)]
    public void SettingsOutOfRangeAreRejected(int trials, double minTrialMs)
    {
        Assert.Throws<ArgumentException>(() => new BenchSettings(Trials: trials, MinTrialMs: minTrialMs).Validate());
    }
}
