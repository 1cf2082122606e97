using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// The micro-kernel bodies, one per register shape, each generic over the packed-A layout (so the row addressing is
/// a constant displacement). C[MR×NR] (+)= Σ over entries e of A_e · B_e, where entry e reads kPerEntry steps of packed
/// A at a + aOffsets[e] and of packed B ([k][NR]) at b + bOffsets[e]; one accumulator per (row, 16- or 8-wide column
/// vector), FMA in ascending k, entries in order, so every element's arithmetic is the same in every tile. A dense
/// product is one entry; a block-sparse line gathers its blocks as entries with the output tile kept in registers.
/// Written out per shape (generated once, then kept as plain code) so every accumulator stays in a register.
/// </summary>
internal static unsafe class MicroKernels
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector512<float> v, bool accumulate)
    {
        if (accumulate) v += Vector512.Load(c);
        v.Store(c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> v, bool accumulate)
    {
        if (accumulate) v += Vector256.Load(c);
        v.Store(c);
    }

    // Packed B streams through L1 (the A panel is the operand kept there): fetch it 4 KiB ahead.
    private const int BPrefetchDistance = 1024;

    // Pulls one row of the C tile towards L1. The kernels prefetch one row per run of 16 k steps, so the final
    // loads/stores do not stall on memory and the prefetches do not all compete for fill buffers at the start.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchRow(float* c, int lines)
    {
        if (!Sse.IsSupported) return; // a JIT-time constant: no prefetch off x86
        for (int l = 0; l < lines; l++) Sse.Prefetch0(c + l * 16);
    }

    /// <summary>24×16 with Vector512: 24 accumulators, 1 B load(s) and 24 broadcasts per k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void V512x24x16<TLayout>(int entries, int kPerEntry, float* a, nint* aOffsets, float* b, nint* bOffsets, float* c, nint ldc, bool accumulate)
        where TLayout : struct, IPanelLayout
    {
        const int Mr = 24, Nr = 16;
        int rs = TLayout.RowStride;
        float* pc = c;
        int prefetched = 0;
        Vector512<float> c0_0 = default, c1_0 = default, c2_0 = default, c3_0 = default, c4_0 = default, c5_0 = default, c6_0 = default, c7_0 = default;
        Vector512<float> c8_0 = default, c9_0 = default, c10_0 = default, c11_0 = default, c12_0 = default, c13_0 = default, c14_0 = default, c15_0 = default;
        Vector512<float> c16_0 = default, c17_0 = default, c18_0 = default, c19_0 = default, c20_0 = default, c21_0 = default, c22_0 = default, c23_0 = default;
        for (int e = 0; e < entries; e++)
        {
            float* pa = a + aOffsets[e];
            float* pb = b + bOffsets[e];
            for (int left = kPerEntry; left > 0;)
            {
                int run = TLayout.RunLength(left);
                left -= run;
                if (prefetched < Mr)
                {
                    PrefetchRow(pc, 1);
                    pc += ldc;
                    prefetched++;
                }
                for (; run > 0; run--)
                {
                    if (Sse.IsSupported) Sse.Prefetch0(pb + BPrefetchDistance);
                    var b0 = Vector512.Load(pb + 0);
                    var x0 = Vector512.Create(pa[0 * rs]); c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
                    var x1 = Vector512.Create(pa[1 * rs]); c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0);
                    var x2 = Vector512.Create(pa[2 * rs]); c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0);
                    var x3 = Vector512.Create(pa[3 * rs]); c3_0 = Vector512.FusedMultiplyAdd(x3, b0, c3_0);
                    var x4 = Vector512.Create(pa[4 * rs]); c4_0 = Vector512.FusedMultiplyAdd(x4, b0, c4_0);
                    var x5 = Vector512.Create(pa[5 * rs]); c5_0 = Vector512.FusedMultiplyAdd(x5, b0, c5_0);
                    var x6 = Vector512.Create(pa[6 * rs]); c6_0 = Vector512.FusedMultiplyAdd(x6, b0, c6_0);
                    var x7 = Vector512.Create(pa[7 * rs]); c7_0 = Vector512.FusedMultiplyAdd(x7, b0, c7_0);
                    var x8 = Vector512.Create(pa[8 * rs]); c8_0 = Vector512.FusedMultiplyAdd(x8, b0, c8_0);
                    var x9 = Vector512.Create(pa[9 * rs]); c9_0 = Vector512.FusedMultiplyAdd(x9, b0, c9_0);
                    var x10 = Vector512.Create(pa[10 * rs]); c10_0 = Vector512.FusedMultiplyAdd(x10, b0, c10_0);
                    var x11 = Vector512.Create(pa[11 * rs]); c11_0 = Vector512.FusedMultiplyAdd(x11, b0, c11_0);
                    var x12 = Vector512.Create(pa[12 * rs]); c12_0 = Vector512.FusedMultiplyAdd(x12, b0, c12_0);
                    var x13 = Vector512.Create(pa[13 * rs]); c13_0 = Vector512.FusedMultiplyAdd(x13, b0, c13_0);
                    var x14 = Vector512.Create(pa[14 * rs]); c14_0 = Vector512.FusedMultiplyAdd(x14, b0, c14_0);
                    var x15 = Vector512.Create(pa[15 * rs]); c15_0 = Vector512.FusedMultiplyAdd(x15, b0, c15_0);
                    var x16 = Vector512.Create(pa[16 * rs]); c16_0 = Vector512.FusedMultiplyAdd(x16, b0, c16_0);
                    var x17 = Vector512.Create(pa[17 * rs]); c17_0 = Vector512.FusedMultiplyAdd(x17, b0, c17_0);
                    var x18 = Vector512.Create(pa[18 * rs]); c18_0 = Vector512.FusedMultiplyAdd(x18, b0, c18_0);
                    var x19 = Vector512.Create(pa[19 * rs]); c19_0 = Vector512.FusedMultiplyAdd(x19, b0, c19_0);
                    var x20 = Vector512.Create(pa[20 * rs]); c20_0 = Vector512.FusedMultiplyAdd(x20, b0, c20_0);
                    var x21 = Vector512.Create(pa[21 * rs]); c21_0 = Vector512.FusedMultiplyAdd(x21, b0, c21_0);
                    var x22 = Vector512.Create(pa[22 * rs]); c22_0 = Vector512.FusedMultiplyAdd(x22, b0, c22_0);
                    var x23 = Vector512.Create(pa[23 * rs]); c23_0 = Vector512.FusedMultiplyAdd(x23, b0, c23_0);
                    pa += TLayout.KStep(Mr);
                    pb += Nr;
                }
                pa += TLayout.RunSkip(Mr);
            }
        }
        Store(c + 0, c0_0, accumulate); c += ldc;
        Store(c + 0, c1_0, accumulate); c += ldc;
        Store(c + 0, c2_0, accumulate); c += ldc;
        Store(c + 0, c3_0, accumulate); c += ldc;
        Store(c + 0, c4_0, accumulate); c += ldc;
        Store(c + 0, c5_0, accumulate); c += ldc;
        Store(c + 0, c6_0, accumulate); c += ldc;
        Store(c + 0, c7_0, accumulate); c += ldc;
        Store(c + 0, c8_0, accumulate); c += ldc;
        Store(c + 0, c9_0, accumulate); c += ldc;
        Store(c + 0, c10_0, accumulate); c += ldc;
        Store(c + 0, c11_0, accumulate); c += ldc;
        Store(c + 0, c12_0, accumulate); c += ldc;
        Store(c + 0, c13_0, accumulate); c += ldc;
        Store(c + 0, c14_0, accumulate); c += ldc;
        Store(c + 0, c15_0, accumulate); c += ldc;
        Store(c + 0, c16_0, accumulate); c += ldc;
        Store(c + 0, c17_0, accumulate); c += ldc;
        Store(c + 0, c18_0, accumulate); c += ldc;
        Store(c + 0, c19_0, accumulate); c += ldc;
        Store(c + 0, c20_0, accumulate); c += ldc;
        Store(c + 0, c21_0, accumulate); c += ldc;
        Store(c + 0, c22_0, accumulate); c += ldc;
        Store(c + 0, c23_0, accumulate);
    }

    /// <summary>16×16 with Vector512: 16 accumulators, 1 B load(s) and 16 broadcasts per k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void V512x16x16<TLayout>(int entries, int kPerEntry, float* a, nint* aOffsets, float* b, nint* bOffsets, float* c, nint ldc, bool accumulate)
        where TLayout : struct, IPanelLayout
    {
        const int Mr = 16, Nr = 16;
        int rs = TLayout.RowStride;
        float* pc = c;
        int prefetched = 0;
        Vector512<float> c0_0 = default, c1_0 = default, c2_0 = default, c3_0 = default, c4_0 = default, c5_0 = default, c6_0 = default, c7_0 = default;
        Vector512<float> c8_0 = default, c9_0 = default, c10_0 = default, c11_0 = default, c12_0 = default, c13_0 = default, c14_0 = default, c15_0 = default;
        for (int e = 0; e < entries; e++)
        {
            float* pa = a + aOffsets[e];
            float* pb = b + bOffsets[e];
            for (int left = kPerEntry; left > 0;)
            {
                int run = TLayout.RunLength(left);
                left -= run;
                if (prefetched < Mr)
                {
                    PrefetchRow(pc, 1);
                    pc += ldc;
                    prefetched++;
                }
                for (; run > 0; run--)
                {
                    if (Sse.IsSupported) Sse.Prefetch0(pb + BPrefetchDistance);
                    var b0 = Vector512.Load(pb + 0);
                    var x0 = Vector512.Create(pa[0 * rs]); c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
                    var x1 = Vector512.Create(pa[1 * rs]); c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0);
                    var x2 = Vector512.Create(pa[2 * rs]); c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0);
                    var x3 = Vector512.Create(pa[3 * rs]); c3_0 = Vector512.FusedMultiplyAdd(x3, b0, c3_0);
                    var x4 = Vector512.Create(pa[4 * rs]); c4_0 = Vector512.FusedMultiplyAdd(x4, b0, c4_0);
                    var x5 = Vector512.Create(pa[5 * rs]); c5_0 = Vector512.FusedMultiplyAdd(x5, b0, c5_0);
                    var x6 = Vector512.Create(pa[6 * rs]); c6_0 = Vector512.FusedMultiplyAdd(x6, b0, c6_0);
                    var x7 = Vector512.Create(pa[7 * rs]); c7_0 = Vector512.FusedMultiplyAdd(x7, b0, c7_0);
                    var x8 = Vector512.Create(pa[8 * rs]); c8_0 = Vector512.FusedMultiplyAdd(x8, b0, c8_0);
                    var x9 = Vector512.Create(pa[9 * rs]); c9_0 = Vector512.FusedMultiplyAdd(x9, b0, c9_0);
                    var x10 = Vector512.Create(pa[10 * rs]); c10_0 = Vector512.FusedMultiplyAdd(x10, b0, c10_0);
                    var x11 = Vector512.Create(pa[11 * rs]); c11_0 = Vector512.FusedMultiplyAdd(x11, b0, c11_0);
                    var x12 = Vector512.Create(pa[12 * rs]); c12_0 = Vector512.FusedMultiplyAdd(x12, b0, c12_0);
                    var x13 = Vector512.Create(pa[13 * rs]); c13_0 = Vector512.FusedMultiplyAdd(x13, b0, c13_0);
                    var x14 = Vector512.Create(pa[14 * rs]); c14_0 = Vector512.FusedMultiplyAdd(x14, b0, c14_0);
                    var x15 = Vector512.Create(pa[15 * rs]); c15_0 = Vector512.FusedMultiplyAdd(x15, b0, c15_0);
                    pa += TLayout.KStep(Mr);
                    pb += Nr;
                }
                pa += TLayout.RunSkip(Mr);
            }
        }
        Store(c + 0, c0_0, accumulate); c += ldc;
        Store(c + 0, c1_0, accumulate); c += ldc;
        Store(c + 0, c2_0, accumulate); c += ldc;
        Store(c + 0, c3_0, accumulate); c += ldc;
        Store(c + 0, c4_0, accumulate); c += ldc;
        Store(c + 0, c5_0, accumulate); c += ldc;
        Store(c + 0, c6_0, accumulate); c += ldc;
        Store(c + 0, c7_0, accumulate); c += ldc;
        Store(c + 0, c8_0, accumulate); c += ldc;
        Store(c + 0, c9_0, accumulate); c += ldc;
        Store(c + 0, c10_0, accumulate); c += ldc;
        Store(c + 0, c11_0, accumulate); c += ldc;
        Store(c + 0, c12_0, accumulate); c += ldc;
        Store(c + 0, c13_0, accumulate); c += ldc;
        Store(c + 0, c14_0, accumulate); c += ldc;
        Store(c + 0, c15_0, accumulate);
    }

    /// <summary>12×32 with Vector512: 24 accumulators, 2 B load(s) and 12 broadcasts per k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void V512x12x32<TLayout>(int entries, int kPerEntry, float* a, nint* aOffsets, float* b, nint* bOffsets, float* c, nint ldc, bool accumulate)
        where TLayout : struct, IPanelLayout
    {
        const int Mr = 12, Nr = 32;
        int rs = TLayout.RowStride;
        float* pc = c;
        int prefetched = 0;
        Vector512<float> c0_0 = default, c0_1 = default, c1_0 = default, c1_1 = default, c2_0 = default, c2_1 = default, c3_0 = default, c3_1 = default;
        Vector512<float> c4_0 = default, c4_1 = default, c5_0 = default, c5_1 = default, c6_0 = default, c6_1 = default, c7_0 = default, c7_1 = default;
        Vector512<float> c8_0 = default, c8_1 = default, c9_0 = default, c9_1 = default, c10_0 = default, c10_1 = default, c11_0 = default, c11_1 = default;
        for (int e = 0; e < entries; e++)
        {
            float* pa = a + aOffsets[e];
            float* pb = b + bOffsets[e];
            for (int left = kPerEntry; left > 0;)
            {
                int run = TLayout.RunLength(left);
                left -= run;
                if (prefetched < Mr)
                {
                    PrefetchRow(pc, 2);
                    pc += ldc;
                    prefetched++;
                }
                for (; run > 0; run--)
                {
                    if (Sse.IsSupported) Sse.Prefetch0(pb + BPrefetchDistance);
                    var b0 = Vector512.Load(pb + 0); var b1 = Vector512.Load(pb + 16);
                    var x0 = Vector512.Create(pa[0 * rs]); c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0); c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
                    var x1 = Vector512.Create(pa[1 * rs]); c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0); c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1);
                    var x2 = Vector512.Create(pa[2 * rs]); c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0); c2_1 = Vector512.FusedMultiplyAdd(x2, b1, c2_1);
                    var x3 = Vector512.Create(pa[3 * rs]); c3_0 = Vector512.FusedMultiplyAdd(x3, b0, c3_0); c3_1 = Vector512.FusedMultiplyAdd(x3, b1, c3_1);
                    var x4 = Vector512.Create(pa[4 * rs]); c4_0 = Vector512.FusedMultiplyAdd(x4, b0, c4_0); c4_1 = Vector512.FusedMultiplyAdd(x4, b1, c4_1);
                    var x5 = Vector512.Create(pa[5 * rs]); c5_0 = Vector512.FusedMultiplyAdd(x5, b0, c5_0); c5_1 = Vector512.FusedMultiplyAdd(x5, b1, c5_1);
                    var x6 = Vector512.Create(pa[6 * rs]); c6_0 = Vector512.FusedMultiplyAdd(x6, b0, c6_0); c6_1 = Vector512.FusedMultiplyAdd(x6, b1, c6_1);
                    var x7 = Vector512.Create(pa[7 * rs]); c7_0 = Vector512.FusedMultiplyAdd(x7, b0, c7_0); c7_1 = Vector512.FusedMultiplyAdd(x7, b1, c7_1);
                    var x8 = Vector512.Create(pa[8 * rs]); c8_0 = Vector512.FusedMultiplyAdd(x8, b0, c8_0); c8_1 = Vector512.FusedMultiplyAdd(x8, b1, c8_1);
                    var x9 = Vector512.Create(pa[9 * rs]); c9_0 = Vector512.FusedMultiplyAdd(x9, b0, c9_0); c9_1 = Vector512.FusedMultiplyAdd(x9, b1, c9_1);
                    var x10 = Vector512.Create(pa[10 * rs]); c10_0 = Vector512.FusedMultiplyAdd(x10, b0, c10_0); c10_1 = Vector512.FusedMultiplyAdd(x10, b1, c10_1);
                    var x11 = Vector512.Create(pa[11 * rs]); c11_0 = Vector512.FusedMultiplyAdd(x11, b0, c11_0); c11_1 = Vector512.FusedMultiplyAdd(x11, b1, c11_1);
                    pa += TLayout.KStep(Mr);
                    pb += Nr;
                }
                pa += TLayout.RunSkip(Mr);
            }
        }
        Store(c + 0, c0_0, accumulate); Store(c + 16, c0_1, accumulate); c += ldc;
        Store(c + 0, c1_0, accumulate); Store(c + 16, c1_1, accumulate); c += ldc;
        Store(c + 0, c2_0, accumulate); Store(c + 16, c2_1, accumulate); c += ldc;
        Store(c + 0, c3_0, accumulate); Store(c + 16, c3_1, accumulate); c += ldc;
        Store(c + 0, c4_0, accumulate); Store(c + 16, c4_1, accumulate); c += ldc;
        Store(c + 0, c5_0, accumulate); Store(c + 16, c5_1, accumulate); c += ldc;
        Store(c + 0, c6_0, accumulate); Store(c + 16, c6_1, accumulate); c += ldc;
        Store(c + 0, c7_0, accumulate); Store(c + 16, c7_1, accumulate); c += ldc;
        Store(c + 0, c8_0, accumulate); Store(c + 16, c8_1, accumulate); c += ldc;
        Store(c + 0, c9_0, accumulate); Store(c + 16, c9_1, accumulate); c += ldc;
        Store(c + 0, c10_0, accumulate); Store(c + 16, c10_1, accumulate); c += ldc;
        Store(c + 0, c11_0, accumulate); Store(c + 16, c11_1, accumulate);
    }

    /// <summary>8×32 with Vector512: 16 accumulators, 2 B load(s) and 8 broadcasts per k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void V512x8x32<TLayout>(int entries, int kPerEntry, float* a, nint* aOffsets, float* b, nint* bOffsets, float* c, nint ldc, bool accumulate)
        where TLayout : struct, IPanelLayout
    {
        const int Mr = 8, Nr = 32;
        int rs = TLayout.RowStride;
        float* pc = c;
        int prefetched = 0;
        Vector512<float> c0_0 = default, c0_1 = default, c1_0 = default, c1_1 = default, c2_0 = default, c2_1 = default, c3_0 = default, c3_1 = default;
        Vector512<float> c4_0 = default, c4_1 = default, c5_0 = default, c5_1 = default, c6_0 = default, c6_1 = default, c7_0 = default, c7_1 = default;
        for (int e = 0; e < entries; e++)
        {
            float* pa = a + aOffsets[e];
            float* pb = b + bOffsets[e];
            for (int left = kPerEntry; left > 0;)
            {
                int run = TLayout.RunLength(left);
                left -= run;
                if (prefetched < Mr)
                {
                    PrefetchRow(pc, 2);
                    pc += ldc;
                    prefetched++;
                }
                for (; run > 0; run--)
                {
                    if (Sse.IsSupported) Sse.Prefetch0(pb + BPrefetchDistance);
                    var b0 = Vector512.Load(pb + 0); var b1 = Vector512.Load(pb + 16);
                    var x0 = Vector512.Create(pa[0 * rs]); c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0); c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
                    var x1 = Vector512.Create(pa[1 * rs]); c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0); c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1);
                    var x2 = Vector512.Create(pa[2 * rs]); c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0); c2_1 = Vector512.FusedMultiplyAdd(x2, b1, c2_1);
                    var x3 = Vector512.Create(pa[3 * rs]); c3_0 = Vector512.FusedMultiplyAdd(x3, b0, c3_0); c3_1 = Vector512.FusedMultiplyAdd(x3, b1, c3_1);
                    var x4 = Vector512.Create(pa[4 * rs]); c4_0 = Vector512.FusedMultiplyAdd(x4, b0, c4_0); c4_1 = Vector512.FusedMultiplyAdd(x4, b1, c4_1);
                    var x5 = Vector512.Create(pa[5 * rs]); c5_0 = Vector512.FusedMultiplyAdd(x5, b0, c5_0); c5_1 = Vector512.FusedMultiplyAdd(x5, b1, c5_1);
                    var x6 = Vector512.Create(pa[6 * rs]); c6_0 = Vector512.FusedMultiplyAdd(x6, b0, c6_0); c6_1 = Vector512.FusedMultiplyAdd(x6, b1, c6_1);
                    var x7 = Vector512.Create(pa[7 * rs]); c7_0 = Vector512.FusedMultiplyAdd(x7, b0, c7_0); c7_1 = Vector512.FusedMultiplyAdd(x7, b1, c7_1);
                    pa += TLayout.KStep(Mr);
                    pb += Nr;
                }
                pa += TLayout.RunSkip(Mr);
            }
        }
        Store(c + 0, c0_0, accumulate); Store(c + 16, c0_1, accumulate); c += ldc;
        Store(c + 0, c1_0, accumulate); Store(c + 16, c1_1, accumulate); c += ldc;
        Store(c + 0, c2_0, accumulate); Store(c + 16, c2_1, accumulate); c += ldc;
        Store(c + 0, c3_0, accumulate); Store(c + 16, c3_1, accumulate); c += ldc;
        Store(c + 0, c4_0, accumulate); Store(c + 16, c4_1, accumulate); c += ldc;
        Store(c + 0, c5_0, accumulate); Store(c + 16, c5_1, accumulate); c += ldc;
        Store(c + 0, c6_0, accumulate); Store(c + 16, c6_1, accumulate); c += ldc;
        Store(c + 0, c7_0, accumulate); Store(c + 16, c7_1, accumulate);
    }

    /// <summary>6×64 with Vector512: 24 accumulators, 4 B load(s) and 6 broadcasts per k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void V512x6x64<TLayout>(int entries, int kPerEntry, float* a, nint* aOffsets, float* b, nint* bOffsets, float* c, nint ldc, bool accumulate)
        where TLayout : struct, IPanelLayout
    {
        const int Mr = 6, Nr = 64;
        int rs = TLayout.RowStride;
        float* pc = c;
        int prefetched = 0;
        Vector512<float> c0_0 = default, c0_1 = default, c0_2 = default, c0_3 = default, c1_0 = default, c1_1 = default, c1_2 = default, c1_3 = default;
        Vector512<float> c2_0 = default, c2_1 = default, c2_2 = default, c2_3 = default, c3_0 = default, c3_1 = default, c3_2 = default, c3_3 = default;
        Vector512<float> c4_0 = default, c4_1 = default, c4_2 = default, c4_3 = default, c5_0 = default, c5_1 = default, c5_2 = default, c5_3 = default;
        for (int e = 0; e < entries; e++)
        {
            float* pa = a + aOffsets[e];
            float* pb = b + bOffsets[e];
            for (int left = kPerEntry; left > 0;)
            {
                int run = TLayout.RunLength(left);
                left -= run;
                if (prefetched < Mr)
                {
                    PrefetchRow(pc, 4);
                    pc += ldc;
                    prefetched++;
                }
                for (; run > 0; run--)
                {
                    if (Sse.IsSupported) Sse.Prefetch0(pb + BPrefetchDistance);
                    var b0 = Vector512.Load(pb + 0); var b1 = Vector512.Load(pb + 16); var b2 = Vector512.Load(pb + 32); var b3 = Vector512.Load(pb + 48);
                    var x0 = Vector512.Create(pa[0 * rs]); c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0); c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1); c0_2 = Vector512.FusedMultiplyAdd(x0, b2, c0_2); c0_3 = Vector512.FusedMultiplyAdd(x0, b3, c0_3);
                    var x1 = Vector512.Create(pa[1 * rs]); c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0); c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1); c1_2 = Vector512.FusedMultiplyAdd(x1, b2, c1_2); c1_3 = Vector512.FusedMultiplyAdd(x1, b3, c1_3);
                    var x2 = Vector512.Create(pa[2 * rs]); c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0); c2_1 = Vector512.FusedMultiplyAdd(x2, b1, c2_1); c2_2 = Vector512.FusedMultiplyAdd(x2, b2, c2_2); c2_3 = Vector512.FusedMultiplyAdd(x2, b3, c2_3);
                    var x3 = Vector512.Create(pa[3 * rs]); c3_0 = Vector512.FusedMultiplyAdd(x3, b0, c3_0); c3_1 = Vector512.FusedMultiplyAdd(x3, b1, c3_1); c3_2 = Vector512.FusedMultiplyAdd(x3, b2, c3_2); c3_3 = Vector512.FusedMultiplyAdd(x3, b3, c3_3);
                    var x4 = Vector512.Create(pa[4 * rs]); c4_0 = Vector512.FusedMultiplyAdd(x4, b0, c4_0); c4_1 = Vector512.FusedMultiplyAdd(x4, b1, c4_1); c4_2 = Vector512.FusedMultiplyAdd(x4, b2, c4_2); c4_3 = Vector512.FusedMultiplyAdd(x4, b3, c4_3);
                    var x5 = Vector512.Create(pa[5 * rs]); c5_0 = Vector512.FusedMultiplyAdd(x5, b0, c5_0); c5_1 = Vector512.FusedMultiplyAdd(x5, b1, c5_1); c5_2 = Vector512.FusedMultiplyAdd(x5, b2, c5_2); c5_3 = Vector512.FusedMultiplyAdd(x5, b3, c5_3);
                    pa += TLayout.KStep(Mr);
                    pb += Nr;
                }
                pa += TLayout.RunSkip(Mr);
            }
        }
        Store(c + 0, c0_0, accumulate); Store(c + 16, c0_1, accumulate); Store(c + 32, c0_2, accumulate); Store(c + 48, c0_3, accumulate); c += ldc;
        Store(c + 0, c1_0, accumulate); Store(c + 16, c1_1, accumulate); Store(c + 32, c1_2, accumulate); Store(c + 48, c1_3, accumulate); c += ldc;
        Store(c + 0, c2_0, accumulate); Store(c + 16, c2_1, accumulate); Store(c + 32, c2_2, accumulate); Store(c + 48, c2_3, accumulate); c += ldc;
        Store(c + 0, c3_0, accumulate); Store(c + 16, c3_1, accumulate); Store(c + 32, c3_2, accumulate); Store(c + 48, c3_3, accumulate); c += ldc;
        Store(c + 0, c4_0, accumulate); Store(c + 16, c4_1, accumulate); Store(c + 32, c4_2, accumulate); Store(c + 48, c4_3, accumulate); c += ldc;
        Store(c + 0, c5_0, accumulate); Store(c + 16, c5_1, accumulate); Store(c + 32, c5_2, accumulate); Store(c + 48, c5_3, accumulate);
    }

    /// <summary>6×16 with Vector256: 12 accumulators, 2 B load(s) and 6 broadcasts per k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void V256x6x16<TLayout>(int entries, int kPerEntry, float* a, nint* aOffsets, float* b, nint* bOffsets, float* c, nint ldc, bool accumulate)
        where TLayout : struct, IPanelLayout
    {
        const int Mr = 6, Nr = 16;
        int rs = TLayout.RowStride;
        float* pc = c;
        int prefetched = 0;
        Vector256<float> c0_0 = default, c0_1 = default, c1_0 = default, c1_1 = default, c2_0 = default, c2_1 = default, c3_0 = default, c3_1 = default;
        Vector256<float> c4_0 = default, c4_1 = default, c5_0 = default, c5_1 = default;
        for (int e = 0; e < entries; e++)
        {
            float* pa = a + aOffsets[e];
            float* pb = b + bOffsets[e];
            for (int left = kPerEntry; left > 0;)
            {
                int run = TLayout.RunLength(left);
                left -= run;
                if (prefetched < Mr)
                {
                    PrefetchRow(pc, 1);
                    pc += ldc;
                    prefetched++;
                }
                for (; run > 0; run--)
                {
                    if (Sse.IsSupported) Sse.Prefetch0(pb + BPrefetchDistance);
                    var b0 = Vector256.Load(pb + 0); var b1 = Vector256.Load(pb + 8);
                    var x0 = Vector256.Create(pa[0 * rs]); c0_0 = Vector256.FusedMultiplyAdd(x0, b0, c0_0); c0_1 = Vector256.FusedMultiplyAdd(x0, b1, c0_1);
                    var x1 = Vector256.Create(pa[1 * rs]); c1_0 = Vector256.FusedMultiplyAdd(x1, b0, c1_0); c1_1 = Vector256.FusedMultiplyAdd(x1, b1, c1_1);
                    var x2 = Vector256.Create(pa[2 * rs]); c2_0 = Vector256.FusedMultiplyAdd(x2, b0, c2_0); c2_1 = Vector256.FusedMultiplyAdd(x2, b1, c2_1);
                    var x3 = Vector256.Create(pa[3 * rs]); c3_0 = Vector256.FusedMultiplyAdd(x3, b0, c3_0); c3_1 = Vector256.FusedMultiplyAdd(x3, b1, c3_1);
                    var x4 = Vector256.Create(pa[4 * rs]); c4_0 = Vector256.FusedMultiplyAdd(x4, b0, c4_0); c4_1 = Vector256.FusedMultiplyAdd(x4, b1, c4_1);
                    var x5 = Vector256.Create(pa[5 * rs]); c5_0 = Vector256.FusedMultiplyAdd(x5, b0, c5_0); c5_1 = Vector256.FusedMultiplyAdd(x5, b1, c5_1);
                    pa += TLayout.KStep(Mr);
                    pb += Nr;
                }
                pa += TLayout.RunSkip(Mr);
            }
        }
        Store(c + 0, c0_0, accumulate); Store(c + 8, c0_1, accumulate); c += ldc;
        Store(c + 0, c1_0, accumulate); Store(c + 8, c1_1, accumulate); c += ldc;
        Store(c + 0, c2_0, accumulate); Store(c + 8, c2_1, accumulate); c += ldc;
        Store(c + 0, c3_0, accumulate); Store(c + 8, c3_1, accumulate); c += ldc;
        Store(c + 0, c4_0, accumulate); Store(c + 8, c4_1, accumulate); c += ldc;
        Store(c + 0, c5_0, accumulate); Store(c + 8, c5_1, accumulate);
    }
}
