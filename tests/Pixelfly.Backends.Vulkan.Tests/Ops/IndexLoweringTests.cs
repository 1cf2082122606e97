using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Vulkan.Tests.Ops.OpLoweringFixtures;

namespace Pixelfly.Backends.Vulkan.Tests.Ops;

public sealed class IndexLoweringTests
{
    [Test]
    public void GatherChecksIndicesAgainstTheTableRows()
    {
        var c = Context(new GatherOp(), Lavapipe, T(DType.BF16, 50, 3, 4), T(DType.I32, 2, 5));
        var d = VulkanLowering.Lower(c).Single();
        var w = Words(d.Push);
        Assert.That(w, Is.EqualTo(new uint[] { 120, 12, 50, 10, 0, 0, 1 }), "count, row length, limit, indices, -, -, tag");
        Assert.That(d.Buffers.Select(b => b.Kind), Is.EqualTo(new[] { BufferArgKind.Value, BufferArgKind.Value, BufferArgKind.Value, BufferArgKind.Status }));
        Assert.That(d.Buffers[1].Id, Is.EqualTo(c.Node.Inputs[1]), "binding 1 holds the indices");
        Assert.That(d.Specialization[2], Is.EqualTo(0), "gather copies values: no rounding");
    }

    [Test]
    public void OneHotWritesTheBitsOfOneInItsDType()
    {
        var f = VulkanLowering.Lower(Context(new OneHotOp(7, DType.BF16), Lavapipe, T(DType.I32, 3))).Single();
        Assert.That(Words(f.Push)[5], Is.EqualTo(0x3F800000u));
        var i = VulkanLowering.Lower(Context(new OneHotOp(7, DType.I32), Lavapipe, T(DType.I32, 3))).Single();
        Assert.That(Words(i.Push)[..6], Is.EqualTo(new uint[] { 21, 7, 7, 3, 0, 1 }));
    }

    [Test]
    public void ScatterAddLaunchesAWorkgroupPerRowTileAndColumnStripe()
    {
        var c = Context(new ScatterAddOp(40), Lavapipe, T(DType.I32, 6), T(DType.F16, 6, 300));
        var d = VulkanLowering.Lower(c).Single();
        Assert.That(d.Specialization, Is.EqualTo(new uint[] { 256, 2, 1, 16 }), "256 columns a group, scatter_add, f16 rounding, 16-row tiles");
        var w = Words(d.Push);
        Assert.That(w[..5], Is.EqualTo(new uint[] { 6, 300, 40, 6, 2 }), "groups, row length, rows, indices, stripes");
        Assert.That(Groups(d), Is.EqualTo(6), "3 tiles of 16 rows x 2 stripes");
        Assert.That(d.Buffers[2].Id, Is.EqualTo(c.Node.Inputs[1]), "binding 2 holds the updates");
    }

    [Test]
    public void ScatterAddTilesFitTheSharedMemory()
    {
        Assert.That(IndexLowering.TileRows(256, 1000, Minimal), Is.EqualTo(15), "16 KiB: 15 rows of 256 sums next to 256 indices");
        Assert.That(IndexLowering.TileRows(32, 1000, Lavapipe), Is.EqualTo(16));
        Assert.That(IndexLowering.TileRows(256, 3, Lavapipe), Is.EqualTo(3), "no more rows than the output has");
    }

    [Test]
    public void AdamWWritesAllThreeOutputsInOneDispatch()
    {
        var p = T(DType.BF16, 8, 16);
        var scalar = T(DType.F32);
        var c = Context(new AdamWOp(0.9, 0.999, 1e-8, 0.01), Lavapipe, p, p, p, p, scalar, scalar);
        var d = VulkanLowering.Lower(c).Single();
        Assert.That(d.Buffers.Skip(6).Take(3).Select(b => b.Id), Is.EqualTo(c.Node.Outputs));
        Assert.That(d.Buffers[9].Kind, Is.EqualTo(BufferArgKind.Status));
        Assert.That(d.Specialization[1], Is.EqualTo(2), "every output rounded to bf16");
        var w = Words(d.Push);
        Assert.That(BitConverter.UInt32BitsToSingle(w[6]), Is.EqualTo((float)Math.Log(0.999)));
    }
}
