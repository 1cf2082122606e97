using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Packing of matmul operands into the panels the micro-kernels read. Transposes are only strides: op(A)(r, k) =
/// src[r·rs + k·cs] and op(B)(k, c) = src[k·rs + c·cs]. The A layout is chosen so that packing A is always a copy of
/// contiguous pieces (<see cref="PanelLayout.K16"/> when cs = 1, <see cref="PanelLayout.KMajor"/> when rs = 1); B
/// panels are [k][NR], a copy when cs = 1 and 8×8 in-register transposes when rs = 1. Padding rows, columns and k
/// steps are written as zeros, so edge tiles compute with zeros (never with stale data, which could be NaN).
/// <c>wide</c> selects Vector512 copies; without it only Vector256 (and narrower) is used.
/// </summary>
internal static unsafe class Packing
{
    /// <summary>Rows of k taken together when the source is stored with k as its row index.</summary>
    public const int KBlock = 16;

    /// <summary>
    /// Packs rows [0, rows) × k [0, kc) of op(A) into MR-row panels in <paramref name="layout"/>; panel p starts at
    /// dst + p·panelStride and holds PadK(kc)·MR floats (K16 pads k to a multiple of 16).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(PanelLayout layout, float* dst, nint panelStride, float* src, nint rs, nint cs, int rows, int kc, int mr, bool wide)
    {
        if (layout == PanelLayout.KMajor && rs == 1)
        {
            // Source rows are k: take 16 of them at a time across all panels, so each row is read as one stream.
            for (int k0 = 0; k0 < kc; k0 += KBlock)
            {
                int kb = Math.Min(KBlock, kc - k0);
                for (int i0 = 0, p = 0; i0 < rows; i0 += mr, p++)
                    CopyRows(dst + p * panelStride + k0 * mr, mr, src + i0 + k0 * cs, cs, kb, Math.Min(mr, rows - i0), mr, wide);
            }
            return;
        }
        for (int i0 = 0, p = 0; i0 < rows; i0 += mr, p++)
        {
            float* d = dst + p * panelStride;
            int m = Math.Min(mr, rows - i0);
            float* s = src + i0 * rs;
            if (layout == PanelLayout.K16)
                PackK16(d, s, rs, cs, m, kc, mr, wide);
            else
                PackKMajor(d, s, rs, cs, m, kc, mr, wide);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackK16(float* d, float* s, nint rs, nint cs, int m, int kc, int mr, bool wide)
    {
        int groups = (kc + 15) / 16, full = kc / 16;
        nint groupStride = (nint)mr * 16;
        if (cs == 1)
        {
            // Group by group: the stores run sequentially through the panel while each row is read as a stream.
            for (int g = 0; g < full; g++)
            {
                float* dg = d + g * groupStride;
                float* sg = s + g * 16;
                int r = 0;
                for (; r < m; r++) Copy16(dg + r * 16, sg + r * rs, wide);
                for (; r < mr; r++) Zero16(dg + r * 16, wide);
            }
            if (full < groups)
            {
                float* dg = d + full * groupStride;
                for (int r = 0; r < mr; r++)
                {
                    if (r < m) CopyPadded(dg + r * 16, s + r * rs + full * 16, kc - full * 16, 16, wide);
                    else Zero16(dg + r * 16, wide);
                }
            }
            return;
        }
        for (int r = 0; r < mr; r++)
        {
            float* dr = d + r * 16;
            float* row = s + r * rs;
            for (int k = 0; k < groups * 16; k++) dr[k / 16 * groupStride + k % 16] = r < m && k < kc ? row[k * cs] : 0f;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackKMajor(float* d, float* s, nint rs, nint cs, int m, int kc, int mr, bool wide)
    {
        int k8 = 0;
        if (cs == 1 && m == mr && mr % 8 == 0 && Avx.IsSupported)
        {
            // op(A) is row-major: transpose 8×8 pieces into [k][MR].
            for (; k8 + 8 <= kc; k8 += 8)
                for (int r8 = 0; r8 < mr; r8 += 8) Transpose8x8(s + r8 * rs + k8, rs, d + k8 * mr + r8, mr);
        }
        for (int k = k8; k < kc; k++)
        {
            float* dk = d + k * mr;
            for (int r = 0; r < m; r++) dk[r] = s[r * rs + k * cs];
            for (int r = m; r < mr; r++) dk[r] = 0f;
        }
    }

    /// <summary>
    /// Packs k [0, kc) × columns [0, cols) of op(B) into NR-column panels [kPad][NR]; panel p starts at
    /// dst + p·panelStride. Columns past cols and k steps in [kc, kPad) are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(float* dst, nint panelStride, float* src, nint rs, nint cs, int kc, int kPad, int cols, int nr, bool wide)
    {
        if (cs == 1)
        {
            // Source rows are k: take 16 of them at a time across all panels, so each row is read as one stream.
            for (int k0 = 0; k0 < kc; k0 += KBlock)
            {
                int kb = Math.Min(KBlock, kc - k0);
                for (int j0 = 0, p = 0; j0 < cols; j0 += nr, p++)
                    CopyRows(dst + p * panelStride + k0 * nr, nr, src + j0 + k0 * rs, rs, kb, Math.Min(nr, cols - j0), nr, wide);
            }
            for (int j0 = 0, p = 0; j0 < cols; j0 += nr, p++)
                new Span<float>(dst + p * panelStride + (long)kc * nr, (kPad - kc) * nr).Clear();
            return;
        }
        for (int j0 = 0, p = 0; j0 < cols; j0 += nr, p++)
        {
            float* d = dst + p * panelStride;
            int n = Math.Min(nr, cols - j0);
            float* s = src + j0 * cs;
            int k8 = 0, c8 = n / 8 * 8;
            if (rs == 1 && Avx.IsSupported && c8 > 0)
            {
                // op(B) is stored transposed: transpose 8×8 pieces; the column and k edges go element by element.
                for (; k8 + 8 <= kc; k8 += 8)
                    for (int c = 0; c < c8; c += 8) Transpose8x8(s + c * cs + k8, cs, d + k8 * nr + c, nr);
                for (int k = 0; k < k8; k++)
                    for (int c = c8; c < nr; c++) d[k * nr + c] = c < n ? s[c * cs + k] : 0f;
            }
            for (int k = k8; k < kc; k++)
                for (int c = 0; c < nr; c++) d[k * nr + c] = c < n ? s[k * rs + c * cs] : 0f;
            for (int k = kc; k < kPad; k++) new Span<float>(d + k * nr, nr).Clear();
        }
    }

    /// <summary>
    /// Copies <paramref name="rows"/> rows of n floats (row r from src + r·srcStride to dst + r·dstStride), zero-filling
    /// each destination row up to total; full 8/16/32/64-float rows take straight vector copies.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyRows(float* dst, nint dstStride, float* src, nint srcStride, int rows, int n, int total, bool wide)
    {
        if (n == total)
        {
            switch (n)
            {
                case 8:
                    for (int r = 0; r < rows; r++) Vector256.Store(Vector256.Load(src + r * srcStride), dst + r * dstStride);
                    return;
                case 16 when wide:
                    for (int r = 0; r < rows; r++) Vector512.Store(Vector512.Load(src + r * srcStride), dst + r * dstStride);
                    return;
                case 32 when wide:
                    for (int r = 0; r < rows; r++)
                    {
                        float* s = src + r * srcStride, d = dst + r * dstStride;
                        Vector512.Store(Vector512.Load(s), d);
                        Vector512.Store(Vector512.Load(s + 16), d + 16);
                    }
                    return;
            }
        }
        for (int r = 0; r < rows; r++) CopyPadded(dst + r * dstStride, src + r * srcStride, n, total, wide);
    }

    /// <summary>dst[c·dstStride + r] = src[r·srcStride + c] for an 8×8 piece.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose8x8(float* src, nint srcStride, float* dst, nint dstStride)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + 2 * srcStride);
        var r3 = Avx.LoadVector256(src + 3 * srcStride);
        var r4 = Avx.LoadVector256(src + 4 * srcStride);
        var r5 = Avx.LoadVector256(src + 5 * srcStride);
        var r6 = Avx.LoadVector256(src + 6 * srcStride);
        var r7 = Avx.LoadVector256(src + 7 * srcStride);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>Copies n floats and zero-fills up to total.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyPadded(float* dst, float* src, int n, int total, bool wide)
    {
        int i = 0;
        if (wide)
            for (; i + 16 <= n; i += 16) Vector512.Store(Vector512.Load(src + i), dst + i);
        for (; i + 8 <= n; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
        for (; i + 4 <= n; i += 4) Vector128.Store(Vector128.Load(src + i), dst + i);
        for (; i < n; i++) dst[i] = src[i];
        for (; i < total; i++) dst[i] = 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy16(float* dst, float* src, bool wide)
    {
        if (wide)
        {
            Vector512.Store(Vector512.Load(src), dst);
            return;
        }
        Vector256.Store(Vector256.Load(src), dst);
        Vector256.Store(Vector256.Load(src + 8), dst + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Zero16(float* dst, bool wide)
    {
        if (wide)
        {
            Vector512<float>.Zero.Store(dst);
            return;
        }
        Vector256<float>.Zero.Store(dst);
        Vector256<float>.Zero.Store(dst + 8);
    }
}
