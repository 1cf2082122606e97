using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Backends.Vulkan.Lowering.MatMul;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Vulkan.Tests.MatMul.MatMulLoweringFixtures;

namespace Pixelfly.Backends.Vulkan.Tests.MatMul;

public sealed class CooperativeMatrixGemmTests
{
    private static readonly LoweringLimits CoopmatGpu = BigGpu with { CooperativeMatrix = true };

    private static Dispatch Lower(DType dtype, bool optedIn, bool offered = true)
    {
        var limits = offered ? CoopmatGpu : BigGpu;
        var c = Context(new MatMulOp(TransB: true), limits, new TensorType(dtype, 130, 48), new TensorType(dtype, 70, 48));
        return GemmLowering.Lower(c, (MatMulOp)c.Node.Op, optedIn).Single();
    }

    [Test]
    public void F16OnAnOfferingDevice_UsesTensorCoresOnlyWhenOptedIn()
    {
        Assert.That(Lower(DType.F16, optedIn: false).Shader, Is.EqualTo("gemm"));
        var d = Lower(DType.F16, optedIn: true);
        Assert.That(d.Shader, Is.EqualTo("gemm_coopmat"));
        Assert.That(d.Specialization[0], Is.EqualTo(4 * BigGpu.SubgroupSize));
        Assert.That(d.Specialization[9], Is.EqualTo(1u));
        // 64 x 64 tiles: 3 x 2 of them for 130 x 70.
        Assert.That(Words(d.Push)[5..8], Is.EqualTo(new uint[] { 2, 6, 6 }));
    }

    [Test]
    public void F32AndBf16OrADeviceWithoutCooperativeMatrices_KeepThePortableGemm()
    {
        Assert.That(Lower(DType.F32, optedIn: true).Shader, Is.EqualTo("gemm"));
        Assert.That(Lower(DType.BF16, optedIn: true).Shader, Is.EqualTo("gemm"));
        Assert.That(Lower(DType.F16, optedIn: true, offered: false).Shader, Is.EqualTo("gemm"));
    }
}
