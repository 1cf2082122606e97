using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Perf.Cases;

// Issue 6's acceptance suite for the CUDA backend: the matmuls of a block-sparse linear layer at GPU sizes in bf16.
public static partial class PerfCatalog
{
    /// <summary>
    /// The suite of issue 6: block-sparse forward/dX/dW at weights 4096² and 8192², 8192 tokens, flat block butterfly
    /// S=32 F=3 (density exactly 1/8), b = 16/32/64, bf16 in and out with f32 accumulation, plus our dense bf16 GEMM
    /// at every dense shape those cases are measured against.
    /// </summary>
    public const string GpuHeadline = "gpu-headline";

    /// <summary>Tokens (the batch of rows) of every gpu-headline case.</summary>
    public const int GpuHeadlineTokens = 8192;

    /// <summary>The square weight sizes of the gpu-headline suite.</summary>
    public static IReadOnlyList<int> GpuHeadlineSizes { get; } = [4096, 8192];

    /// <summary>The block sizes of the gpu-headline suite.</summary>
    public static IReadOnlyList<int> GpuHeadlineBlockSizes { get; } = [16, 32, 64];

    /// <summary>
    /// Butterfly size S and factor count F of the gpu-headline layouts. Density is (1+F)/S = 4/32 = 1/8, and it is
    /// exact at every b because a pixel (n/S = 128 or 256 elements) is a whole number of blocks for b ≤ 64
    /// (PIXELFLY-SPEC §1.4, aligned case); the same parameters as cpu-headline.
    /// </summary>
    public const int GpuHeadlineButterflySize = 32, GpuHeadlineFactors = 3;

    private static void AddGpuHeadline(List<PerfCase> cases)
    {
        const DType dtype = DType.BF16;
        int tokens = GpuHeadlineTokens;
        foreach (int size in GpuHeadlineSizes)
        {
            foreach (int b in GpuHeadlineBlockSizes)
                AddSparseLinear(cases, [GpuHeadline], tokens,
                    BlockLayout.FlatBlockButterfly(size, size, b, GpuHeadlineButterflySize, GpuHeadlineFactors),
                    $"b{b}-s{GpuHeadlineButterflySize}-f{GpuHeadlineFactors}-bf16", dtype);
            // The dense shapes of forward (Y = X·Wᵀ), dX (dY·W) and dW (dYᵀ·X), each as its own dense GEMM case.
            AddGemm(cases, [GpuHeadline], new GemmShape(tokens, size, size, TransB: true), dtype);
            AddGemm(cases, [GpuHeadline], new GemmShape(tokens, size, size), dtype);
            AddGemm(cases, [GpuHeadline], new GemmShape(size, size, tokens, TransA: true), dtype);
        }
    }
}
