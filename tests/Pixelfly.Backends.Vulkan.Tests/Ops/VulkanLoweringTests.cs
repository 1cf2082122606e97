using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Vulkan.Tests.Ops.OpLoweringFixtures;

namespace Pixelfly.Backends.Vulkan.Tests.Ops;

public sealed class VulkanLoweringTests
{
    [Test]
    public void F64IsUnsupportedWithAReason()
    {
        var support = VulkanLowering.Supports(new UnaryOp(UnaryFunction.Exp), [T(DType.F64, 3)]);
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.Contain("f64"));
        var cast = VulkanLowering.Supports(new CastOp(DType.F64), [T(DType.F32, 3)]);
        Assert.That(cast.IsSupported, Is.False, "an f64 result is refused too");
    }

    [Test]
    public void EveryOtherOpIsSupported()
    {
        Assert.That(VulkanLowering.Supports(new ReduceOp(ReduceKind.Max, [1], false), [T(DType.BF16, 3, 4)]).IsSupported);
        Assert.That(VulkanLowering.Supports(new MatMulOp(), [T(DType.F16, 3, 4), T(DType.F16, 4, 5)]).IsSupported);
        Assert.That(VulkanLowering.Supports(new GatherOp(), [T(DType.F32, 3, 4), T(DType.I32, 5)]).IsSupported);
    }

    [Test]
    public void MatMulWithHalfResultIsFollowedByARound()
    {
        var c = Context(new MatMulOp(), Lavapipe, T(DType.BF16, 16, 32), T(DType.BF16, 32, 8));
        var dispatches = VulkanLowering.Lower(c);
        var last = dispatches[^1];
        Assert.That(last.Shader, Is.EqualTo("round"));
        Assert.That(last.Specialization[1], Is.EqualTo(2));
        Assert.That(last.Buffers.Single().Id, Is.EqualTo(c.Node.Outputs[0]));
        var f32 = VulkanLowering.Lower(Context(new MatMulOp(OutputType: DType.F32), Lavapipe, T(DType.BF16, 16, 32), T(DType.BF16, 32, 8)));
        Assert.That(f32.Select(d => d.Shader), Has.No.Member("round"), "an f32 result needs no rounding");
    }

    [Test]
    public void ExportLaunchesOneInvocationPerPackedWord()
    {
        var export = VulkanLowering.Export(BufferArg.Value(3, 1001), new BufferArg(BufferArgKind.Bound, 0, 501, null), DType.F16, 1001, Minimal);
        Assert.That(export.Specialization, Is.EqualTo(new uint[] { 128, 1, 0 }));
        Assert.That(Groups(export), Is.EqualTo(4), "501 words in groups of 128");
        Assert.That(export.Buffers[0].Kind, Is.EqualTo(BufferArgKind.Bound), "binding 0 is the packed buffer");
        var import = VulkanLowering.Import(new BufferArg(BufferArgKind.Bound, 0, 501, null), BufferArg.Value(3, 1001), DType.BF16, 1001, Minimal);
        Assert.That(import.Specialization, Is.EqualTo(new uint[] { 128, 0, 1 }));
        Assert.That(Groups(import), Is.EqualTo(8), "1001 elements in groups of 128");
        Assert.That(() => VulkanLowering.Import(import.Buffers[0], import.Buffers[1], DType.F32, 4, Minimal), Throws.ArgumentException);
    }
}
