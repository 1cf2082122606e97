using Pixelfly.Perf.Baselines;

namespace Pixelfly.Perf.Micro.Support;

/// <summary>
/// OpenBLAS sgemm of one shape on preallocated operands, the baseline the kernels are compared with. Loading fails
/// with the reason (and how to install libopenblas0). OpenBLAS picks its kernels from OPENBLAS_CORETYPE when the
/// process starts: benchmark with <c>env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=Cooperlake</c> (SkylakeX without
/// avx512_bf16) on AVX-512 machines it does not recognise (it then falls back to "Prescott", SSE3 kernels);
/// <see cref="CoreName"/> says which it uses.
/// </summary>
public sealed class OpenBlasGemm
{
    private readonly OpenBlas _blas;
    private readonly float[] _a, _b, _c;
    private readonly int _m, _n, _k;
    private readonly bool _transA, _transB;

    /// <summary>C[M,N] = op(A)·op(B) with OpenBLAS on <paramref name="threads"/> threads.</summary>
    public OpenBlasGemm(int m, int n, int k, bool transA, bool transB, int threads)
    {
        if (!OpenBlas.TryLoad(out var blas, out var reason))
            throw new InvalidOperationException($"the OpenBLAS baseline cannot run: {reason}");
        _blas = blas!;
        _blas.Threads = threads;
        (_m, _n, _k, _transA, _transB) = (m, n, k, transA, transB);
        var random = new Random(2);
        _a = Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        _b = Enumerable.Range(0, k * n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        _c = new float[m * n];
    }

    /// <summary>The kernel family OpenBLAS uses ("SkylakeX", "Cooperlake", "Haswell", "Prescott", ...).</summary>
    public string CoreName => _blas.CoreName;

    /// <summary>One sgemm.</summary>
    public void Run() => _blas.Sgemm(_transA, _transB, _m, _n, _k, _a, _transA ? _m : _k, _b, _transB ? _k : _n, _c, _n);
}
