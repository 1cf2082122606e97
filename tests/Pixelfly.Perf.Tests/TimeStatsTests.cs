using Pixelfly.Perf.Protocol;

namespace Pixelfly.Perf.Tests;

public sealed class TimeStatsTests
{
    [Test]
    public void MedianExtremesAndPercentilesOfAnOddCount()
    {
        var s = TimeStats.From([5, 1, 3, 2, 4]);
        Assert.That((s.MedianMs, s.MinMs, s.MaxMs), Is.EqualTo((3.0, 1.0, 5.0)));
        Assert.That(s.P10Ms, Is.EqualTo(1.4).Within(1e-12));
        Assert.That(s.P90Ms, Is.EqualTo(4.6).Within(1e-12));
        Assert.That(s.SamplesMs, Is.EqualTo(new double[] { 5, 1, 3, 2, 4 }), "samples stay in trial order");
        Assert.That(s.RelativeSpread, Is.EqualTo(4.0 / 3));
    }

    [Test]
    public void TheMedianOfAnEvenCountIsTheMeanOfTheMiddlePair()
    {
        Assert.That(TimeStats.From([4, 1, 2, 3]).MedianMs, Is.EqualTo(2.5));
        Assert.That(TimeStats.From([7]).MedianMs, Is.EqualTo(7));
    }

    [Test]
    public void NoSamplesOrBadSamplesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => TimeStats.From([]));
        Assert.Throws<ArgumentException>(() => TimeStats.From([1, double.NaN]));
        Assert.Throws<ArgumentException>(() => TimeStats.From([1, -1]));
    }

    [Test]
    public void RatiosArePairedTrialByTrial()
    {
        // Trial 2 was slow for both (a noise burst); paired ratios cancel it, a ratio of medians would not see it.
        var a = new Measurement("a", 1, 1, TimeStats.From([1, 10, 1.1]));
        var b = new Measurement("b", 1, 1, TimeStats.From([2, 20, 2]));
        var r = a.RatioTo(b);
        Assert.That(r.Median, Is.EqualTo(0.5));
        Assert.That(r.Min, Is.EqualTo(0.5));
        Assert.That(r.Max, Is.EqualTo(0.55).Within(1e-12));
    }

    [Test]
    public void RatiosNeedTheSameNumberOfTrials()
    {
        var a = new Measurement("a", 1, 1, TimeStats.From([1, 2]));
        var b = new Measurement("b", 1, 1, TimeStats.From([1]));
        Assert.That(Assert.Throws<ArgumentException>(() => a.RatioTo(b))!.Message, Does.Contain("pair trials"));
    }
}
