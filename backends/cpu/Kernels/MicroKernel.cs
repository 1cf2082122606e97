namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>How a packed A panel orders its MR rows × k values (packed B is always [k][NR]).</summary>
internal enum PanelLayout
{
    /// <summary>[k][MR]: the MR values of one k are adjacent. A plain copy when op(A) is stored transposed.</summary>
    KMajor,

    /// <summary>[k / 16][MR][16]: each row's 16 consecutive k values are adjacent. A plain copy of 64-byte row pieces
    /// when op(A) is stored row-major; k runs are padded with zeros to multiples of 16.</summary>
    K16,
}

/// <summary>The addressing of a packed A panel, as compile-time constants of the micro-kernel instantiation.</summary>
internal interface IPanelLayout
{
    /// <summary>Distance between rows r and r + 1 at the same k.</summary>
    static abstract int RowStride { get; }

    /// <summary>Advance per k inside a run.</summary>
    static abstract int KStep(int mr);

    /// <summary>k steps to take before the next <see cref="RunSkip"/>, of <paramref name="left"/> remaining.</summary>
    static abstract int RunLength(int left);

    /// <summary>Extra advance after each run.</summary>
    static abstract int RunSkip(int mr);
}

/// <summary><see cref="PanelLayout.KMajor"/> (runs of 16 k only set the kernels' C-prefetch cadence).</summary>
internal readonly struct KMajorLayout : IPanelLayout
{
    public static int RowStride => 1;

    public static int KStep(int mr) => mr;

    public static int RunLength(int left) => Math.Min(left, 16);

    public static int RunSkip(int mr) => 0;
}

/// <summary><see cref="PanelLayout.K16"/>.</summary>
internal readonly struct K16Layout : IPanelLayout
{
    public static int RowStride => 16;

    public static int KStep(int mr) => 1;

    public static int RunLength(int left) => 16;

    public static int RunSkip(int mr) => mr * 16 - 16;
}

/// <summary>
/// A register-blocked micro-kernel for one packed-A layout: C[MR×NR] = (C +) Σ_e A_e·B_e (see <see cref="MicroKernels"/>).
/// With <see cref="PanelLayout.K16"/>, kPerEntry and every A offset's k must be multiples of 16.
/// </summary>
internal readonly unsafe struct MicroKernel
{
    private MicroKernel(int mr, int nr, PanelLayout layout, string name, delegate*<int, int, float*, nint*, float*, nint*, float*, nint, bool, void> run)
    {
        Mr = mr;
        Nr = nr;
        Layout = layout;
        Name = name;
        Run = run;
    }

    /// <summary>Rows per tile.</summary>
    public int Mr { get; }

    /// <summary>Columns per tile.</summary>
    public int Nr { get; }

    /// <summary>The packed-A layout the kernel reads.</summary>
    public PanelLayout Layout { get; }

    /// <summary>"v512 12x32 k16".</summary>
    public string Name { get; }

    /// <summary>(entries, kPerEntry, a, aOffsets, b, bOffsets, c, ldc, accumulate).</summary>
    public delegate*<int, int, float*, nint*, float*, nint*, float*, nint, bool, void> Run { get; }

    /// <summary>Floats of one packed A panel holding <paramref name="k"/> steps.</summary>
    public long APanelFloats(int k) => (long)PadK(k) * Mr;

    /// <summary>k rounded up to what the A layout stores (multiples of 16 for K16).</summary>
    public int PadK(int k) => Layout == PanelLayout.K16 ? GemmCore.RoundUp(k, 16) : k;

    /// <summary>For dense GEMM with N columns: 24×16 for narrow outputs, else 12×32 (Vector512); 6×16 (Vector256).</summary>
    public static MicroKernel ForDense(bool wide, int n, PanelLayout layout) =>
        !wide ? Create(6, 16, false, layout) : n <= 16 ? Create(24, 16, true, layout) : Create(12, 32, true, layout);

    /// <summary>For Dds with block size b (the output tile is b wide): 6×64, 12×32 or 24×16 by what divides b.</summary>
    public static MicroKernel ForDds(bool wide, int b, PanelLayout layout) =>
        !wide ? Create(6, 16, false, layout)
        : b % 64 == 0 ? Create(6, 64, true, layout)
        : b % 32 == 0 ? Create(12, 32, true, layout)
        : Create(24, 16, true, layout);

    /// <summary>For Dsd (a tile's rows sit in one block row): 8×32, whose 8 rows divide b = 16, 32, 64.</summary>
    public static MicroKernel ForDsd(bool wide, PanelLayout layout) =>
        !wide ? Create(6, 16, false, layout) : Create(8, 32, true, layout);

    /// <summary>For Sdd with block size b (tiles inside one b×b block): 8×32 when 32 divides b, else 16×16.</summary>
    public static MicroKernel ForSdd(bool wide, int b, PanelLayout layout) =>
        !wide ? Create(6, 16, false, layout) : b % 32 == 0 ? Create(8, 32, true, layout) : Create(16, 16, true, layout);

    /// <summary>The kernel of one register shape and layout.</summary>
    public static MicroKernel Create(int mr, int nr, bool wide, PanelLayout layout)
    {
        bool k16 = layout == PanelLayout.K16;
        delegate*<int, int, float*, nint*, float*, nint*, float*, nint, bool, void> run = (wide, mr, nr) switch
        {
            (true, 24, 16) => k16 ? &MicroKernels.V512x24x16<K16Layout> : &MicroKernels.V512x24x16<KMajorLayout>,
            (true, 16, 16) => k16 ? &MicroKernels.V512x16x16<K16Layout> : &MicroKernels.V512x16x16<KMajorLayout>,
            (true, 12, 32) => k16 ? &MicroKernels.V512x12x32<K16Layout> : &MicroKernels.V512x12x32<KMajorLayout>,
            (true, 8, 32) => k16 ? &MicroKernels.V512x8x32<K16Layout> : &MicroKernels.V512x8x32<KMajorLayout>,
            (true, 6, 64) => k16 ? &MicroKernels.V512x6x64<K16Layout> : &MicroKernels.V512x6x64<KMajorLayout>,
            (false, 6, 16) => k16 ? &MicroKernels.V256x6x16<K16Layout> : &MicroKernels.V256x6x16<KMajorLayout>,
            _ => throw new ArgumentException($"no micro-kernel {(wide ? "v512" : "v256")} {mr}x{nr}"),
        };
        return new MicroKernel(mr, nr, layout, $"{(wide ? "v512" : "v256")} {mr}x{nr} {(k16 ? "k16" : "kmajor")}", run);
    }
}
