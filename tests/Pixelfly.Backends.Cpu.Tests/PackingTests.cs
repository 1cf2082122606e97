using Pixelfly.Backends.Cpu.Kernels;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>Packing of op(A) and op(B) panels: every element lands where the micro-kernels read it, padding is zero.</summary>
public sealed unsafe class PackingTests
{
    private static float Value(long i) => i % 251 + 1; // never zero, so padding shows

    [Test]
    [Combinatorial]
    public void PackA_places_every_element_and_zero_pads(
        [Values] bool k16, [Values(6, 8, 12, 24)] int mr, [Values(false, true)] bool transposed, [Values(false, true)] bool wide)
    {
        var layout = k16 ? PanelLayout.K16 : PanelLayout.KMajor;
        const int rows = 29, kc = 37, ld = 50;
        float[] src = new float[ld * ld];
        for (int i = 0; i < src.Length; i++) src[i] = Value(i);
        // op(A)(r, k) = src[r·rs + k·cs]: row-major [rows, ld] or stored transposed [kc, ld].
        nint rs = transposed ? 1 : ld, cs = transposed ? ld : 1;
        int kp = layout == PanelLayout.K16 ? (kc + 15) / 16 * 16 : kc;
        int panels = (rows + mr - 1) / mr;
        nint panelStride = (nint)kp * mr + 5;
        float[] dst = new float[panels * panelStride];
        Array.Fill(dst, float.NaN);

        fixed (float* s = src, d = dst)
            Packing.PackA(layout, d, panelStride, s, rs, cs, rows, kc, mr, wide);

        for (int p = 0; p < panels; p++)
            for (int r = 0; r < mr; r++)
                for (int k = 0; k < kp; k++)
                {
                    int row = p * mr + r;
                    long at = p * panelStride + (layout == PanelLayout.K16 ? k / 16 * mr * 16 + r * 16 + k % 16 : k * mr + r);
                    float expected = row < rows && k < kc ? src[row * rs + k * cs] : 0f;
                    Assert.That(dst[at], Is.EqualTo(expected), $"panel {p}, row {r}, k {k}");
                }
    }

    [Test]
    [Combinatorial]
    public void PackB_places_every_element_and_zero_pads(
        [Values(16, 32, 64)] int nr, [Values(false, true)] bool transposed, [Values(false, true)] bool wide, [Values(0, 3)] int kPadExtra)
    {
        const int kc = 27, cols = 45, ld = 70;
        float[] src = new float[ld * ld];
        for (int i = 0; i < src.Length; i++) src[i] = Value(i);
        // op(B)(k, c) = src[k·rs + c·cs]: row-major [kc, ld] or stored transposed [cols, ld].
        nint rs = transposed ? 1 : ld, cs = transposed ? ld : 1;
        int kPad = kc + kPadExtra, panels = (cols + nr - 1) / nr;
        nint panelStride = (nint)kPad * nr;
        float[] dst = new float[panels * panelStride];
        Array.Fill(dst, float.NaN);

        fixed (float* s = src, d = dst)
            Packing.PackB(d, panelStride, s, rs, cs, kc, kPad, cols, nr, wide);

        for (int p = 0; p < panels; p++)
            for (int k = 0; k < kPad; k++)
                for (int c = 0; c < nr; c++)
                {
                    int col = p * nr + c;
                    float expected = col < cols && k < kc ? src[k * rs + col * cs] : 0f;
                    Assert.That(dst[p * panelStride + k * nr + c], Is.EqualTo(expected), $"panel {p}, k {k}, column {c}");
                }
    }

    [Test]
    public void Transpose8x8_transposes_with_strides()
    {
        if (!System.Runtime.Intrinsics.X86.Avx.IsSupported)
            Assert.Ignore("AVX is not supported on this machine");
        float[] src = Enumerable.Range(0, 8 * 11).Select(i => (float)i).ToArray();
        float[] dst = new float[8 * 13];

        fixed (float* s = src, d = dst)
            Packing.Transpose8x8(s, 11, d, 13);

        for (int r = 0; r < 8; r++)
            for (int c = 0; c < 8; c++)
                Assert.That(dst[c * 13 + r], Is.EqualTo(src[r * 11 + c]), $"({r}, {c})");
    }
}
