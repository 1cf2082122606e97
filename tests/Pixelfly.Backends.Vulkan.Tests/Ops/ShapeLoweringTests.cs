using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Vulkan.Tests.Ops.OpLoweringFixtures;

namespace Pixelfly.Backends.Vulkan.Tests.Ops;

public sealed class ShapeLoweringTests
{
    [Test]
    public void TransposeViewReadsInputAxisPermForOutputAxis()
    {
        int[] shape = [2, 3, 4, 5];
        int[] perm = [2, 0, 3, 1];
        var c = Context(new TransposeOp(perm), Lavapipe, T(DType.F32, shape));
        var dispatches = VulkanLowering.Lower(c);
        Assert.That(dispatches, Has.Count.EqualTo(1));
        var outShape = perm.Select(p => shape[p]).ToArray();
        var y = new double[120];
        EmulateCopy(dispatches[0], Iota(120), y);
        foreach (var o in Coordinates(outShape))
        {
            var input = new int[4];
            for (int i = 0; i < 4; i++) input[perm[i]] = o[i];
            Assert.That(y[Flat(outShape, o)], Is.EqualTo(Flat(shape, input)), $"output [{string.Join(",", o)}]");
        }
    }

    [Test]
    public void TransposeOfInnerPairCollapsesToThreeDimensions()
    {
        var c = Context(new TransposeOp([0, 1, 3, 2]), Lavapipe, T(DType.BF16, 2, 4, 8, 16));
        var words = Words(VulkanLowering.Lower(c)[0].Push);
        Assert.That(words[1], Is.EqualTo(3), "batch axes 0 and 1 merge");
    }

    [Test]
    public void SliceViewStartsAtBeginAndKeepsInputStrides()
    {
        int[] shape = [4, 5, 6];
        var op = new SliceOp([1, 0, 2], [3, 5, 5]);
        var c = Context(op, Lavapipe, T(DType.F16, shape));
        int[] outShape = [2, 5, 3];
        var y = new double[30];
        EmulateCopy(VulkanLowering.Lower(c)[0], Iota(120), y);
        foreach (var o in Coordinates(outShape))
            Assert.That(y[Flat(outShape, o)], Is.EqualTo(Flat(shape, o[0] + 1, o[1], o[2] + 2)));
    }

    [Test]
    public void PadFillsZerosThenCopiesTheInputIntoTheInterior()
    {
        int[] shape = [2, 3];
        var c = Context(new PadOp([1, 0], [2, 2]), Lavapipe, T(DType.F32, shape));
        var dispatches = VulkanLowering.Lower(c);
        Assert.That(dispatches.Select(d => d.Shader), Is.EqualTo(new[] { "fill", "copy" }));
        var fill = Words(dispatches[0].Push);
        Assert.That(fill, Is.EqualTo(new uint[] { 25, 0 }), "5x5 output, zero bits");
        var y = new double[25];
        Array.Fill(y, -1);
        Array.Fill(y, 0, 0, (int)fill[0]);
        EmulateCopy(dispatches[1], Iota(6).Select(v => v + 1).ToArray(), y);
        int[] outShape = [5, 5];
        foreach (var o in Coordinates(outShape))
        {
            bool inside = o[0] is >= 1 and < 3 && o[1] < 3;
            Assert.That(y[Flat(outShape, o)], Is.EqualTo(inside ? Flat(shape, o[0] - 1, o[1]) + 1 : 0));
        }
    }

    [Test]
    public void ConcatCopiesEachInputIntoItsSlab()
    {
        var c = Context(new ConcatOp(1), Lavapipe, T(DType.F32, 2, 1, 3), T(DType.F32, 2, 2, 3), T(DType.F32, 2, 0, 3));
        var dispatches = VulkanLowering.Lower(c);
        Assert.That(dispatches, Has.Count.EqualTo(2), "the empty input needs no copy");
        var y = new double[18];
        EmulateCopy(dispatches[0], Iota(6), y);
        EmulateCopy(dispatches[1], Iota(12).Select(v => v + 100).ToArray(), y);
        int[] outShape = [2, 3, 3];
        foreach (var o in Coordinates(outShape))
        {
            double expected = o[1] == 0 ? Flat([2, 1, 3], o[0], 0, o[2]) : 100 + Flat([2, 2, 3], o[0], o[1] - 1, o[2]);
            Assert.That(y[Flat(outShape, o)], Is.EqualTo(expected));
        }
    }

    [Test]
    public void BroadcastToRepeatsSizeOneAndMissingAxes()
    {
        var c = Context(new BroadcastToOp([3, 4, 2]), Lavapipe, T(DType.I32, 4, 1));
        var y = new double[24];
        EmulateCopy(VulkanLowering.Lower(c)[0], Iota(4), y);
        foreach (var o in Coordinates([3, 4, 2]))
            Assert.That(y[Flat([3, 4, 2], o)], Is.EqualTo(o[1]));
    }

    [Test]
    public void ReshapeAndCopyAreOneDimensionalWordCopies()
    {
        var c = Context(new ReshapeOp([6, -1]), Lavapipe, T(DType.F32, 2, 3, 4));
        var reshape = VulkanLowering.Lower(c)[0];
        Assert.That(Words(reshape.Push)[..2], Is.EqualTo(new uint[] { 24, 1 }));
        var copy = VulkanLowering.Copy(BufferArg.Value(0, 1000), BufferArg.Value(1, 1000), 1000, Minimal);
        Assert.That(copy.Buffers[0].Id, Is.EqualTo(1), "binding 0 is the destination");
        Assert.That(Groups(copy) * copy.Specialization[0], Is.GreaterThanOrEqualTo(1000));
        var y = new double[1000];
        EmulateCopy(copy, Iota(1000), y);
        Assert.That(y, Is.EqualTo(Iota(1000)));
    }

    [Test]
    public void SupportsCountsMergedDimensionsNotTheRank()
    {
        var rank9 = T(DType.F32, 2, 2, 2, 2, 2, 2, 2, 2, 2);
        var slice = new SliceOp([0, 0, 0, 0, 0, 0, 0, 0, 0], [2, 2, 2, 2, 2, 2, 2, 2, 1]);
        Assert.That(VulkanLowering.Supports(slice, [rank9]).IsSupported, "the leading axes merge: two dimensions");
        var reverse = new TransposeOp([8, 7, 6, 5, 4, 3, 2, 1, 0]);
        var support = VulkanLowering.Supports(reverse, [rank9]);
        Assert.That(support.IsSupported, Is.False, "reversing nine axes leaves nine dimensions");
        Assert.That(support.Reason, Does.Contain("9 dimensions"));
    }

    [Test]
    public void EmptyResultsNeedNoDispatch()
    {
        Assert.That(VulkanLowering.Lower(Context(new SliceOp([0, 1], [2, 1]), Lavapipe, T(DType.F32, 2, 3))), Is.Empty);
        Assert.That(VulkanLowering.Lower(Context(new TransposeOp([1, 0]), Lavapipe, T(DType.F32, 0, 3))), Is.Empty);
    }
}
