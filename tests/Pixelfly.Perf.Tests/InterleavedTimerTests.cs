using Pixelfly.Perf.Protocol;

namespace Pixelfly.Perf.Tests;

public sealed class InterleavedTimerTests
{
    /// <summary>A fake clock that only moves when a fake work runs: the timer's logic without real time.</summary>
    private sealed class FakeClock
    {
        public double Now { get; set; }
    }

    /// <summary>A work that advances the fake clock; with <paramref name="deviceMs"/> it also reports device time per run.</summary>
    private sealed class FakeWork(string name, double msPerRun, FakeClock clock, List<string> log, Func<int, double?>? deviceMs = null) : ITimedWork
    {
        public string Name { get; } = name;

        public int Runs { get; private set; }

        public double? LastRunDeviceMs { get; private set; }

        public void Run()
        {
            clock.Now += msPerRun;
            Runs++;
            LastRunDeviceMs = deviceMs?.Invoke(Runs);
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

    [Test]
    public void AWorkWithADeviceClockGetsDeviceSamplesNextToTheHostOnesAndReportsThatClock()
    {
        var clock = new FakeClock();
        var log = new List<string>();
        // Host: 5 ms per run (launch and sync included); device: 2 ms of kernels per run.
        var works = new[] { new FakeWork("gpu", 5, clock, log, _ => 2), new FakeWork("host", 10, clock, log) };
        var m = new InterleavedTimer(Settings, () => clock.Now, _ => { }).Measure(works);

        Assert.That(m[0].Clock, Is.EqualTo(Measurement.DeviceClock));
        Assert.That(m[0].DeviceTime!.SamplesMs, Has.Count.EqualTo(4).And.All.EqualTo(2.0));
        Assert.That(m[0].HostTime.SamplesMs, Has.Count.EqualTo(4).And.All.EqualTo(5.0));
        Assert.That(m[0].Time, Is.SameAs(m[0].DeviceTime), "the reported time is the device clock's");
        Assert.That(m[1].Clock, Is.EqualTo(Measurement.HostClock));
        Assert.That(m[1].DeviceTime, Is.Null);
        Assert.That(m[0].RatioTo(m[1]).Median, Is.EqualTo(0.5), "a device-clocked work against a host-only one pairs the host clocks: 5 / 10");
    }

    [Test]
    public void OneRunWithoutDeviceTimeSendsTheWorkBackToTheHostClock()
    {
        var clock = new FakeClock();
        var log = new List<string>();
        // The device timer fails once, in the middle of the trials (runs 1-2 are the warm-up).
        var works = new[] { new FakeWork("gpu", 5, clock, log, run => run == 7 ? null : 2) };
        var m = new InterleavedTimer(Settings, () => clock.Now, _ => { }).Measure(works);
        Assert.That(m[0].DeviceTime, Is.Null);
        Assert.That(m[0].Clock, Is.EqualTo(Measurement.HostClock));
        Assert.That(m[0].Time.MedianMs, Is.EqualTo(5.0));
    }

    [Test]
    public void TheAfterWarmUpHookRunsOnceBeforeTheFirstTrialAndCanStopTheMeasurement()
    {
        var clock = new FakeClock();
        var log = new List<string>();
        var works = new[] { new FakeWork("A", 5, clock, log), new FakeWork("B", 10, clock, log) };
        int calls = 0, runsAtHook = -1;
        new InterleavedTimer(Settings, () => clock.Now, _ => { }).Measure(works, () => { calls++; runsAtHook = log.Count; });
        Assert.That(calls, Is.EqualTo(1));
        Assert.That(runsAtHook, Is.EqualTo(4), "after both warm-ups (2 runs each), before any trial");

        log.Clear();
        Assert.Throws<InvalidOperationException>(() =>
            new InterleavedTimer(Settings, () => clock.Now, _ => { }).Measure(works, () => throw new InvalidOperationException("wrong outputs")));
        Assert.That(log, Has.Count.EqualTo(4), "no trial ran after the hook threw");
    }
}
