using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Vulkan.Tests.Ops.OpLoweringFixtures;

namespace Pixelfly.Backends.Vulkan.Tests.Ops;

public sealed class ElementwiseLoweringTests
{
    [Test]
    public void BinaryBroadcastReadsEachOperandAtItsNumpyIndex()
    {
        int[] a = [4, 1, 3], b = [5, 1], y = [4, 5, 3];
        var c = Context(new BinaryOp(BinaryFunction.Add), Lavapipe, T(DType.F32, a), T(DType.F32, b));
        var d = VulkanLowering.Lower(c).Single();
        Assert.That(d.Specialization[1], Is.EqualTo(10), "add's function code");
        Assert.That(d.Specialization[2], Is.EqualTo(0), "f32 results are not rounded");
        var offsets = ElementwiseOffsets(d);
        foreach (var o in Coordinates(y))
        {
            int i = Flat(y, o);
            Assert.That(offsets[0][i], Is.EqualTo(Flat(a, o[0], 0, o[2])));
            Assert.That(offsets[1][i], Is.EqualTo(Flat(b, o[1], 0)));
        }
    }

    [Test]
    public void WhereBindsCondAThenBAndSelectsByCondDType()
    {
        int[] y = [2, 3, 4];
        var c = Context(new WhereOp(), Lavapipe, T(DType.I32, 3, 1), T(DType.BF16, 2, 3, 4), T(DType.BF16));
        var d = VulkanLowering.Lower(c).Single();
        Assert.That(d.Specialization[1], Is.EqualTo(21), "an i32 condition compares bits with zero");
        Assert.That(d.Specialization[2], Is.EqualTo(0), "where selects existing values: no rounding");
        Assert.That(d.Buffers.Select(x => x.Id), Is.EqualTo(new[] { c.Node.Outputs[0], c.Node.Inputs[0], c.Node.Inputs[1], c.Node.Inputs[2] }));
        var offsets = ElementwiseOffsets(d);
        foreach (var o in Coordinates(y))
        {
            int i = Flat(y, o);
            Assert.That(offsets[0][i], Is.EqualTo(o[1]));
            Assert.That(offsets[1][i], Is.EqualTo(i));
            Assert.That(offsets[2][i], Is.EqualTo(0), "the scalar is repeated");
        }
        var floatCond = Context(new WhereOp(), Lavapipe, T(DType.F32, 3), T(DType.F32, 3), T(DType.F32, 3));
        Assert.That(VulkanLowering.Lower(floatCond).Single().Specialization[1], Is.EqualTo(20));
    }

    [TestCase(DType.F16, 1u)]
    [TestCase(DType.BF16, 2u)]
    [TestCase(DType.F32, 0u)]
    public void UnaryResultsAreRoundedToTheirDType(DType dtype, uint round)
    {
        var d = VulkanLowering.Lower(Context(new UnaryOp(UnaryFunction.Gelu), Lavapipe, T(dtype, 7, 33))).Single();
        Assert.That(d.Specialization[1], Is.EqualTo(6));
        Assert.That(d.Specialization[2], Is.EqualTo(round));
        Assert.That(Words(d.Push)[..3], Is.EqualTo(new uint[] { 231, 1, 231 }), "one contiguous dimension");
    }

    [TestCase(DType.F32, DType.F16, 30u, 1u)]
    [TestCase(DType.F16, DType.BF16, 30u, 2u)]
    [TestCase(DType.BF16, DType.F32, 33u, 0u)]
    [TestCase(DType.I32, DType.BF16, 31u, 2u)]
    [TestCase(DType.I32, DType.F32, 31u, 0u)]
    [TestCase(DType.F32, DType.I32, 32u, 0u)]
    [TestCase(DType.I32, DType.I32, 33u, 0u)]
    public void CastPicksConversionAndRounding(DType from, DType to, uint code, uint round)
    {
        var d = VulkanLowering.Lower(Context(new CastOp(to), Lavapipe, T(from, 5))).Single();
        Assert.That((d.Specialization[1], d.Specialization[2]), Is.EqualTo((code, round)));
    }

    [Test]
    public void FullStoresTheValueRoundedToItsDType()
    {
        Assert.That(ElementwiseLowering.BitsOf(DType.F32, 0.1), Is.EqualTo(BitConverter.SingleToUInt32Bits(0.1f)));
        Assert.That(ElementwiseLowering.BitsOf(DType.F16, 0.1), Is.EqualTo(BitConverter.SingleToUInt32Bits((float)(Half)0.1f)));
        Assert.That(ElementwiseLowering.BitsOf(DType.BF16, 1.00390625), Is.EqualTo(0x3F800000u), "1 + 2^-8 ties to even 1.0");
        Assert.That(ElementwiseLowering.BitsOf(DType.I32, -3.7), Is.EqualTo(unchecked((uint)-3)), "truncates toward zero");
        var d = VulkanLowering.Lower(Context(new FullOp([2, 3], double.NegativeInfinity, DType.BF16), Lavapipe)).Single();
        Assert.That(d.Shader, Is.EqualTo("fill"));
        Assert.That(Words(d.Push), Is.EqualTo(new uint[] { 6, 0xFF800000u }));
    }

    [Test]
    public void LargeOutputsFoldTheGridIntoY()
    {
        var d = VulkanLowering.Lower(Context(new UnaryOp(UnaryFunction.Exp), Minimal, T(DType.F32, 65535 * 128 + 1))).Single();
        Assert.That(d.GroupsX, Is.EqualTo(65535));
        Assert.That(d.GroupsY, Is.EqualTo(2));
        Assert.That(d.Specialization[0], Is.EqualTo(128), "no more invocations than the device allows");
    }

    [Test]
    public void BroadcastBeyondTheShaderRankIsUnsupportedWithAReason()
    {
        // Alternating broadcast axes cannot merge: 7 dimensions stay.
        var a = T(DType.F32, 2, 1, 2, 1, 2, 1, 2);
        var b = T(DType.F32, 1, 2, 1, 2, 1, 2, 1);
        var support = VulkanLowering.Supports(new BinaryOp(BinaryFunction.Mul), [a, b]);
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.Contain("7 dimensions"));
        Assert.That(() => VulkanLowering.Lower(Context(new BinaryOp(BinaryFunction.Mul), Lavapipe, a, b)),
            Throws.TypeOf<NotSupportedException>().With.Message.Contains("node 0 (mul)"));
    }
}
