using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Backends.Vulkan.Lowering.MatMul;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Vulkan.Tests.MatMul.MatMulLoweringFixtures;

namespace Pixelfly.Backends.Vulkan.Tests.MatMul;

public sealed class GemmLoweringTests
{
    [Test]
    public void OddShapes_OneGemmDispatchWithATileForEveryOutputTile()
    {
        var c = Context(new MatMulOp(), Lavapipe, new TensorType(DType.F32, 149, 497), new TensorType(DType.F32, 497, 3081));
        var d = MatMulLowering.Lower(c).Single();
        Assert.That(d.Shader, Is.EqualTo("gemm"));
        var (bm, bn, _, _, _) = Tile(d);
        long tilesM = (149 + bm - 1) / bm, tilesN = (3081 + bn - 1) / bn;
        Assert.That(Groups(d), Is.EqualTo(tilesM * tilesN));
        Assert.That(Words(d.Push), Is.EqualTo(new uint[] { 149, 3081, 497, 0, 0, (uint)tilesN, (uint)(tilesM * tilesN), (uint)(tilesM * tilesN) }));
        Assert.That(d.Buffers.Select(b => (b.Kind, b.Words)), Is.EqualTo(new[]
        {
            (BufferArgKind.Value, 149L * 497), (BufferArgKind.Value, 497L * 3081), (BufferArgKind.Value, 149L * 3081),
        }));
        Assert.That(d.Buffers.Select(b => b.Id), Is.EqualTo(new[] { c.Node.Inputs[0], c.Node.Inputs[1], c.Node.Outputs[0] }));
    }

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public void Transposes_BecomeTheLoadDirectionConstants(bool transA, bool transB)
    {
        var a = transA ? new TensorType(DType.F32, 64, 24) : new TensorType(DType.F32, 24, 64);
        var b = transB ? new TensorType(DType.F32, 20, 64) : new TensorType(DType.F32, 64, 20);
        var d = MatMulLowering.Lower(Context(new MatMulOp(transA, transB), Lavapipe, a, b)).Single();
        Assert.That(d.Specialization[8], Is.EqualTo(transA ? 1u : 0u));
        Assert.That(d.Specialization[9], Is.EqualTo(transB ? 1u : 0u));
        Assert.That(Words(d.Push)[..3], Is.EqualTo(new uint[] { 24, 20, 64 }));
    }

    [Test]
    public void RankTwoOperand_IsSharedAcrossTheBatchWithStrideZero()
    {
        var c = Context(new MatMulOp(TransB: true), Lavapipe, new TensorType(DType.F32, 3, 5, 24, 64), new TensorType(DType.F32, 20, 64));
        var d = MatMulLowering.Lower(c).Single();
        var w = Words(d.Push);
        Assert.That(w[3], Is.EqualTo(24u * 64), "A is batched");
        Assert.That(w[4], Is.EqualTo(0u), "B is shared");
        Assert.That(w[7], Is.EqualTo(15 * w[6]), "one set of tiles per batch");
        Assert.That(Groups(d), Is.EqualTo((long)w[7]));
    }

    [Test]
    public void SharedA_BatchedB_GivesAStrideZero()
    {
        var c = Context(new MatMulOp(), Lavapipe, new TensorType(DType.F32, 24, 64), new TensorType(DType.F32, 4, 64, 20));
        var w = Words(MatMulLowering.Lower(c).Single().Push);
        Assert.That((w[3], w[4]), Is.EqualTo((0u, 64u * 20)));
    }

    [Test]
    public void LargeProductOnABigGpu_UsesTheLargeRegisterBlock()
    {
        var c = Context(new MatMulOp(), BigGpu, new TensorType(DType.F32, 2048, 2048), new TensorType(DType.F32, 2048, 2048));
        var d = MatMulLowering.Lower(c).Single();
        Assert.That(Tile(d), Is.EqualTo((128u, 128u, 16u, 8u, 8u)));
        Assert.That(d.Specialization[0], Is.EqualTo(256u));
    }

    [Test]
    public void SmallProduct_UsesASmallTile()
    {
        var c = Context(new MatMulOp(), BigGpu, new TensorType(DType.F32, 8, 2048), new TensorType(DType.F32, 2048, 6));
        var d = MatMulLowering.Lower(c).Single();
        Assert.That(Tile(d).BM, Is.LessThanOrEqualTo(32u));
    }

    [Test]
    public void ManyTiles_AreFoldedIntoTheSecondGroupDimension()
    {
        var limits = Lavapipe with { MaxGroupCount = [16, 65535, 65535] };
        var c = Context(new MatMulOp(), limits, new TensorType(DType.F32, 40, 24, 64), new TensorType(DType.F32, 40, 64, 20));
        var d = MatMulLowering.Lower(c).Single();
        Assert.That(d.GroupsX, Is.EqualTo(16u));
        Assert.That(Groups(d), Is.GreaterThanOrEqualTo(Words(d.Push)[7]));
        Assert.That(d.GroupsY, Is.EqualTo((40 + 15) / 16));
    }

    [Test]
    public void EveryGemmTile_MatchesItsWorkgroupAndFitsLavapipe()
    {
        foreach (var t in new[] { TileChoice.GemmLarge, TileChoice.GemmMedium, TileChoice.GemmSmall, TileChoice.GemmTiny })
        {
            Assert.That(t.BM % t.TM, Is.Zero, t.ToString());
            Assert.That(t.BN % t.TN, Is.Zero, t.ToString());
            Assert.That(t.Specialization(false, false)[0], Is.EqualTo(t.BM / t.TM * (t.BN / t.TN)), t.ToString());
            Assert.That(t.FitsIn(Lavapipe), Is.True, t.ToString());
        }
    }

    [Test]
    public void DeviceTooSmallForAnyTile_IsAClearError()
    {
        var tiny = Lavapipe with { MaxWorkgroupInvocations = 32 };
        var c = Context(new MatMulOp(), tiny, new TensorType(DType.F32, 24, 64), new TensorType(DType.F32, 64, 20));
        Assert.That(() => MatMulLowering.Lower(c), Throws.TypeOf<NotSupportedException>().With.Message.Contains("invocations"));
    }

    [Test]
    public void OperandBeyondTheStorageBufferRange_IsAClearError()
    {
        var limits = Lavapipe with { MaxStorageBufferBytes = 4096 };
        var c = Context(new MatMulOp(), limits, new TensorType(DType.F32, 24, 64), new TensorType(DType.F32, 64, 20));
        Assert.That(() => MatMulLowering.Lower(c),
            Throws.TypeOf<NotSupportedException>().With.Message.Contains("6144 bytes").And.Message.Contains("storage-buffer range of 4096"));
    }
}
