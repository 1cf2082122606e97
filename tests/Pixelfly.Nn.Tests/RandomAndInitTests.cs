using Pixelfly.Nn.Init;

namespace Pixelfly.Nn.Tests;

public sealed class RandomAndInitTests
{
    [Test]
    public void SplitMix64_matches_its_reference_sequence()
    {
        // Vigna's splitmix64.c seeded with 0.
        var r = new SeededRandom(0);
        Assert.That(r.NextUInt64(), Is.EqualTo(0xE220A8397B1DCDAFUL));
        Assert.That(r.NextUInt64(), Is.EqualTo(0x6E789E6AA1B965F4UL));
        Assert.That(r.NextUInt64(), Is.EqualTo(0x06C45D188009454FUL));
    }

    [Test]
    public void Restoring_the_state_continues_the_same_sequence()
    {
        var r = new SeededRandom(42);
        r.Normal();
        r.NextUInt64();
        var saved = r.State;
        var expected = Enumerable.Range(0, 5).Select(_ => r.NextUInt64()).ToArray();
        var resumed = new SeededRandom(0) { State = saved };
        Assert.That(Enumerable.Range(0, 5).Select(_ => resumed.NextUInt64()), Is.EqualTo(expected));
    }

    [Test]
    public void Named_streams_are_reproducible_and_distinct()
    {
        ulong first = SeededRandom.For(7, "fc1.weight").NextUInt64(), again = SeededRandom.For(7, "fc1.weight").NextUInt64();
        Assert.That(again, Is.EqualTo(first));
        Assert.That(SeededRandom.For(7, "fc1.weight").NextUInt64(), Is.Not.EqualTo(SeededRandom.For(7, "fc2.weight").NextUInt64()));
        Assert.That(SeededRandom.For(7, "fc1.weight").NextUInt64(), Is.Not.EqualTo(SeededRandom.For(8, "fc1.weight").NextUInt64()));
    }

    [Test]
    public void Normal_draws_have_mean_zero_and_unit_variance()
    {
        var r = new SeededRandom(3);
        var x = Enumerable.Range(0, 200_000).Select(_ => r.Normal()).ToArray();
        double mean = x.Average(), variance = x.Select(v => (v - mean) * (v - mean)).Average();
        Assert.That(mean, Is.EqualTo(0).Within(0.01));
        Assert.That(variance, Is.EqualTo(1).Within(0.02));
    }

    [Test]
    public void Initializers_respect_their_bounds_and_spread()
    {
        var values = new float[100_000];
        Initializer.KaimingUniform(400).Fill(new SeededRandom(1), values);
        Assert.That(values.Max(), Is.LessThanOrEqualTo(0.05f).And.GreaterThan(0.0499f));
        Assert.That(values.Min(), Is.GreaterThanOrEqualTo(-0.05f).And.LessThan(-0.0499f));

        Initializer.XavierUniform(100, 200).Fill(new SeededRandom(2), values);
        Assert.That(values.Max(), Is.LessThanOrEqualTo((float)Math.Sqrt(6.0 / 300)));

        Initializer.TruncatedNormal(0.02).Fill(new SeededRandom(3), values);
        Assert.That(values.Max(v => Math.Abs(v)), Is.LessThanOrEqualTo(0.04f + 1e-7f));
        double std = Math.Sqrt(values.Select(v => (double)v * v).Average());
        Assert.That(std, Is.EqualTo(0.02 * 0.8796).Within(0.0005), "a normal cut at ±2σ has std 0.8796σ");
    }
}
