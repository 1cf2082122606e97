using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Vulkan.Tests.MatMul.MatMulLoweringFixtures;

namespace Pixelfly.Backends.Vulkan.Tests.MatMul;

public sealed class BlockSparseSoftmaxLoweringTests
{
    private static readonly BlockLayout Layout = BlockLayout.FromMask(new[,]
    {
        { true, false, true },
        { false, false, false },
        { true, true, true },
    }, 16);

    [Test]
    public void Softmax_OneWorkgroupPerElementRowWithTheRowPointersAsTable()
    {
        var x = new TensorType(DType.F32, 2, 5, 16, 16);
        var d = MatMulLowering.Lower(Context(new BlockSparseSoftmaxOp(Layout, 0.5), Lavapipe, x)).Single();
        Assert.That(d.Shader, Is.EqualTo("bsr_softmax"));
        Assert.That(Words(d.Push), Is.EqualTo(new[] { 48u, 5u, 96u, BitConverter.SingleToUInt32Bits(0.5f) }));
        Assert.That(Groups(d), Is.EqualTo(96));
        Assert.That(d.Buffers.Select(b => b.Kind), Is.EqualTo(new[] { BufferArgKind.Value, BufferArgKind.Value, BufferArgKind.Table }));
        Assert.That(d.Buffers[2].Data, Is.EqualTo(new[] { 0, 2, 2, 5 }));
        Assert.That(d.Specialization[3], Is.EqualTo(16u));
        Assert.That(d.Specialization[0] & (d.Specialization[0] - 1), Is.Zero, "the tree reduction needs a power of two");
    }

    [Test]
    public void SoftmaxGrad_ReadsYAndDyAndWritesDx()
    {
        var y = new TensorType(DType.F32, 5, 16, 16);
        var c = Context(new BlockSparseSoftmaxGradOp(Layout, 2.0), Lavapipe, y, y);
        var d = MatMulLowering.Lower(c).Single();
        Assert.That(d.Shader, Is.EqualTo("bsr_softmax_grad"));
        Assert.That(d.Buffers.Select(b => b.Id).Take(3), Is.EqualTo(new[] { c.Node.Inputs[0], c.Node.Inputs[1], c.Node.Outputs[0] }));
        Assert.That(d.Buffers[3].Data, Is.EqualTo(new[] { 0, 2, 2, 5 }));
        Assert.That(Groups(d), Is.EqualTo(48));
    }

    [Test]
    public void SmallDevice_ShrinksTheRowWorkgroupToAPowerOfTwoItAllows()
    {
        var limits = Lavapipe with { MaxWorkgroupInvocations = 48 };
        var d = MatMulLowering.Lower(Context(new BlockSparseSoftmaxOp(Layout), limits, new TensorType(DType.F32, 5, 16, 16))).Single();
        Assert.That(d.Specialization[0], Is.EqualTo(32u));
    }
}
