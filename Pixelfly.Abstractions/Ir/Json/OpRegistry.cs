using System.Text.Json;
using System.Text.Json.Nodes;
using Pixelfly.Ir.Ops;

namespace Pixelfly.Ir.Json;

/// <summary>Maps op names of the JSON form to op records and back.</summary>
public static class OpRegistry
{
    private static readonly Dictionary<string, Type> Fixed = new()
    {
        ["where"] = typeof(WhereOp),
        ["cast"] = typeof(CastOp),
        ["full"] = typeof(FullOp),
        ["softmax"] = typeof(SoftmaxOp),
        ["log_softmax"] = typeof(LogSoftmaxOp),
        ["layer_norm"] = typeof(LayerNormOp),
        ["cross_entropy"] = typeof(CrossEntropyOp),
        ["one_hot"] = typeof(OneHotOp),
        ["reshape"] = typeof(ReshapeOp),
        ["transpose"] = typeof(TransposeOp),
        ["slice"] = typeof(SliceOp),
        ["pad"] = typeof(PadOp),
        ["concat"] = typeof(ConcatOp),
        ["broadcast_to"] = typeof(BroadcastToOp),
        ["gather"] = typeof(GatherOp),
        ["scatter_add"] = typeof(ScatterAddOp),
        ["matmul"] = typeof(MatMulOp),
        ["block_sparse_matmul"] = typeof(BlockSparseMatMulOp),
        ["block_sparse_softmax"] = typeof(BlockSparseSoftmaxOp),
        ["block_sparse_softmax_grad"] = typeof(BlockSparseSoftmaxGradOp),
        ["adamw"] = typeof(AdamWOp),
    };

    private static readonly Dictionary<string, UnaryFunction> Unaries =
        Enum.GetValues<UnaryFunction>().ToDictionary(OpNames.Of);

    private static readonly Dictionary<string, BinaryFunction> Binaries =
        Enum.GetValues<BinaryFunction>().ToDictionary(OpNames.Of);

    private static readonly Dictionary<string, ReduceKind> Reductions =
        Enum.GetValues<ReduceKind>().ToDictionary(OpNames.Of);

    /// <summary>Every op name, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } =
        Fixed.Keys.Concat(Unaries.Keys).Concat(Binaries.Keys).Concat(Reductions.Keys).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Reads an op from its name and attribute object (without "op", "inputs", "outputs").</summary>
    public static Op Read(string name, JsonObject attributes)
    {
        if (Unaries.TryGetValue(name, out var u)) { NoAttributes(name, attributes); return new UnaryOp(u); }
        if (Binaries.TryGetValue(name, out var b)) { NoAttributes(name, attributes); return new BinaryOp(b); }
        if (Reductions.TryGetValue(name, out var r))
        {
            attributes["kind"] = JsonNamingPolicy.SnakeCaseLower.ConvertName(r.ToString());
            return attributes.Deserialize<ReduceOp>(IrJsonOptions.Default)!;
        }
        if (!Fixed.TryGetValue(name, out var type))
            throw new JsonException($"unknown op '{name}'; known ops: {string.Join(", ", Names)}");
        return (Op)(attributes.Deserialize(type, IrJsonOptions.Default) ?? throw new JsonException($"op '{name}' has no attributes"));
    }

    /// <summary>Writes an op's attributes (not its name).</summary>
    public static JsonObject WriteAttributes(Op op)
    {
        if (op is UnaryOp or BinaryOp) return [];
        var node = JsonSerializer.SerializeToNode(op, op.GetType(), IrJsonOptions.Default)!.AsObject();
        node.Remove("name");
        node.Remove("arity");
        node.Remove("isDifferentiable");
        if (op is ReduceOp) node.Remove("kind");
        return node;
    }

    private static void NoAttributes(string name, JsonObject attributes)
    {
        if (attributes.Count > 0)
            throw new JsonException($"op '{name}' takes no attributes, got '{attributes.First().Key}'");
    }
}
