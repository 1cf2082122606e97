using System.Runtime.CompilerServices;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// The shared pieces of every matmul kernel (dense and block-sparse), BLIS style:
/// <list type="bullet">
/// <item>PackA copies an mc×kc block of op(A), read through (row stride, col stride), into MR-row panels
/// [panel][k][r], zero-padding the last panel; PackB copies a kc×nc block of op(B) into NR-column panels
/// [panel][k][c]. Transposes are only strides, so packing is where they are handled.</item>
/// <item>Macro runs the micro-kernel over all MR×NR tiles of an mc×nc block of C (row-major, leading dim ldc).
/// Edge tiles are computed into a scratch tile and the valid part copied, so the micro-kernel never writes outside
/// C and the arithmetic for every element is the same as in a full tile.</item>
/// </list>
/// A kernel that splits K into passes calls Macro once per pass, the first overwriting C and the others
/// accumulating into it; the pass order is fixed, so results do not depend on threads.
/// </summary>
internal static unsafe class GemmCore
{
    /// <summary>K per packing pass for dense operands.</summary>
    public const int KcDense = 256;

    /// <summary>Rounds n up to a multiple of m.</summary>
    public static int RoundUp(int n, int m) => (n + m - 1) / m * m;

    /// <summary>Floats rounded up to a 64-byte multiple, so scratch sub-buffers stay aligned.</summary>
    public static long Aligned(long floats) => (floats + 15) / 16 * 16;

    /// <summary>
    /// Packs rows [0, rows) × k [0, kc) of A(r, k) = a[r·rs + k·cs] into MR-row panels; panel p starts at
    /// dst + p·panelStride and holds kc·MR floats from there (dst may point into a panel, for a K sub-range).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(float* dst, nint panelStride, float* a, nint rs, nint cs, int rows, int kc, int mr)
    {
        for (int i0 = 0, p = 0; i0 < rows; i0 += mr, p++)
        {
            float* d = dst + p * panelStride;
            int m = Math.Min(mr, rows - i0);
            float* src = a + i0 * rs;
            if (cs == 1)
            {
                for (int r = 0; r < m; r++)
                {
                    float* row = src + r * rs;
                    for (int k = 0; k < kc; k++) d[k * mr + r] = row[k];
                }
            }
            else if (rs == 1)
            {
                for (int k = 0; k < kc; k++)
                {
                    float* col = src + k * cs;
                    float* dk = d + k * mr;
                    for (int r = 0; r < m; r++) dk[r] = col[r];
                }
            }
            else
            {
                for (int k = 0; k < kc; k++)
                    for (int r = 0; r < m; r++) d[k * mr + r] = src[r * rs + k * cs];
            }
            if (m < mr)
                for (int k = 0; k < kc; k++)
                    for (int r = m; r < mr; r++) d[k * mr + r] = 0f;
        }
    }

    /// <summary>
    /// Packs k [0, kc) × columns [0, cols) of B(k, c) = b[k·rs + c·cs] into NR-column panels; panel p starts at
    /// dst + p·panelStride and holds kc·NR floats from there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(float* dst, nint panelStride, float* b, nint rs, nint cs, int kc, int cols, int nr)
    {
        for (int j0 = 0, p = 0; j0 < cols; j0 += nr, p++)
        {
            float* d = dst + p * panelStride;
            int n = Math.Min(nr, cols - j0);
            float* src = b + j0 * cs;
            if (cs == 1)
            {
                for (int k = 0; k < kc; k++)
                {
                    Buffer.MemoryCopy(src + k * rs, d + k * nr, n * 4L, n * 4L);
                    for (int c = n; c < nr; c++) d[k * nr + c] = 0f;
                }
            }
            else
            {
                for (int c = 0; c < n; c++)
                {
                    float* col = src + c * cs;
                    for (int k = 0; k < kc; k++) d[k * nr + c] = col[k * rs];
                }
                if (n < nr)
                    for (int k = 0; k < kc; k++)
                        for (int c = n; c < nr; c++) d[k * nr + c] = 0f;
            }
        }
    }

    /// <summary>
    /// C[mc×nc] (+)= packedA · packedB over kc, tile by tile. packedA has ceil(mc/MR) panels of kc·MR floats,
    /// packedB ceil(nc/NR) panels of kc·NR; <paramref name="tile"/> is MR·NR floats of scratch.
    /// </summary>
    public static void Macro(in MicroKernel mk, int mc, int nc, int kc, float* packedA, float* packedB, float* c, nint ldc, bool accumulate, float* tile)
    {
        int mr = mk.Mr, nr = mk.Nr;
        var run = mk.Run;
        for (int j = 0; j < nc; j += nr)
        {
            int n = Math.Min(nr, nc - j);
            float* pb = packedB + (long)(j / nr) * kc * nr;
            for (int i = 0; i < mc; i += mr)
            {
                int m = Math.Min(mr, mc - i);
                float* pa = packedA + (long)(i / mr) * kc * mr;
                float* cij = c + i * ldc + j;
                if (m == mr && n == nr)
                {
                    run(kc, pa, pb, cij, ldc, accumulate);
                    continue;
                }
                run(kc, pa, pb, tile, nr, false);
                for (int r = 0; r < m; r++)
                {
                    float* dst = cij + r * ldc;
                    float* src = tile + r * nr;
                    if (accumulate)
                        for (int q = 0; q < n; q++) dst[q] += src[q];
                    else
                        for (int q = 0; q < n; q++) dst[q] = src[q];
                }
            }
        }
    }

    /// <summary>Zeroes an rows×cols block of a row-major matrix.</summary>
    public static void ZeroBlock(float* c, nint ldc, int rows, int cols)
    {
        for (int r = 0; r < rows; r++) new Span<float>(c + r * ldc, cols).Clear();
    }
}
