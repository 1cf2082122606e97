using System.Globalization;

namespace Pixelfly.Perf.Cases;

/// <summary>
/// A dense matrix product C[M,N] = op(A)·op(B) with K the inner size: the dense problem a perf case is measured
/// against (our dense matmul on the same device, and OpenBLAS sgemm on the CPU).
/// </summary>
/// <param name="M">Rows of C.</param>
/// <param name="N">Columns of C.</param>
/// <param name="K">The inner (summed) size.</param>
/// <param name="TransA">A is stored K×M and used transposed.</param>
/// <param name="TransB">B is stored N×K and used transposed.</param>
public sealed record GemmShape(int M, int N, int K, bool TransA = false, bool TransB = false)
{
    /// <summary>2·M·N·K: one multiply and one add per product term.</summary>
    public double Flops => 2.0 * M * N * K;

    /// <summary>Shape of A as stored (row-major).</summary>
    public (int Rows, int Cols) AShape => TransA ? (K, M) : (M, K);

    /// <summary>Shape of B as stored (row-major).</summary>
    public (int Rows, int Cols) BShape => TransB ? (N, K) : (K, N);

    /// <summary>Throws <see cref="ArgumentException"/> unless every size is positive.</summary>
    public void Validate()
    {
        if (M <= 0 || N <= 0 || K <= 0)
            throw new ArgumentException($"dense shape {this}: M, N and K must be positive");
    }

    /// <summary>"2048x2048x2048 tB" (M x N x K, then the transposes).</summary>
    public override string ToString()
    {
        string t = (TransA ? " tA" : "") + (TransB ? " tB" : "");
        return string.Create(CultureInfo.InvariantCulture, $"{M}x{N}x{K}{t}");
    }
}
