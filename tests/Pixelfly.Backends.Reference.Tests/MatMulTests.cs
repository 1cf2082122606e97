using Pixelfly.Ir;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Reference.Tests.TestSupport;

namespace Pixelfly.Backends.Reference.Tests;

public sealed class MatMulTests
{
    [Test]
    public void TwoByTwoProductMatchesHandComputation()
    {
        var b = new GraphBuilder();
        var a = b.Input("a", DType.F32, 2, 2);
        var c = b.Input("c", DType.F32, 2, 2);
        b.Output("ab", b.MatMul(a, c));
        b.Output("atb", b.MatMul(a, c, transA: true));
        b.Output("abt", b.MatMul(a, c, transB: true));
        var r = Run(b.Build(), ("a", HostTensor.FromFloats([1, 2, 3, 4], 2, 2)), ("c", HostTensor.FromFloats([5, 6, 7, 8], 2, 2)));
        Assert.That(r["ab"].ToDoubles(), Is.EqualTo(new double[] { 19, 22, 43, 50 }));
        Assert.That(r["atb"].ToDoubles(), Is.EqualTo(new double[] { 26, 30, 38, 44 }));
        Assert.That(r["abt"].ToDoubles(), Is.EqualTo(new double[] { 17, 23, 39, 53 }));
    }

    /// <summary>Batch dims of A and B (empty = rank 2, shared across the batch).</summary>
    private static IEnumerable<TestCaseData> BatchCases()
    {
        foreach (var transA in new[] { false, true })
            foreach (var transB in new[] { false, true })
            {
                yield return new TestCaseData(Array.Empty<int>(), Array.Empty<int>(), transA, transB);
                yield return new TestCaseData(new[] { 3 }, Array.Empty<int>(), transA, transB);
                yield return new TestCaseData(Array.Empty<int>(), new[] { 3 }, transA, transB);
                yield return new TestCaseData(new[] { 2, 3 }, new[] { 2, 3 }, transA, transB);
            }
    }

    [TestCaseSource(nameof(BatchCases))]
    public void BatchedProductWithTransposesMatchesTheTripleLoop(int[] batchA, int[] batchB, bool transA, bool transB)
    {
        const int m = 5, k = 7, n = 4;
        var random = new Random(11);
        int[] aDims = [.. batchA, .. transA ? new[] { k, m } : [m, k]];
        int[] bDims = [.. batchB, .. transB ? new[] { n, k } : [k, n]];
        var aValues = RandomValues(random, new Shape(aDims).ElementCount);
        var bValues = RandomValues(random, new Shape(bDims).ElementCount);

        var g = new GraphBuilder();
        var a = g.Input("a", DType.F64, aDims);
        var bb = g.Input("b", DType.F64, bDims);
        var y = RunSingle(g, g.MatMul(a, bb, transA, transB), ("a", F64(aValues, aDims)), ("b", F64(bValues, bDims)));

        int batches = new Shape(batchA.Length > 0 ? batchA : batchB).ElementCount;
        Assert.That(y, Has.Length.EqualTo(batches * m * n));
        for (int batch = 0; batch < batches; batch++)
        {
            int aOffset = batchA.Length > 0 ? batch * m * k : 0;
            int bOffset = batchB.Length > 0 ? batch * k * n : 0;
            var expected = DenseProduct(aValues, aOffset, aDims[^1], transA, bValues, bOffset, bDims[^1], transB, m, k, n);
            Assert.That(y.AsSpan(batch * m * n, m * n).ToArray(), Is.EqualTo(expected).Within(1e-13), $"batch {batch}");
        }
    }

    [Test]
    public void Bf16OutputIsRoundedOnceFromTheExactProduct()
    {
        // 1·1 + 2^-9·1 = 1 + 2^-9, which bf16 (7 fraction bits) rounds to 1; 1 + 3·2^-8 rounds to 1 + 2^-6.
        var b = new GraphBuilder();
        var a = b.Input("a", DType.F32, 2, 2);
        var c = b.Input("c", DType.F32, 2, 1);
        var y = RunSingle(b, b.MatMul(a, c, outputType: DType.BF16),
            ("a", HostTensor.FromFloats([1, (float)Math.ScaleB(1, -9), 1, 3 * (float)Math.ScaleB(1, -8)], 2, 2)),
            ("c", HostTensor.FromFloats([1, 1], 2, 1)));
        Assert.That(y, Is.EqualTo(new[] { 1, 1 + Math.ScaleB(1, -6) }));
    }
}
