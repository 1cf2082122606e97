using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Vulkan.Tests.MatMul.MatMulLoweringFixtures;

namespace Pixelfly.Backends.Vulkan.Tests.MatMul;

public sealed class BlockSparseLoweringTests
{
    // 3 x 4 blocks of 16: block row 1 and block column 3 are empty.
    //   row 0: columns 0, 2     row 1: -     row 2: columns 0, 1, 2
    private static readonly BlockLayout Layout = BlockLayout.FromMask(new[,]
    {
        { true, false, true, false },
        { false, false, false, false },
        { true, true, true, false },
    }, 16);

    private static readonly int[] CsrTable = [0, 2, 2, 5, /* blocks */ 0, 1, 2, 3, 4, /* columns */ 0, 2, 0, 1, 2];
    private static readonly int[] CscTable = [0, 2, 3, 5, 5, /* blocks */ 0, 2, 3, 1, 4, /* rows */ 0, 2, 2, 0, 2];

    private static TensorType F32(params int[] dims) => new(DType.F32, dims);

    private static Dispatch Lower(BlockSparseMatMulOp op, params TensorType[] inputs) =>
        MatMulLowering.Lower(Context(op, Lavapipe, inputs)).Single();

    [Test]
    public void Dds_WalksTheBlockColumnsThroughTheCscIndex()
    {
        var d = Lower(new BlockSparseMatMulOp(SparseMode.Dds, Layout), F32(10, 48), F32(5, 16, 16));
        Assert.That(d.Shader, Is.EqualTo("dds"));
        Assert.That(d.Buffers[3].Kind, Is.EqualTo(BufferArgKind.Table));
        Assert.That(d.Buffers[3].Data, Is.EqualTo(CscTable));
        // M, N, K, strideA, strideW, lines (block columns, the empty one included), nnz, tilesM, tiles.
        Assert.That(Words(d.Push), Is.EqualTo(new uint[] { 10, 64, 48, 0, 0, 4, 5, 1, 4 }));
        Assert.That(Groups(d), Is.EqualTo(4));
        Assert.That(Tile(d).BN, Is.EqualTo(16u));
        Assert.That(d.Specialization[9], Is.Zero);
    }

    [Test]
    public void DdsTransposed_WalksTheBlockRowsThroughTheCsrIndexAndReadsBlocksTransposed()
    {
        var d = Lower(new BlockSparseMatMulOp(SparseMode.Dds, Layout, TransB: true), F32(10, 64), F32(5, 16, 16));
        Assert.That(d.Buffers[3].Data, Is.EqualTo(CsrTable));
        Assert.That(Words(d.Push)[..7], Is.EqualTo(new uint[] { 10, 48, 64, 0, 0, 3, 5 }));
        Assert.That(d.Specialization[9], Is.EqualTo(1u));
    }

    [Test]
    public void Dsd_WalksTheBlockRowsThroughTheCsrIndex()
    {
        var d = Lower(new BlockSparseMatMulOp(SparseMode.Dsd, Layout), F32(5, 16, 16), F32(64, 7));
        Assert.That(d.Shader, Is.EqualTo("dsd"));
        Assert.That(d.Buffers[3].Data, Is.EqualTo(CsrTable));
        // M, N, K, strideW, strideB, lines, nnz, tilesN, tiles.
        Assert.That(Words(d.Push), Is.EqualTo(new uint[] { 48, 7, 64, 0, 0, 3, 5, 1, 3 }));
        Assert.That(Tile(d).BM, Is.EqualTo(16u));
    }

    [Test]
    public void DsdTransposed_WalksTheBlockColumnsThroughTheCscIndexAndReadsBlocksTransposed()
    {
        var d = Lower(new BlockSparseMatMulOp(SparseMode.Dsd, Layout, TransA: true), F32(5, 16, 16), F32(48, 7));
        Assert.That(d.Buffers[3].Data, Is.EqualTo(CscTable));
        Assert.That(Words(d.Push)[..7], Is.EqualTo(new uint[] { 64, 7, 48, 0, 0, 4, 5 }));
        Assert.That(d.Specialization[8], Is.EqualTo(1u));
    }

    [Test]
    public void Sdd_OneWorkgroupPerStoredBlockAndBatch()
    {
        var d = Lower(new BlockSparseMatMulOp(SparseMode.Sdd, Layout, TransB: true), F32(2, 48, 20), F32(2, 64, 20));
        Assert.That(d.Shader, Is.EqualTo("sdd"));
        Assert.That(d.Buffers[3].Data, Is.EqualTo(new[] { 0, 0, 2, 2, 2, /* columns */ 0, 2, 0, 1, 2 }));
        // M, N, K, strideA, strideB, nnz, blocks.
        Assert.That(Words(d.Push), Is.EqualTo(new uint[] { 48, 64, 20, 48 * 20, 64 * 20, 5, 10 }));
        Assert.That(Groups(d), Is.EqualTo(10));
        Assert.That(d.Buffers[2].Words, Is.EqualTo(2 * 5 * 16 * 16));
        Assert.That(d.Specialization[9], Is.EqualTo(1u));
    }

    [Test]
    public void SharedSparseWeights_HaveStrideZeroAndPerBatchWeightsTheirBlockCount()
    {
        var shared = Lower(new BlockSparseMatMulOp(SparseMode.Dds, Layout), F32(3, 10, 48), F32(5, 16, 16));
        var perBatch = Lower(new BlockSparseMatMulOp(SparseMode.Dds, Layout), F32(3, 10, 48), F32(3, 5, 16, 16));
        Assert.That(Words(shared.Push)[3..5], Is.EqualTo(new uint[] { 480, 0 }));
        Assert.That(Words(perBatch.Push)[3..5], Is.EqualTo(new uint[] { 480, 5 * 256 }));
        Assert.That(Words(perBatch.Push)[8], Is.EqualTo(3u * 4), "tiles cover every batch");
        var dsd = Lower(new BlockSparseMatMulOp(SparseMode.Dsd, Layout), F32(3, 5, 16, 16), F32(3, 64, 7));
        Assert.That(Words(dsd.Push)[3..5], Is.EqualTo(new uint[] { 5 * 256, 64 * 7 }));
    }

    [TestCase(16)]
    [TestCase(32)]
    [TestCase(64)]
    [TestCase(128)]
    [TestCase(12)]
    public void EveryBlockSize_GivesTilesAlignedToTheBlockThatFitLavapipe(int b)
    {
        var layout = BlockLayout.Dense(2 * b, 3 * b, b);
        var sparse = F32(6, b, b);
        var dispatches = new[]
        {
            Lower(new BlockSparseMatMulOp(SparseMode.Sdd, layout), F32(2 * b, 40), F32(40, 3 * b)),
            Lower(new BlockSparseMatMulOp(SparseMode.Dsd, layout), sparse, F32(3 * b, 100)),
            Lower(new BlockSparseMatMulOp(SparseMode.Dds, layout), F32(100, 2 * b), sparse),
        };
        foreach (var d in dispatches)
        {
            var (bm, bn, bk, tm, tn) = Tile(d);
            Assert.That(d.Specialization[0], Is.EqualTo(bm / tm * (bn / tn)), d.Label);
            Assert.That(d.Specialization[0], Is.LessThanOrEqualTo(Lavapipe.MaxWorkgroupInvocations), d.Label);
            Assert.That(4L * bk * (bm + bn + 2), Is.LessThanOrEqualTo(Lavapipe.MaxSharedMemoryBytes), d.Label);
            Assert.That((long)b % bk, Is.Zero, d.Label);
        }
        Assert.That(Tile(dispatches[0]).BM, Is.EqualTo((uint)b));
        Assert.That(Tile(dispatches[0]).BN, Is.EqualTo((uint)b));
        Assert.That(Tile(dispatches[1]).BM, Is.EqualTo((uint)b));
        Assert.That(Tile(dispatches[2]).BN, Is.EqualTo((uint)b));
    }
}
