using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Vulkan.Tests.Ops.OpLoweringFixtures;

namespace Pixelfly.Backends.Vulkan.Tests.Ops;

public sealed class ReductionLoweringTests
{
    [Test]
    public void ReduceOverAxesZeroAndTwoVisitsExactlyEachOutputsElements()
    {
        int[] shape = [3, 4, 5, 2];
        var c = Context(new ReduceOp(ReduceKind.Sum, [0, 2], KeepDims: true), Lavapipe, T(DType.F32, shape));
        var d = VulkanLowering.Lower(c).Single();
        var offsets = ReduceOffsets(d);
        Assert.That(offsets, Has.Length.EqualTo(8));
        for (int j = 0; j < 4; j++)
            for (int l = 0; l < 2; l++)
            {
                var expected = new List<uint>();
                for (int i = 0; i < 3; i++)
                    for (int k = 0; k < 5; k++) expected.Add((uint)Flat(shape, i, j, k, l));
                Assert.That(offsets[j * 2 + l], Is.EqualTo(expected), $"output [0,{j},0,{l}] in row-major order of the reduced axes");
            }
    }

    [Test]
    public void ShortReductionsUseAnInvocationPerOutputLongOnesAWorkgroup()
    {
        var shortOne = VulkanLowering.Lower(Context(new ReduceOp(ReduceKind.Max, [0], false), Lavapipe, T(DType.F32, 4, 1000))).Single();
        Assert.That(shortOne.Specialization[3], Is.EqualTo(0));
        Assert.That(Groups(shortOne) * shortOne.Specialization[0], Is.GreaterThanOrEqualTo(1000));
        var longOne = VulkanLowering.Lower(Context(new ReduceOp(ReduceKind.Mean, [-1], true), Lavapipe, T(DType.BF16, 3, 4096))).Single();
        Assert.That(longOne.Specialization, Is.EqualTo(new uint[] { 256, 1, 2, 1 }), "tree of 256, mean, bf16 rounding, per group");
        Assert.That(Groups(longOne), Is.EqualTo(3));
        Assert.That(BitConverter.UInt32BitsToSingle(Words(longOne.Push)[4]), Is.EqualTo(4096f), "mean divides by the reduced count");
    }

    [Test]
    public void ALongReductionWithFewOutputsIsSplitIntoPartialsThenCombinedInOrder()
    {
        const int n = 1 << 20;
        var c = Context(new ReduceOp(ReduceKind.Mean, [1], false), Lavapipe, T(DType.F16, 2, n));
        var dispatches = VulkanLowering.Lower(c);
        Assert.That(dispatches, Has.Count.EqualTo(2));
        var (partials, final) = (dispatches[0], dispatches[1]);
        Assert.That(partials.Specialization, Is.EqualTo(new uint[] { 256, 0, 0, 1 }), "raw sums, unrounded, trees");
        Assert.That(partials.Buffers[0].Kind, Is.EqualTo(BufferArgKind.Scratch));
        Assert.That(Groups(partials), Is.EqualTo(256), "128 splits of 8192 for each of 2 outputs");
        var ranges = ReduceOffsets(partials);
        Assert.That(ranges.SelectMany(r => r), Is.EqualTo(Enumerable.Range(0, 2 * n).Select(i => (uint)i)), "every element once, in order");
        Assert.That(final.Specialization, Is.EqualTo(new uint[] { 256, 1, 1, 0 }), "mean, f16 rounding, an invocation per output");
        Assert.That(final.Buffers[1], Is.EqualTo(partials.Buffers[0]), "the second pass reads the partials");
        Assert.That(BitConverter.UInt32BitsToSingle(Words(final.Push)[4]), Is.EqualTo((float)n), "the mean divides by the whole row");
        Assert.That(ReduceOffsets(final), Is.EqualTo(new[] { Enumerable.Range(0, 128).Select(i => (uint)i), Enumerable.Range(128, 128).Select(i => (uint)i) }));
    }

    [Test]
    public void ReduceAllGivesOneOutput()
    {
        var d = VulkanLowering.Lower(Context(new ReduceOp(ReduceKind.Sum, [0, 1, 2], false), Lavapipe, T(DType.F32, 3, 5, 7))).Single();
        var w = Words(d.Push);
        Assert.That((w[0], w[1], w[2], w[3]), Is.EqualTo((1u, 105u, 0u, 1u)), "one output, 105 reduced elements merged into one dimension");
    }

    [Test]
    public void SoftmaxAlongAMiddleAxisGivesEachRowAnInvocationWalkingWithTheInnerStride()
    {
        var d = VulkanLowering.Lower(Context(new SoftmaxOp(1), Lavapipe, T(DType.F32, 3, 10, 4))).Single();
        Assert.That(d.Shader, Is.EqualTo("rows"));
        var w = Words(d.Push);
        Assert.That((w[0], w[1], w[2]), Is.EqualTo((12u, 10u, 4u)), "rows = outer x inner, length, inner stride");
        Assert.That(d.Specialization, Is.EqualTo(new uint[] { 256, 0, 0, 0 }), "softmax, no rounding, an invocation per row");
        Assert.That(Groups(d), Is.EqualTo(1));
    }

    [Test]
    public void LogSoftmaxAlongTheLastAxisGivesEachRowAWorkgroupTree()
    {
        var d = VulkanLowering.Lower(Context(new LogSoftmaxOp(-1), Lavapipe, T(DType.F16, 5, 1000))).Single();
        Assert.That(d.Specialization, Is.EqualTo(new uint[] { 256, 1, 1, 1 }), "tree of 256, log_softmax, f16 rounding, per group");
        Assert.That(Groups(d), Is.EqualTo(5));
    }

    [Test]
    public void ReductionOverAnOuterAxisUsesColumnTilesOfAdjacentOutputs()
    {
        var tiles = VulkanLowering.Lower(Context(new ReduceOp(ReduceKind.Sum, [0], false), Lavapipe, T(DType.F32, 4096, 3081))).Single();
        Assert.That(tiles.Specialization, Is.EqualTo(new uint[] { 256, 0, 0, 2 }), "column tiles: 32 adjacent outputs x 8 slices");
        Assert.That(Groups(tiles), Is.EqualTo(97), "ceil(3081 / 32) tiles");
        var few = VulkanLowering.Lower(Context(new ReduceOp(ReduceKind.Sum, [0], false), Lavapipe, T(DType.F32, 4096, 8))).Single();
        Assert.That(few.Specialization[3], Is.EqualTo(1), "eight outputs cannot fill a tile: a tree each");
        var scattered = VulkanLowering.Lower(Context(new ReduceOp(ReduceKind.Max, [0, 2], false), Lavapipe, T(DType.F32, 64, 2000, 2))).Single();
        Assert.That(scattered.Specialization[3], Is.EqualTo(0), "outputs two words apart, 2000 of them: an invocation each");
    }

    [Test]
    public void LayerNormPassesEpsilonGammaAndBeta()
    {
        var c = Context(new LayerNormOp(1e-5), Lavapipe, T(DType.BF16, 2, 3, 96), T(DType.BF16, 96), T(DType.BF16, 96));
        var d = VulkanLowering.Lower(c).Single();
        var w = Words(d.Push);
        Assert.That((w[0], w[1], w[2]), Is.EqualTo((6u, 96u, 1u)));
        Assert.That(BitConverter.UInt32BitsToSingle(w[3]), Is.EqualTo(1e-5f));
        Assert.That(d.Specialization, Is.EqualTo(new uint[] { 128, 2, 2, 1 }), "tree of 128 for 96 columns, layer_norm, bf16, per group");
        Assert.That(d.Buffers[2].Id, Is.EqualTo(c.Node.Inputs[1]));
        Assert.That(d.Buffers[3].Id, Is.EqualTo(c.Node.Inputs[2]));
    }

    [Test]
    public void CrossEntropyReportsBadLabelsThroughTheStatusBufferWithTheNodeTag()
    {
        var c = Context(new CrossEntropyOp(), Lavapipe, T(DType.F32, 4, 7, 10), T(DType.I32, 4, 7));
        var d = VulkanLowering.Lower(c).Single();
        Assert.That(d.Buffers[4].Kind, Is.EqualTo(BufferArgKind.Status));
        Assert.That(d.Buffers[2].Id, Is.EqualTo(c.Node.Inputs[1]), "labels");
        var w = Words(d.Push);
        Assert.That((w[0], w[1], w[4]), Is.EqualTo((28u, 10u, 1u)), "28 rows of 10 classes, tag = node 0 + 1");
    }
}
