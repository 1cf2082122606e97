using Pixelfly.Ir;
using Pixelfly.Ir.Json;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Tests;

public sealed class GraphJsonTests
{
    private static Graph SampleGraph()
    {
        var layout = BlockLayout.FlatBlockButterfly(64, 32, 16, 2, 1);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 5, 32);
        var w = b.Parameter("w", DType.F32, layout.NnzBlocks, 16, 16);
        var c = b.Constant("c", HostTensor.FromFloats([1, 2], 2));
        var y = b.BlockSparseMatMul(SparseMode.Dds, layout, x, w, transB: true);
        var s = b.ReduceSum(b.Gelu(y), [1], keepDims: true);
        var z = b.Softmax(b.Reshape(s, 5), -1);
        b.Output("z", z);
        b.Output("c2", b.Mul(c, c));
        return b.Build();
    }

    [Test]
    public void RoundTripReproducesTheSameJson()
    {
        string json = GraphJson.Serialize(SampleGraph());
        var again = GraphJson.Deserialize(json);
        Assert.That(GraphJson.Serialize(again), Is.EqualTo(json));
        Assert.That(again.Nodes.Select(n => n.Op.Name), Is.EqualTo(new[] { "block_sparse_matmul", "gelu", "reduce_sum", "reshape", "softmax", "mul" }));
        Assert.That(again.OutputType("z"), Is.EqualTo(new TensorType(DType.F32, 5)));
    }

    [Test]
    public void FutureVersionIsRejected()
    {
        string json = GraphJson.Serialize(SampleGraph()).Replace("\"version\": 1", "\"version\": 7");
        var ex = Assert.Throws<GraphFormatException>(() => GraphJson.Deserialize(json));
        Assert.That(ex!.Message, Does.Contain("version 7 is newer"));
    }

    [Test]
    public void UnknownOpIsRejected()
    {
        string json = GraphJson.Serialize(SampleGraph()).Replace("\"gelu\"", "\"geluu\"");
        var ex = Assert.Throws<GraphFormatException>(() => GraphJson.Deserialize(json));
        Assert.That(ex!.Message, Does.Contain("unknown op 'geluu'").And.Contain("node 1"));
    }

    [Test]
    public void TruncatedJsonIsRejected()
    {
        string json = GraphJson.Serialize(SampleGraph());
        var ex = Assert.Throws<GraphFormatException>(() => GraphJson.Deserialize(json[..(json.Length / 2)]));
        Assert.That(ex!.Message, Does.Contain("malformed JSON"));
    }

    [Test]
    public void UnknownAttributeIsRejected()
    {
        string json = GraphJson.Serialize(SampleGraph()).Replace("\"keepDims\": true", "\"keepDims\": true, \"keepdim\": 1");
        var ex = Assert.Throws<GraphFormatException>(() => GraphJson.Deserialize(json));
        Assert.That(ex!.Message, Does.Contain("keepdim"));
    }

    [Test]
    public void ShapeMismatchNamesNodeOperandAndShapes()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 4, 8);
        var w = b.Input("w", DType.F32, 7, 3);
        var ex = Assert.Throws<GraphValidationException>(() => b.MatMul(x, w));
        Assert.That(ex!.Message, Does.Contain("node 0 (matmul)").And.Contain("operand 1 'w'").And.Contain("4x8").And.Contain("7x3"));
    }

    [Test]
    public void SparseWeightThatDoesNotMatchItsLayoutIsRejected()
    {
        var layout = BlockLayout.Dense(32, 32, 16);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 3, 32);
        var w = b.Input("w", DType.F32, 3, 16, 16);
        var ex = Assert.Throws<GraphValidationException>(() => b.BlockSparseMatMul(SparseMode.Dds, layout, x, w));
        Assert.That(ex!.Message, Does.Contain("[..., 4, 16, 16]").And.Contain("f32[3,16,16]"));
    }

    [Test]
    public void EveryOpRoundTripsThroughJson()
    {
        var layout = BlockLayout.FromMask(new bool[,] { { true, false }, { false, true } }, 4);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 8, 8);
        var idx = b.Input("idx", DType.I32, 8);
        var w = b.Parameter("w", DType.F32, 2, 4, 4);
        var m = b.Input("m", DType.F32, 2, 4, 4);
        var lr = b.Input("lr", DType.F32);
        var step = b.Input("step", DType.F32);
        var vals = new List<Value>();
        foreach (UnaryFunction f in Enum.GetValues<UnaryFunction>()) vals.Add(b.Unary(f, x));
        foreach (BinaryFunction f in Enum.GetValues<BinaryFunction>()) vals.Add(b.Binary(f, x, vals[0]));
        vals.Add(b.Where(x, x, vals[1]));
        vals.Add(b.Cast(b.Cast(x, DType.BF16), DType.F32));
        vals.Add(b.Full(2.5, DType.F32, 8, 8));
        foreach (ReduceKind k in Enum.GetValues<ReduceKind>()) vals.Add(b.Apply1(new ReduceOp(k, [1], true), x) + x);
        vals.Add(b.Softmax(x));
        vals.Add(b.LogSoftmax(x, 0));
        vals.Add(b.LayerNorm(x, b.Full(1, DType.F32, 8), b.Full(0, DType.F32, 8)));
        vals.Add(b.BroadcastTo(b.Reshape(b.CrossEntropy(x, idx), 8, 1), 8, 8));
        vals.Add(b.OneHot(idx, 8));
        vals.Add(b.Transpose(b.Reshape(x, 8, 8), 1, 0));
        vals.Add(b.Pad(b.Slice(x, [0, 0], [8, 4]), [0, 2], [0, 2]));
        vals.Add(b.Slice(b.Concat(0, x, x), [4, 0], [12, 8]));
        vals.Add(b.ScatterAdd(idx, b.Gather(x, idx), 8));
        vals.Add(b.MatMul(x, x, transA: true));
        vals.Add(b.BlockSparseMatMul(SparseMode.Dds, layout, x, w, transB: true));
        var sdd = b.BlockSparseMatMul(SparseMode.Sdd, layout, x, x);
        var soft = b.BlockSparseSoftmax(layout, sdd, 0.5);
        var softGrad = b.Apply1(new BlockSparseSoftmaxGradOp(layout, 0.5), soft, sdd);
        vals.Add(b.BlockSparseMatMul(SparseMode.Dsd, layout, softGrad, x));
        var total = vals.Aggregate((p, q) => p + q);
        b.Output("total", total);
        var (p2, m2, v2) = b.AdamW(w, softGrad, m, m, lr, step, new AdamWOp(WeightDecay: 0.1));
        b.Output("w2", p2, donates: "w");
        b.Output("m2", m2);
        b.Output("v2", v2);
        var graph = b.Build();

        var used = graph.Nodes.Select(n => n.Op.Name).ToHashSet();
        Assert.That(OpRegistry.Names.Where(n => !used.Contains(n)), Is.Empty, "ops missing from this test");
        string json = GraphJson.Serialize(graph);
        Assert.That(GraphJson.Serialize(GraphJson.Deserialize(json)), Is.EqualTo(json));
    }
}
