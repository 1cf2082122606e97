using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Pixelfly.Backends.Cpu.Kernels;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>Every micro-kernel shape and packed-A layout against a double-precision loop over its packed operands.</summary>
public sealed unsafe class MicroKernelTests
{
    private static readonly object[] Kernels =
    [
        new object[] { 24, 16, true }, new object[] { 16, 16, true }, new object[] { 12, 32, true },
        new object[] { 8, 32, true }, new object[] { 6, 64, true }, new object[] { 6, 16, false },
    ];

    // A(r, k) of a panel: K16 is [k / 16][MR][16], KMajor is [k][MR].
    private static int AIndex(PanelLayout layout, int mr, int r, int k) =>
        layout == PanelLayout.K16 ? k / 16 * mr * 16 + r * 16 + k % 16 : k * mr + r;

    [Test]
    public void Gathered_entries_accumulate_into_the_tile_only([ValueSource(nameof(Kernels))] object[] shape, [Values] bool k16, [Values] bool accumulate)
    {
        var layout = k16 ? PanelLayout.K16 : PanelLayout.KMajor;
        int mr = (int)shape[0], nr = (int)shape[1];
        bool wide = (bool)shape[2];
        if (wide && !Vector512.IsHardwareAccelerated)
            Assert.Ignore("Vector512 is not hardware accelerated on this machine");
        const int entries = 3, kPer = 32, panels = 5, ldc = 80;
        var kernel = MicroKernel.Create(mr, nr, wide, layout);
        var rng = new Random(mr * 100 + nr);
        float[] a = Enumerable.Range(0, panels * kPer * mr).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        float[] b = Enumerable.Range(0, panels * kPer * nr).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        float[] c = Enumerable.Range(0, (mr + 1) * ldc).Select(_ => (float)rng.NextDouble()).ToArray();
        var before = (float[])c.Clone();
        // Entries read A panels 4, 0, 2 and B panels 1, 3, 0: any order and any gap.
        nint[] aOffsets = [4 * kPer * mr, 0, 2 * kPer * mr];
        nint[] bOffsets = [1 * kPer * nr, 3 * kPer * nr, 0];

        fixed (float* pa = a, pb = b, pc = c)
        fixed (nint* ao = aOffsets, bo = bOffsets)
            kernel.Run(entries, kPer, pa, ao, pb, bo, pc, ldc, accumulate);

        for (int r = 0; r <= mr; r++)
            for (int col = 0; col < ldc; col++)
            {
                int i = r * ldc + col;
                if (r == mr || col >= nr)
                {
                    Assert.That(c[i], Is.EqualTo(before[i]), $"element ({r}, {col}) outside the tile changed");
                    continue;
                }
                double expected = accumulate ? before[i] : 0;
                for (int e = 0; e < entries; e++)
                    for (int k = 0; k < kPer; k++)
                        expected += (double)a[aOffsets[e] + AIndex(layout, mr, r, k)] * b[bOffsets[e] + k * nr + col];
                Assert.That(c[i], Is.EqualTo(expected).Within(1e-4), $"{kernel.Name}: C({r}, {col})");
            }
    }

    [Test]
    public void Edge_tiles_write_only_their_valid_part([Values] bool k16)
    {
        var layout = k16 ? PanelLayout.K16 : PanelLayout.KMajor;
        var kernel = MicroKernel.ForDense(Vector512.IsHardwareAccelerated, 100, layout);
        int mr = kernel.Mr, nr = kernel.Nr, m = mr - 1, n = nr - 3, k = 20, kp = kernel.PadK(k);
        float[] a = new float[kernel.APanelFloats(k)];
        float[] b = new float[kp * nr];
        for (int i = 0; i < a.Length; i++) a[i] = 1;
        for (int i = 0; i < b.Length; i++) b[i] = 2;
        float[] c = new float[mr * nr];
        float[] tile = new float[mr * nr];
        Array.Fill(c, -7f);
        nint zero = 0;

        fixed (float* pa = a, pb = b, pc = c, pt = tile)
            GemmCore.Tile(kernel, 1, kp, pa, &zero, pb, &zero, pc, nr, m, n, accumulate: true, pt);

        for (int r = 0; r < mr; r++)
            for (int col = 0; col < nr; col++)
                Assert.That(c[r * nr + col], Is.EqualTo(r < m && col < n ? -7f + 2 * kp : -7f), $"C({r}, {col})");
    }
}
