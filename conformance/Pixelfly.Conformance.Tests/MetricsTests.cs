using Pixelfly.Tensors;

namespace Pixelfly.Conformance.Tests;

public sealed class MetricsTests
{
    [Test]
    public void NmseIsTheSquaredErrorOverTheSquaredReference()
    {
        Assert.That(Metrics.Nmse([1, 2, 3], [1, 2, 4]), Is.EqualTo(1.0 / 21).Within(1e-15));
        Assert.That(Metrics.Nmse([1, 2, 4], [1, 2, 4]), Is.Zero);
    }

    [Test]
    public void NmseOfAnAllZeroReferenceIsZeroOnlyWhenExact()
    {
        Assert.That(Metrics.Nmse([0, 0], [0, 0]), Is.Zero);
        Assert.That(Metrics.Nmse([1e-3, 0], [0, 0]), Is.EqualTo(double.PositiveInfinity));
    }

    [Test]
    public void MaxRelativeErrorIsTheLargestErrorOverTheLargestReference()
    {
        var (value, worst) = Metrics.MaxRelError([1, 2.5, -4], [1, 2, -4.25]);
        Assert.That(value, Is.EqualTo(0.5 / 4.25).Within(1e-15));
        Assert.That(worst, Is.EqualTo(1));
    }

    [Test]
    public void MetricsSkipNonFiniteElementsWhichParityJudges()
    {
        Assert.That(Metrics.Nmse([double.NaN, 2], [double.NaN, 2]), Is.Zero);
        Assert.That(Metrics.FirstNonFiniteMismatch([1, double.NaN], [1, 2]), Is.EqualTo(1));
        Assert.That(Metrics.FirstNonFiniteMismatch([1, 2], [1, double.NaN]), Is.EqualTo(1));
        Assert.That(Metrics.FirstNonFiniteMismatch([double.PositiveInfinity], [double.NegativeInfinity]), Is.Zero);
        Assert.That(Metrics.FirstNonFiniteMismatch([double.NaN, double.NegativeInfinity], [double.NaN, double.NegativeInfinity]), Is.EqualTo(-1));
    }

    [Test]
    public void ExactComparisonTreatsSignedZerosAsEqualAndCountsTheRest()
    {
        Assert.That(Metrics.ExactMismatches([0.0, -0.0, 3], [-0.0, 0.0, 3]), Is.EqualTo((0, -1)));
        Assert.That(Metrics.ExactMismatches([1, 2, 3, 4], [1, 2.0000001, 3, 5]), Is.EqualTo((2, 1)));
    }

    [Test]
    public void MismatchedLengthsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Metrics.Nmse([1, 2], [1]));
        Assert.That(e!.Message, Does.Contain("2 elements").And.Contain("1"));
    }

    [TestCase(DType.F32)]
    [TestCase(DType.F16)]
    [TestCase(DType.BF16)]
    [TestCase(DType.I32)]
    [TestCase(DType.F64)]
    public void PoisonIsFoundUntilEveryElementIsWritten(DType dtype)
    {
        var type = new TensorType(dtype, 3, 4);
        var bytes = Poison.Fill(type);
        Assert.That(Poison.FirstPoisoned(dtype, bytes), Is.Zero);
        int size = dtype.SizeOf();
        bytes.AsSpan(0, 7 * size).Clear(); // elements 0..6 written (zeros)
        Assert.That(Poison.FirstPoisoned(dtype, bytes), Is.EqualTo(7));
        bytes.AsSpan().Clear();
        Assert.That(Poison.FirstPoisoned(dtype, bytes), Is.EqualTo(-1));
    }

    [Test]
    public void FloatPoisonIsAQuietNaN()
    {
        Assert.That(float.IsNaN(BitConverter.UInt32BitsToSingle(Poison.F32)), Is.True);
        Assert.That(Half.IsNaN(BitConverter.UInt16BitsToHalf(Poison.F16)), Is.True);
        Assert.That(float.IsNaN(BFloat16Bits.ToFloat(Poison.BF16)), Is.True);
        Assert.That(double.IsNaN(BitConverter.UInt64BitsToDouble(Poison.F64)), Is.True);
    }

    [Test]
    public void ExactClassAndIntegerOutputsGetZeroThresholds()
    {
        Assert.That(Tolerances.For(DType.F32, CaseClass.Exact).IsExact, Is.True);
        Assert.That(Tolerances.For(DType.I32, CaseClass.Numeric).IsExact, Is.True);
        Assert.That(Tolerances.For(DType.BF16, CaseClass.Numeric), Is.SameAs(Tolerances.BF16));
        Assert.That(Tolerances.F32.Nmse, Is.LessThan(Tolerances.F16.Nmse).And.LessThan(Tolerances.BF16.Nmse));
    }
}
