using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Autodiff.Tests;

/// <summary>Every differentiable op's reverse-mode rule against central finite differences (float64).</summary>
public sealed class GradientRuleTests
{
    [TestCase(UnaryFunction.Neg, -1.0, 1.0)]
    [TestCase(UnaryFunction.Exp, -1.0, 1.0)]
    [TestCase(UnaryFunction.Log, 0.5, 2.0)]
    [TestCase(UnaryFunction.Tanh, -2.0, 2.0)]
    [TestCase(UnaryFunction.Sigmoid, -3.0, 3.0)]
    [TestCase(UnaryFunction.Relu, -1.0, 1.0)]
    [TestCase(UnaryFunction.Gelu, -3.0, 3.0)]
    [TestCase(UnaryFunction.Rsqrt, 0.5, 2.0)]
    [TestCase(UnaryFunction.Sqrt, 0.5, 2.0)]
    public void Unary(UnaryFunction f, double lo, double hi)
    {
        var fd = new FiniteDifference();
        var x = fd.Input("x", [3, 4], lo, hi);
        fd.Check(fd.B.Unary(f, x));
    }

    [TestCase(BinaryFunction.Add)]
    [TestCase(BinaryFunction.Sub)]
    [TestCase(BinaryFunction.Mul)]
    [TestCase(BinaryFunction.Div)]
    [TestCase(BinaryFunction.Maximum)]
    [TestCase(BinaryFunction.Minimum)]
    public void BinaryWithBroadcasting(BinaryFunction f)
    {
        var fd = new FiniteDifference();
        var a = fd.Input("a", [3, 1, 4]);
        var b = fd.Input("b", [5, 1], 0.5, 1.5);
        fd.Check(fd.B.Binary(f, a, b));
    }

    [Test]
    public void Where()
    {
        var fd = new FiniteDifference();
        var cond = fd.B.Input("cond", DType.I32, 3, 4);
        fd.Data["cond"] = HostTensor.FromInts([1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0], 3, 4);
        var a = fd.Input("a", [3, 4]);
        var b = fd.Input("b", [4]);
        fd.Check(fd.B.Where(cond, a, b));
    }

    [Test]
    public void CastThroughF32()
    {
        // Rounding to f32 limits finite differences to about 1e-7·|L| / h, hence the wider step and tolerance.
        var fd = new FiniteDifference();
        var x = fd.Input("x", [3, 4]);
        fd.Check(fd.B.Cast(fd.B.Cast(x, DType.F32), DType.F64), tolerance: 1e-3, step: 1e-3);
    }

    [TestCase(ReduceKind.Sum, new[] { 1 }, false)]
    [TestCase(ReduceKind.Mean, new[] { 0, 2 }, true)]
    [TestCase(ReduceKind.Max, new[] { 1 }, false)]
    [TestCase(ReduceKind.Max, new[] { 0, 1, 2 }, true)]
    public void Reductions(ReduceKind kind, int[] axes, bool keepDims)
    {
        var fd = new FiniteDifference();
        var x = fd.Input("x", [2, 3, 4]);
        fd.Check(fd.B.Apply1(new ReduceOp(kind, axes, keepDims), x));
    }

    [TestCase(-1)]
    [TestCase(0)]
    public void Softmax(int axis)
    {
        var fd = new FiniteDifference();
        fd.Check(fd.B.Softmax(fd.Input("x", [3, 5], -2, 2), axis));
    }

    [TestCase(-1)]
    [TestCase(0)]
    public void LogSoftmax(int axis)
    {
        var fd = new FiniteDifference();
        fd.Check(fd.B.LogSoftmax(fd.Input("x", [3, 5], -2, 2), axis));
    }

    [Test]
    public void LayerNorm()
    {
        var fd = new FiniteDifference();
        var x = fd.Input("x", [2, 3, 6], -2, 2);
        var gamma = fd.Input("gamma", [6], 0.5, 1.5);
        var beta = fd.Input("beta", [6]);
        fd.Check(fd.B.LayerNorm(x, gamma, beta, 1e-5));
    }

    [Test]
    public void CrossEntropy()
    {
        var fd = new FiniteDifference();
        var logits = fd.Input("logits", [2, 3, 5], -2, 2);
        var labels = fd.Indices("labels", [0, 4, 2, 1, 3, 3], 2, 3);
        fd.Check(fd.B.CrossEntropy(logits, labels));
    }

    [Test]
    public void ShapeOps()
    {
        var fd = new FiniteDifference();
        var b = fd.B;
        var x = fd.Input("x", [2, 3, 4]);
        var y = b.Transpose(b.Reshape(x, 6, 4), 1, 0);
        var s = b.Slice(y, [1, 2], [4, 5]);
        var p = b.Pad(s, [1, 0], [0, 2]);
        var c = b.Concat(0, p, b.Slice(y, [0, 0], [2, 5]), b.BroadcastTo(fd.Input("z", [1, 5]), 3, 5));
        fd.Check(c);
    }

    // Slices that split a value along one axis (with a gap no slice reads, and out of order), slices along two
    // different axes, and overlapping slices: the first is gathered as one concatenation, the others as padded sums.
    [TestCase("split")]
    [TestCase("two axes")]
    [TestCase("overlapping")]
    public void Several_slices_of_one_value(string kind)
    {
        var fd = new FiniteDifference();
        var b = fd.B;
        var x = fd.Input("x", [3, 9]);
        var w = b.Exp(x);
        Value[] parts = kind switch
        {
            "split" => [b.Slice(w, [0, 5], [3, 9]), b.Slice(w, [0, 0], [3, 3]), b.Slice(w, [0, 3], [3, 4])],
            "two axes" => [b.Slice(w, [0, 0], [3, 4]), b.Slice(w, [1, 0], [3, 9])],
            _ => [b.Slice(w, [0, 0], [3, 6]), b.Slice(w, [0, 4], [3, 9])],
        };
        var y = parts.Select((p, i) => b.ReduceSum(p * p * b.Scalar(i + 1.0, DType.F64), [0, 1])).Aggregate((a, c) => a + c);
        fd.Check(y);
    }

    [Test]
    public void A_split_value_gets_its_gradient_as_one_concatenation()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 4, 10);
        var w = b.Exp(x);
        var q = b.Slice(w, [0, 0], [4, 3]);
        var k = b.Slice(w, [0, 3], [4, 7]);
        b.Output("loss", b.ReduceSum(q * q, [0, 1]) + b.ReduceSum(k, [0, 1]));
        var grads = Gradients.Build(b.Build(), "loss", ["x"]);
        Assert.That(grads.Nodes.Count(n => n.Op is ConcatOp), Is.EqualTo(1));
        Assert.That(grads.Nodes.Any(n => n.Op is PadOp), Is.False, "no slice gradient is padded to the full width");
    }

    [Test]
    public void GatherAndScatterAdd()
    {
        var fd = new FiniteDifference();
        var b = fd.B;
        var table = fd.Input("table", [6, 3]);
        var idx = fd.Indices("idx", [5, 0, 5, 2, 1], 5);
        var gathered = b.Gather(table, idx);
        var updates = fd.Input("updates", [5, 3]);
        var scattered = b.ScatterAdd(idx, gathered * updates, 6);
        fd.Check(scattered);
    }

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public void MatMulBatchedWithSharedOperand(bool transA, bool transB)
    {
        var fd = new FiniteDifference();
        var a = fd.Input("a", transA ? [2, 4, 3] : [2, 3, 4]);
        var w = fd.Input("w", transB ? [5, 4] : [4, 5]);
        fd.Check(fd.B.MatMul(a, w, transA, transB));
    }

    [TestCase(false, false, false)]
    [TestCase(false, true, false)]
    [TestCase(false, false, true)]
    [TestCase(true, false, true)]
    public void MatMulWithOneOutputColumn(bool transB, bool batchedB, bool batchedA)
    {
        // A gate: y = A·w with one column, whose dA the rule writes as a broadcast outer product.
        var fd = new FiniteDifference();
        var a = fd.Input("a", batchedA ? [2, 3, 4] : [3, 4]);
        int[] wDims = transB ? [1, 4] : [4, 1];
        var w = fd.Input("w", batchedB ? [2, .. wDims] : wDims);
        fd.Check(fd.B.MatMul(a, w, transB: transB));
    }

    [TestCase(false, false)]
    [TestCase(true, true)]
    public void MatMulSharedLeftOperand(bool transA, bool transB)
    {
        var fd = new FiniteDifference();
        var a = fd.Input("a", transA ? [4, 3] : [3, 4]);
        var w = fd.Input("w", transB ? [2, 5, 4] : [2, 4, 5]);
        fd.Check(fd.B.MatMul(a, w, transA, transB));
    }

    private static BlockLayout SmallLayout() =>
        // 3x2 blocks of 2x2 with an empty block row: exercises the CSR and CSC paths of every rule.
        BlockLayout.FromMask(new bool[,] { { true, false }, { false, false }, { true, true } }, 2);

    [Test]
    public void BlockSparseMatMul(
        [Values(SparseMode.Sdd, SparseMode.Dsd, SparseMode.Dds)] SparseMode mode,
        [Values(false, true)] bool transA,
        [Values(false, true)] bool transB)
    {
        var layout = SmallLayout();
        var fd = new FiniteDifference();
        int nnz = layout.NnzBlocks;
        int[] Dense(int rows, int cols, bool trans) => trans ? [2, cols, rows] : [2, rows, cols];
        Value y;
        switch (mode)
        {
            case SparseMode.Sdd:
            {
                // C (6x4, sparse) = op(A) (6x3) · op(B) (3x4)
                var a = fd.Input("a", Dense(6, 3, transA));
                var w = fd.Input("w", Dense(3, 4, transB));
                y = fd.B.BlockSparseMatMul(mode, layout, a, w, transA, transB);
                break;
            }
            case SparseMode.Dsd:
            {
                var (m, k) = transA ? (4, 6) : (6, 4);
                var a = fd.Input("a", [nnz, 2, 2]);
                var w = fd.Input("w", Dense(k, 3, transB));
                y = fd.B.BlockSparseMatMul(mode, layout, a, w, transA, transB);
                Assert.That(y.Shape, Is.EqualTo(new Shape(2, m, 3)));
                break;
            }
            default:
            {
                var (k, n) = transB ? (4, 6) : (6, 4);
                var a = fd.Input("a", Dense(3, k, transA));
                var w = fd.Input("w", [nnz, 2, 2]);
                y = fd.B.BlockSparseMatMul(mode, layout, a, w, transA, transB);
                Assert.That(y.Shape, Is.EqualTo(new Shape(2, 3, n)));
                break;
            }
        }
        fd.Check(y);
    }

    [Test]
    public void BlockSparseSoftmax()
    {
        var layout = SmallLayout();
        var fd = new FiniteDifference();
        var x = fd.Input("x", [2, layout.NnzBlocks, 2, 2], -2, 2);
        fd.Check(fd.B.BlockSparseSoftmax(layout, x, scale: 0.7));
    }
}
