using Pixelfly.Backends.Cuda.Lowering;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>
/// Every plain op-kernel variant compiles through NVRTC, the same path the runtime uses, for sm_80 and sm_90, with no
/// error and no warning (a warning is an error), and every op kernel a launch names is in its module. The matmul
/// family's variants are compiled by <see cref="MatMulKernelCompileTests"/>; together the two cover
/// <see cref="CudaLowering.AllVariants"/> (OpsLoweringTests checks that). Ignored, with the reason, where NVRTC is
/// absent (scripts/fetch-nvrtc.sh fetches it).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public class OpsKernelCompileTests
{
    private static IEnumerable<TestCaseData> VariantKeys() =>
        from variant in OpKernels.All
        from arch in new[] { 80, 90 }
        select new TestCaseData(variant.Key, arch).SetName($"Compiles {variant.Key} for sm_{arch}");

    [TestCaseSource(nameof(VariantKeys))]
    public void EveryOpVariantCompilesWithoutWarnings(string key, int arch)
    {
        var variant = OpKernels.All.Single(v => v.Key == key);
        var kernel = Nvrtc.EmbeddedCompiler().Compile(variant, arch);
        Assert.That(kernel.IsCubin, Is.True);
        Assert.That(kernel.Image, Is.Not.Empty);
    }

    [TestCase(DType.F32)]
    [TestCase(DType.BF16)]
    public void EveryOpKernelALaunchNamesIsInItsCompiledModule(DType dtype)
    {
        var graph = OpsLoweringTests.EveryOp(dtype);
        KernelSignatures.AssertModulesExport(graph.Nodes
            .SelectMany(n => CudaLowering.Instance.Lower(new LoweringContext(graph, n, CudaLoweringLimits.H100)))
            .Append(CudaLowering.Instance.Copy(LaunchArg.Value(0), LaunchArg.Value(1), 8)));
    }
}
