using Pixelfly.Perf.Baselines;

namespace Pixelfly.Perf.Tests;

/// <summary>The OpenBLAS binding computes what it says (the baseline must do the same work as the case).</summary>
public sealed class OpenBlasTests
{
    private static OpenBlas Load()
    {
        Assert.That(OpenBlas.TryLoad(out var blas, out var reason), Is.True,
            $"OpenBLAS is needed for this test: {reason} (scripts/test.sh installs libopenblas0 when it runs as root)");
        return blas!;
    }

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public void SgemmMatchesANaiveProductForEveryTranspose(bool transA, bool transB)
    {
        var blas = Load();
        const int m = 5, n = 7, k = 3;
        // Small integers: every product and sum is exact in f32, so any summation order gives the same bits.
        var a = Enumerable.Range(0, m * k).Select(i => (float)(i % 5 - 2)).ToArray();
        var b = Enumerable.Range(0, k * n).Select(i => (float)(i % 7 - 3)).ToArray();
        float A(int i, int p) => transA ? a[p * m + i] : a[i * k + p];
        float B(int p, int j) => transB ? b[j * k + p] : b[p * n + j];
        var c = new float[m * n];
        blas.Sgemm(transA, transB, m, n, k, a, transA ? m : k, b, transB ? k : n, c, n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                Assert.That(c[i * n + j], Is.EqualTo(Enumerable.Range(0, k).Sum(p => A(i, p) * B(p, j))), $"C[{i},{j}]");
    }

    [Test]
    public void ItReportsItsKernelFamilyAndItsThreadCountCanBeSet()
    {
        var blas = Load();
        Assert.That(blas.CoreName, Is.Not.Empty.And.Not.EqualTo("unknown"));
        int before = blas.Threads;
        blas.Threads = 1;
        Assert.That(blas.Threads, Is.EqualTo(1));
        blas.Threads = before;
    }

    [Test]
    public void OperandsTooSmallForTheShapeAreRejected()
    {
        var blas = Load();
        Assert.Throws<ArgumentException>(() => blas.Sgemm(false, false, 4, 4, 4, new float[15], 4, new float[16], 4, new float[16], 4));
        Assert.Throws<ArgumentException>(() => blas.Sgemm(false, false, 0, 4, 4, new float[16], 4, new float[16], 4, new float[16], 4));
    }
}
