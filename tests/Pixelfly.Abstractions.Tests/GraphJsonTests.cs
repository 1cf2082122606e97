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
}
