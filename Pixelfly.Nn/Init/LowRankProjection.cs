namespace Pixelfly.Nn.Init;

/// <summary>
/// The best rank-r approximation of a dense matrix as two factors, W ≈ U·V with U = U_r·√Σ_r (rows × r) and
/// V = √Σ_r·V_rᵀ (r × cols): the SVD low-rank init of PIXELFLY-SPEC §3.3 (fly's low_rank_project). Computed by
/// randomized subspace iteration (range finder with 2r columns, <see cref="PowerIterations"/> rounds of
/// re-orthonormalised power iteration) followed by an exact SVD of the small projected matrix, in float64: the
/// error in each singular direction shrinks like (σ_{2r+1}/σ_i)^(2q+1), which for the sizes here (r ≤ 256,
/// q = 12) reaches the top-r SVD to well below f32 resolution unless the spectrum is flat at r.
/// </summary>
public static class LowRankProjection
{
    /// <summary>Power iterations of the range finder.</summary>
    public const int PowerIterations = 12;

    /// <summary>Factors (U [rows, r], V [r, cols]) of the rank-r truncation of <paramref name="w"/> (row-major rows × cols).</summary>
    public static (double[] U, double[] V) Factor(double[] w, int rows, int cols, int rank, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(random);
        if (w.Length != (long)rows * cols) throw new ArgumentException($"matrix has {w.Length} values, not {rows}x{cols}", nameof(w));
        if (rank < 1 || rank > Math.Min(rows, cols))
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in [1, {Math.Min(rows, cols)}] for a {rows}x{cols} matrix");
        int k = Math.Min(Math.Min(rows, cols), 2 * rank);

        // Range finder: Y = orth(W·Ω), then q rounds of Y = orth(W·orth(Wᵀ·Y)).
        var omega = new double[(long)cols * k];
        for (int i = 0; i < omega.Length; i++) omega[i] = random.Normal();
        var y = MultiplyAB(w, rows, cols, omega, k);
        Orthonormalize(y, rows, k);
        for (int q = 0; q < PowerIterations; q++)
        {
            var z = MultiplyAtB(w, rows, cols, y, k);
            Orthonormalize(z, cols, k);
            y = MultiplyAB(w, rows, cols, z, k);
            Orthonormalize(y, rows, k);
        }

        // B = Yᵀ·W (k × cols); B·Bᵀ = Q·Λ·Qᵀ; σ = √λ, left vectors Y·Q, right vectors Bᵀ·Q / σ.
        var bt = MultiplyAtB(w, rows, cols, y, k);        // Wᵀ·Y = Bᵀ, cols × k
        var gram = new double[k * k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int c = 0; c < cols; c++) s += bt[(long)c * k + i] * bt[(long)c * k + j];
                gram[i * k + j] = gram[j * k + i] = s;
            }
        var (eigenvalues, q2) = SymmetricEigen(gram, k);
        var order = Enumerable.Range(0, k).OrderByDescending(i => eigenvalues[i]).Take(rank).ToArray();

        var u = new double[(long)rows * rank];
        var v = new double[(long)rank * cols];
        for (int t = 0; t < rank; t++)
        {
            int e = order[t];
            double sigma = Math.Sqrt(Math.Max(0, eigenvalues[e]));
            double rootSigma = Math.Sqrt(sigma);
            for (int r = 0; r < rows; r++)
            {
                double s = 0;
                for (int j = 0; j < k; j++) s += y[(long)r * k + j] * q2[j * k + e];
                u[(long)r * rank + t] = s * rootSigma;
            }
            if (sigma == 0) continue;
            for (int c = 0; c < cols; c++)
            {
                double s = 0;
                for (int j = 0; j < k; j++) s += bt[(long)c * k + j] * q2[j * k + e];
                v[(long)t * cols + c] = s / sigma * rootSigma;
            }
        }
        return (u, v);
    }

    // (rows × cols)·(cols × k).
    private static double[] MultiplyAB(double[] w, int rows, int cols, double[] x, int k)
    {
        var y = new double[(long)rows * k];
        Parallel.For(0, rows, r =>
        {
            for (int c = 0; c < cols; c++)
            {
                double a = w[(long)r * cols + c];
                if (a == 0) continue;
                for (int j = 0; j < k; j++) y[(long)r * k + j] += a * x[(long)c * k + j];
            }
        });
        return y;
    }

    // (rows × cols)ᵀ·(rows × k) = cols × k.
    private static double[] MultiplyAtB(double[] w, int rows, int cols, double[] x, int k)
    {
        var z = new double[(long)cols * k];
        Parallel.For(0, cols, c =>
        {
            for (int r = 0; r < rows; r++)
            {
                double a = w[(long)r * cols + c];
                if (a == 0) continue;
                for (int j = 0; j < k; j++) z[(long)c * k + j] += a * x[(long)r * k + j];
            }
        });
        return z;
    }

    // Modified Gram–Schmidt on the k columns of an n × k matrix, twice for stability; a column that vanishes is
    // left zero (the matrix then has rank < k and the extra directions carry σ = 0).
    private static void Orthonormalize(double[] m, int n, int k)
    {
        for (int pass = 0; pass < 2; pass++)
            for (int j = 0; j < k; j++)
            {
                for (int i = 0; i < j; i++)
                {
                    double dot = 0;
                    for (int r = 0; r < n; r++) dot += m[(long)r * k + i] * m[(long)r * k + j];
                    for (int r = 0; r < n; r++) m[(long)r * k + j] -= dot * m[(long)r * k + i];
                }
                double norm = 0;
                for (int r = 0; r < n; r++) norm += m[(long)r * k + j] * m[(long)r * k + j];
                norm = Math.Sqrt(norm);
                double scale = norm > 1e-300 ? 1 / norm : 0;
                for (int r = 0; r < n; r++) m[(long)r * k + j] *= scale;
            }
    }

    // Cyclic Jacobi eigen-decomposition of a symmetric k × k matrix: eigenvalues and eigenvectors (columns).
    private static (double[] Values, double[] Vectors) SymmetricEigen(double[] a, int k)
    {
        var m = (double[])a.Clone();
        var v = new double[k * k];
        for (int i = 0; i < k; i++) v[i * k + i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diag = 0;
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                    if (i != j) off += m[i * k + j] * m[i * k + j];
                    else diag += m[i * k + j] * m[i * k + j];
            if (off <= 1e-30 * Math.Max(diag, 1e-300)) break;
            for (int p = 0; p < k - 1; p++)
                for (int q = p + 1; q < k; q++)
                {
                    double apq = m[p * k + q];
                    if (Math.Abs(apq) < 1e-300) continue;
                    double theta = (m[q * k + q] - m[p * k + p]) / (2 * apq);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int r = 0; r < k; r++)
                    {
                        double mrp = m[r * k + p], mrq = m[r * k + q];
                        m[r * k + p] = c * mrp - s * mrq;
                        m[r * k + q] = s * mrp + c * mrq;
                    }
                    for (int r = 0; r < k; r++)
                    {
                        double mpr = m[p * k + r], mqr = m[q * k + r];
                        m[p * k + r] = c * mpr - s * mqr;
                        m[q * k + r] = s * mpr + c * mqr;
                    }
                    for (int r = 0; r < k; r++)
                    {
                        double vrp = v[r * k + p], vrq = v[r * k + q];
                        v[r * k + p] = c * vrp - s * vrq;
                        v[r * k + q] = s * vrp + c * vrq;
                    }
                }
        }
        var values = new double[k];
        for (int i = 0; i < k; i++) values[i] = m[i * k + i];
        return (values, v);
    }
}
