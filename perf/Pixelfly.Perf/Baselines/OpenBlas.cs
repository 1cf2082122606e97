using System.Runtime.InteropServices;

namespace Pixelfly.Perf.Baselines;

/// <summary>
/// OpenBLAS loaded at run time from libopenblas.so.0 (Debian package libopenblas0), the CPU's outside anchor.
/// Only what the benchmarks need: row-major sgemm, the kernel family it chose, and its thread count.
/// </summary>
public sealed unsafe class OpenBlas
{
    /// <summary>The shared library name probed.</summary>
    public const string LibraryName = "libopenblas.so.0";

    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private readonly delegate* unmanaged<nint> _corename;
    private readonly delegate* unmanaged<int, void> _setThreads;
    private readonly delegate* unmanaged<int> _getThreads;

    private OpenBlas(nint handle)
    {
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(handle, "cblas_sgemm");
        _corename = (delegate* unmanaged<nint>)NativeLibrary.GetExport(handle, "openblas_get_corename");
        _setThreads = (delegate* unmanaged<int, void>)NativeLibrary.GetExport(handle, "openblas_set_num_threads");
        _getThreads = (delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "openblas_get_num_threads");
    }

    /// <summary>Loads OpenBLAS, or says why it cannot (and how to install it).</summary>
    public static bool TryLoad(out OpenBlas? blas, out string? reason)
    {
        blas = null;
        if (!NativeLibrary.TryLoad(LibraryName, out var handle))
        {
            reason = $"{LibraryName} not found; install it with `apt-get install libopenblas0`";
            return false;
        }
        try
        {
            blas = new OpenBlas(handle);
            reason = null;
            return true;
        }
        catch (EntryPointNotFoundException e)
        {
            reason = $"{LibraryName} lacks an entry point the benchmarks need: {e.Message}";
            return false;
        }
    }

    /// <summary>The kernel family OpenBLAS selected for this CPU (e.g. "Cooperlake", "Haswell").</summary>
    public string CoreName => Marshal.PtrToStringAnsi(_corename()) ?? "unknown";

    /// <summary>Kernel families of OpenBLAS that use AVX-512.</summary>
    public static readonly string[] Avx512Cores = ["SkylakeX", "Cooperlake", "SapphireRapids"];

    /// <summary>True when <see cref="CoreName"/> is one of the AVX-512 kernel families.</summary>
    public bool UsesAvx512Kernels => Avx512Cores.Contains(CoreName, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Why this OpenBLAS is not at its best on this machine, or null: AVX-512 hardware but non-AVX-512 kernels (its
    /// CPU table may not know this model: 0.3.21 falls back to Prescott's SSE3 kernels for unknown Intel models), or
    /// OPENBLAS_L2_SIZE overriding the cache size it blocks for.
    /// </summary>
    public string? KernelWarning()
    {
        var problems = new List<string>();
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported && !UsesAvx512Kernels)
            problems.Add($"it uses '{CoreName}' kernels on a CPU with AVX-512 (set OPENBLAS_CORETYPE=Cooperlake, or SkylakeX without avx512_bf16, as scripts/bench.sh does)");
        if (Environment.GetEnvironmentVariable("OPENBLAS_L2_SIZE") is { Length: > 0 } l2)
            problems.Add($"OPENBLAS_L2_SIZE={l2} overrides the cache size it blocks for (unset it for the benchmark)");
        return problems.Count == 0 ? null : "OpenBLAS is not at its best here: " + string.Join("; ", problems);
    }

    /// <summary>OpenBLAS's thread count.</summary>
    public int Threads
    {
        get => _getThreads();
        set => _setThreads(value);
    }

    /// <summary>C[M,N] = op(A)·op(B), row-major, dense f32 (lda/ldb/ldc are the row strides).</summary>
    public void Sgemm(bool transA, bool transB, int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        long needA = transA ? (long)(k - 1) * lda + m : (long)(m - 1) * lda + k;
        long needB = transB ? (long)(n - 1) * ldb + k : (long)(k - 1) * ldb + n;
        if (m <= 0 || n <= 0 || k <= 0 || a.Length < needA || b.Length < needB || c.Length < (long)(m - 1) * ldc + n)
            throw new ArgumentException($"sgemm {m}x{n}x{k}: operand spans too small or sizes not positive");
        fixed (float* pa = a, pb = b, pc = c)
            _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, 1f, pa, lda, pb, ldb, 0f, pc, ldc);
    }
}
