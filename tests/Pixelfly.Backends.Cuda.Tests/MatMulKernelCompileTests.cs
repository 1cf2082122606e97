using Pixelfly.Backends.Cuda.Lowering;
using Pixelfly.Backends.Cuda.Lowering.MatMul;
using Pixelfly.Backends.Cuda.Runtime;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>
/// Every matmul-family variant the lowering can emit for an H100 (TF32 opted in, so its variants are included) or an
/// A100 compiles through NVRTC (the runtime's
/// path) for sm_80 and sm_90 with no error and no warning. Compiling also checks what C# and CUDA must agree on: the
/// tensor-core kernels static_assert the launch's block size and dynamic shared bytes (PF_THREADS, PF_SMEM_BYTES), and
/// ptxas rejects malformed inline PTX (mma.sync, ldmatrix, cp.async). Ignored, with the reason, without NVRTC.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]   // ~250 independent NVRTC compilations: use every core
public class MatMulKernelCompileTests
{
    private static readonly CudaLoweringLimits A100 = new(80, 108, 166912, false);

    private static KernelVariant[] AllVariants() =>
        [.. MatMulLowering.Variants(CudaLoweringLimits.H100 with { Tf32 = true }).Concat(MatMulLowering.Variants(A100)).Distinct()];

    private static IEnumerable<TestCaseData> VariantKeys() =>
        from variant in AllVariants()
        from arch in new[] { 80, 90 }
        select new TestCaseData(variant.Key, arch).SetName($"Compiles {variant.Key} for sm_{arch}");

    [TestCaseSource(nameof(VariantKeys))]
    public void EveryMatMulVariantCompilesWithoutWarnings(string key, int arch)
    {
        var variant = AllVariants().Single(v => v.Key == key);
        var kernel = Nvrtc.EmbeddedCompiler().Compile(variant, arch);
        Assert.That(kernel.IsCubin, Is.True);
        Assert.That(kernel.Image, Is.Not.Empty);
    }

    [Test]
    public void ATileTableThatDisagreesWithTheKernelFailsToCompile()
    {
        var good = MatMulKernels.GemmMma(2, false, false);
        var drifted = new KernelVariant(good.Source, [.. good.Defines.Select(d => d.Key == "PF_SMEM_BYTES" ? new KeyValuePair<string, string>(d.Key, "4096") : d)]);
        var error = Assert.Throws<KernelCompilationException>(() => Nvrtc.EmbeddedCompiler().Compile(drifted, 90));
        Assert.That(error!.Message, Does.Contain("dynamic shared bytes"));
    }

    [TestCase(DType.F32)]
    [TestCase(DType.BF16)]
    public void EveryMatMulKernelALaunchNamesIsInItsCompiledModule(DType dtype)
    {
        var graph = MatMulLoweringTests.EveryMatMul(dtype);
        KernelSignatures.AssertModulesExport(graph.Nodes.SelectMany(n => MatMulLowering.Lower(new LoweringContext(graph, n, CudaLoweringLimits.H100))));
    }
}
