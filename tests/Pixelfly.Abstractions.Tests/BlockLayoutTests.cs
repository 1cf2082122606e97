using Pixelfly.Layouts;

namespace Pixelfly.Tests;

public sealed class BlockLayoutTests
{
    [Test]
    public void TransposeIndexPointsBackToTheSameBlocks()
    {
        var mask = new bool[,] { { true, false, true }, { false, false, false }, { true, true, false } };
        var layout = BlockLayout.FromMask(mask, 16);
        Assert.That(layout.NnzBlocks, Is.EqualTo(4));
        for (int q = 0; q < layout.BlockCols; q++)
            for (int k = layout.ColPtr[q]; k < layout.ColPtr[q + 1]; k++)
                Assert.That(layout.IndexOf(layout.CscRowIdx[k], q), Is.EqualTo(layout.CscBlockIndex[k]));
        Assert.That(layout.Transposed().ToMask()[2, 0], Is.True);
        Assert.That(layout.Transposed().ToMask()[0, 2], Is.True);
    }

    [TestCase(30, 32, 16, "not a multiple")]
    [TestCase(32, 32, 0, "block size must be positive")]
    public void RejectsSizesThatDoNotFitTheBlock(int rows, int cols, int b, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => new BlockLayout(rows, cols, b, [0, 0], []));
        Assert.That(ex!.Message, Does.Contain(message));
    }

    [Test]
    public void RejectsUnsortedColumnIndices()
    {
        var ex = Assert.Throws<ArgumentException>(() => new BlockLayout(16, 32, 16, [0, 2], [1, 0]));
        Assert.That(ex!.Message, Does.Contain("not strictly ascending"));
    }
}
