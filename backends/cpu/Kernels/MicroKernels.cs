using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// A register-blocked micro-kernel: C[MR×NR] = (C +) packedA[kc][MR] · packedB[kc][NR], accumulated in f32 with
/// FMA in ascending k. Packed A holds MR values per k (one per row), packed B holds NR values per k.
/// </summary>
internal readonly unsafe struct MicroKernel
{
    private MicroKernel(int mr, int nr, string name, delegate*<int, float*, float*, float*, nint, bool, void> run)
    {
        Mr = mr;
        Nr = nr;
        Name = name;
        Run = run;
    }

    /// <summary>Rows per tile.</summary>
    public int Mr { get; }

    /// <summary>Columns per tile.</summary>
    public int Nr { get; }

    /// <summary>"v512 6x32".</summary>
    public string Name { get; }

    /// <summary>(kc, packedA, packedB, c, ldc, accumulate).</summary>
    public delegate*<int, float*, float*, float*, nint, bool, void> Run { get; }

    /// <summary>6×32 with Vector512: 12 accumulators, 2 B loads and 1 broadcast per k.</summary>
    public static MicroKernel V512x6x32 => new(6, 32, "v512 6x32", &MicroKernels.V512x6x32);

    /// <summary>12×16 with Vector512, for 16-wide outputs (block size 16).</summary>
    public static MicroKernel V512x12x16 => new(12, 16, "v512 12x16", &MicroKernels.V512x12x16);

    /// <summary>6×16 with Vector256: 12 accumulators.</summary>
    public static MicroKernel V256x6x16 => new(6, 16, "v256 6x16", &MicroKernels.V256x6x16);

    /// <summary>The kernel for a problem whose output tiles are <paramref name="nExtent"/> columns wide.</summary>
    public static MicroKernel Select(bool wide, int nExtent) =>
        !wide ? V256x6x16
        : nExtent <= 16 || (nExtent % 32 != 0 && nExtent % 16 == 0 && nExtent < 64) ? V512x12x16
        : V512x6x32;
}

/// <summary>The micro-kernel bodies, written out per register shape so every accumulator stays in a register.</summary>
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void V512x6x32(int kc, float* a, float* b, float* c, nint ldc, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int k = 0; k < kc; k++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            a0 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a0, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(a0, b1, c11);
            a0 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a0, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(a0, b1, c21);
            a0 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a0, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(a0, b1, c31);
            a0 = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(a0, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(a0, b1, c41);
            a0 = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(a0, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(a0, b1, c51);
            a += 6;
            b += 32;
        }
        Store(c, c00, accumulate); Store(c + 16, c01, accumulate); c += ldc;
        Store(c, c10, accumulate); Store(c + 16, c11, accumulate); c += ldc;
        Store(c, c20, accumulate); Store(c + 16, c21, accumulate); c += ldc;
        Store(c, c30, accumulate); Store(c + 16, c31, accumulate); c += ldc;
        Store(c, c40, accumulate); Store(c + 16, c41, accumulate); c += ldc;
        Store(c, c50, accumulate); Store(c + 16, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void V512x12x16(int kc, float* a, float* b, float* c, nint ldc, bool accumulate)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector512<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (int k = 0; k < kc; k++)
        {
            var b0 = Vector512.Load(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), b0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), b0, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(a[6]), b0, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(a[7]), b0, c7);
            c8 = Vector512.FusedMultiplyAdd(Vector512.Create(a[8]), b0, c8);
            c9 = Vector512.FusedMultiplyAdd(Vector512.Create(a[9]), b0, c9);
            c10 = Vector512.FusedMultiplyAdd(Vector512.Create(a[10]), b0, c10);
            c11 = Vector512.FusedMultiplyAdd(Vector512.Create(a[11]), b0, c11);
            a += 12;
            b += 16;
        }
        Store(c, c0, accumulate); c += ldc;
        Store(c, c1, accumulate); c += ldc;
        Store(c, c2, accumulate); c += ldc;
        Store(c, c3, accumulate); c += ldc;
        Store(c, c4, accumulate); c += ldc;
        Store(c, c5, accumulate); c += ldc;
        Store(c, c6, accumulate); c += ldc;
        Store(c, c7, accumulate); c += ldc;
        Store(c, c8, accumulate); c += ldc;
        Store(c, c9, accumulate); c += ldc;
        Store(c, c10, accumulate); c += ldc;
        Store(c, c11, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void V256x6x16(int kc, float* a, float* b, float* c, nint ldc, bool accumulate)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int k = 0; k < kc; k++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            a0 = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(a0, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(a0, b1, c11);
            a0 = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(a0, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(a0, b1, c21);
            a0 = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(a0, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(a0, b1, c31);
            a0 = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(a0, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(a0, b1, c41);
            a0 = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(a0, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(a0, b1, c51);
            a += 6;
            b += 16;
        }
        Store(c, c00, accumulate); Store(c + 8, c01, accumulate); c += ldc;
        Store(c, c10, accumulate); Store(c + 8, c11, accumulate); c += ldc;
        Store(c, c20, accumulate); Store(c + 8, c21, accumulate); c += ldc;
        Store(c, c30, accumulate); Store(c + 8, c31, accumulate); c += ldc;
        Store(c, c40, accumulate); Store(c + 8, c41, accumulate); c += ldc;
        Store(c, c50, accumulate); Store(c + 8, c51, accumulate);
    }
}
