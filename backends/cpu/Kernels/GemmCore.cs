using System.Runtime.CompilerServices;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// The shared pieces of every matmul kernel (dense and block-sparse): running the micro-kernel on one tile of C,
/// through a scratch tile at the edges, and over all tiles of a packed block. An edge tile is computed whole into
/// scratch and only its valid part copied, so nothing is written outside C and every element's arithmetic is the
/// same as in a full tile.
/// </summary>
internal static unsafe class GemmCore
{
    /// <summary>Rounds n up to a multiple of m.</summary>
    public static int RoundUp(int n, int m) => (n + m - 1) / m * m;

    /// <summary>Floats rounded up to a 64-byte multiple, so scratch sub-buffers stay aligned.</summary>
    public static long Aligned(long floats) => (floats + 15) / 16 * 16;

    /// <summary>Floats of scratch for one edge tile of <paramref name="mk"/>.</summary>
    public static long TileFloats(in MicroKernel mk) => Aligned((long)mk.Mr * mk.Nr);

    /// <summary>
    /// C[m×n] (+)= Σ_e A_e·B_e for one tile (m ≤ MR, n ≤ NR); <paramref name="tile"/> is MR·NR floats of scratch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tile(in MicroKernel mk, int entries, int kPerEntry, float* a, nint* aOffsets, float* b, nint* bOffsets,
        float* c, nint ldc, int m, int n, bool accumulate, float* tile)
    {
        if (m == mk.Mr && n == mk.Nr)
        {
            mk.Run(entries, kPerEntry, a, aOffsets, b, bOffsets, c, ldc, accumulate);
            return;
        }
        int nr = mk.Nr;
        mk.Run(entries, kPerEntry, a, aOffsets, b, bOffsets, tile, nr, false);
        for (int r = 0; r < m; r++)
        {
            float* dst = c + r * ldc;
            float* src = tile + r * nr;
            if (accumulate)
                for (int q = 0; q < n; q++) dst[q] += src[q];
            else
                new Span<float>(src, n).CopyTo(new Span<float>(dst, n));
        }
    }

    /// <summary>
    /// C[mc×nc] (+)= packedA · packedB over k steps, MR panels outer and NR panels inner: the A panel (MR·k floats)
    /// stays in L1 while the B panels stream from L2. (Measured on the AVX-512 machine: ~10% faster for a 2048³ GEMM
    /// than keeping the larger B panel in L1 and streaming A.) packedA holds ceil(mc/MR) panels of APanelFloats(k),
    /// packedB ceil(nc/NR) panels of PadK(k)·NR floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Macro(in MicroKernel mk, int mc, int nc, int k, float* packedA, float* packedB, float* c, nint ldc, bool accumulate, float* tile)
    {
        int mr = mk.Mr, nr = mk.Nr;
        int kp = mk.PadK(k);
        long aPanel = mk.APanelFloats(k), bPanel = (long)kp * nr;
        nint zero = 0;
        for (int i = 0, ip = 0; i < mc; i += mr, ip++)
        {
            int m = Math.Min(mr, mc - i);
            float* pa = packedA + ip * aPanel;
            for (int j = 0, jp = 0; j < nc; j += nr, jp++)
                Tile(mk, 1, kp, pa, &zero, packedB + jp * bPanel, &zero, c + i * ldc + j, ldc, m, Math.Min(nr, nc - j), accumulate, tile);
        }
    }

    /// <summary>Zeroes an rows×cols block of a row-major matrix.</summary>
    public static void ZeroBlock(float* c, nint ldc, int rows, int cols)
    {
        for (int r = 0; r < rows; r++) new Span<float>(c + r * ldc, cols).Clear();
    }
}
