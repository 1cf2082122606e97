using Pixelfly.Nn.Init;

namespace Pixelfly.Nn.Tests;

public sealed class LowRankProjectionTests
{
    // A = Q1·diag(σ)·Q2ᵀ with random orthonormal Q1 (rows × n), Q2 (cols × n) and σ_i = 0.7^i.
    private static (double[] A, double[] Sigma) KnownSpectrum(int rows, int cols, int seed)
    {
        int n = Math.Min(rows, cols);
        var r = new SeededRandom((ulong)seed);
        double[] Orthonormal(int m)
        {
            var q = new double[m * n];
            for (int i = 0; i < q.Length; i++) q[i] = r.Normal();
            for (int j = 0; j < n; j++)
            {
                for (int i = 0; i < j; i++)
                {
                    double dot = 0;
                    for (int t = 0; t < m; t++) dot += q[t * n + i] * q[t * n + j];
                    for (int t = 0; t < m; t++) q[t * n + j] -= dot * q[t * n + i];
                }
                double norm = Math.Sqrt(Enumerable.Range(0, m).Sum(t => q[t * n + j] * q[t * n + j]));
                for (int t = 0; t < m; t++) q[t * n + j] /= norm;
            }
            return q;
        }
        var q1 = Orthonormal(rows);
        var q2 = Orthonormal(cols);
        var sigma = Enumerable.Range(0, n).Select(i => Math.Pow(0.7, i)).ToArray();
        var a = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                double s = 0;
                for (int t = 0; t < n; t++) s += q1[i * n + t] * sigma[t] * q2[j * n + t];
                a[i * cols + j] = s;
            }
        return (a, sigma);
    }

    [TestCase(60, 40, 5)]
    [TestCase(30, 90, 8)]
    public void The_factors_reach_the_optimal_rank_r_error(int rows, int cols, int rank)
    {
        var (a, sigma) = KnownSpectrum(rows, cols, rows + cols);
        var (u, v) = LowRankProjection.Factor(a, rows, cols, rank, new SeededRandom(9));
        double err = 0;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                double s = 0;
                for (int t = 0; t < rank; t++) s += u[i * rank + t] * v[t * cols + j];
                err += (a[i * cols + j] - s) * (a[i * cols + j] - s);
            }
        double optimal = sigma.Skip(rank).Sum(s => s * s);  // Eckart–Young
        Assert.That(err, Is.EqualTo(optimal).Within(1e-9 * sigma.Sum(s => s * s)));
    }

    [Test]
    public void The_factors_split_the_singular_values_evenly()
    {
        // U = U_r·√Σ and V = √Σ·V_rᵀ: column t of U and row t of V both have squared norm σ_t.
        var (a, sigma) = KnownSpectrum(50, 30, 4);
        var (u, v) = LowRankProjection.Factor(a, 50, 30, 4, new SeededRandom(1));
        for (int t = 0; t < 4; t++)
        {
            double un = Enumerable.Range(0, 50).Sum(i => u[i * 4 + t] * u[i * 4 + t]);
            double vn = Enumerable.Range(0, 30).Sum(j => v[t * 30 + j] * v[t * 30 + j]);
            Assert.That(un, Is.EqualTo(sigma[t]).Within(1e-9), $"column {t} of U");
            Assert.That(vn, Is.EqualTo(sigma[t]).Within(1e-9), $"row {t} of V");
        }
    }

    [Test]
    public void Bad_ranks_and_sizes_are_rejected()
    {
        var a = new double[12];
        Assert.Throws<ArgumentOutOfRangeException>(() => LowRankProjection.Factor(a, 3, 4, 4, new SeededRandom(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LowRankProjection.Factor(a, 3, 4, 0, new SeededRandom(1)));
        Assert.Throws<ArgumentException>(() => LowRankProjection.Factor(a, 3, 5, 1, new SeededRandom(1)));
    }
}
