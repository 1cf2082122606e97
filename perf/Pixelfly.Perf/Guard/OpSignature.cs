using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Perf.Guard;

/// <summary>
/// What a kernel choice depends on for one node: the op, its dispatch-relevant attributes (sparse mode, transposes,
/// block size, output type) and the input dtypes; never the sizes, so a tiny corpus case and a 2048² perf case of
/// the same kind share a signature ("block_sparse_matmul dds tB b32 f32,f32").
/// </summary>
/// <param name="Text">The signature as one line; two signatures are equal when their texts are.</param>
public sealed record OpSignature(string Text)
{
    /// <summary>The signature of one node of <paramref name="graph"/>.</summary>
    public static OpSignature Of(Graph graph, Node node)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(node);
        string inputs = string.Join(",", node.Inputs.Select(i => graph.Values[i].Type.DType.Name()));
        string attributes = node.Op switch
        {
            BlockSparseMatMulOp b => $" {b.Mode.ToString().ToLowerInvariant()}{Transposes(b.TransA, b.TransB)} b{b.Layout.BlockSize}{Out(b.OutputType)}",
            MatMulOp m => $"{Transposes(m.TransA, m.TransB)}{Out(m.OutputType)}",
            _ => "",
        };
        return new OpSignature($"{node.Op.Name}{attributes} {inputs}");
    }

    /// <summary>The distinct signatures of every node of a graph, in first-use order.</summary>
    public static IReadOnlyList<OpSignature> AllOf(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return graph.Nodes.Select(n => Of(graph, n)).Distinct().ToArray();
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    private static string Transposes(bool a, bool b) => (a ? " tA" : "") + (b ? " tB" : "");

    private static string Out(DType? type) => type is { } t ? $" out={t.Name()}" : "";
}
