using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Cli.Commands;

/// <summary>
/// Checks a tensor file against what a graph binds, before any device is touched: every input and parameter
/// present with its declared dtype and shape, and nothing else in the file.
/// </summary>
internal static class GraphInputCheck
{
    /// <summary>Throws <see cref="CliException"/> listing every problem, each naming the tensor and expected vs actual.</summary>
    public static void Validate(Graph graph, IReadOnlyDictionary<string, HostTensor> tensors, string source)
    {
        var problems = new List<string>();
        var bindable = graph.Bindable.ToArray();
        foreach (var v in bindable)
        {
            string what = $"{Kind(v)} '{v.Name}'";
            if (!tensors.TryGetValue(v.Name, out var t))
            {
                string holds = tensors.Count == 0 ? "which holds no tensors" : $"which holds: {string.Join(", ", tensors.Keys)}";
                problems.Add($"{what} {v.Type} is missing from '{source}', {holds}");
                continue;
            }
            if (t.Type == v.Type) continue;
            string differs = t.Type.DType != v.Type.DType && t.Type.Shape != v.Type.Shape ? "dtype and shape differ"
                : t.Type.DType != v.Type.DType ? "dtype differs" : "shape differs";
            problems.Add($"{what}: the graph declares {v.Type}, '{source}' holds {t.Type} ({differs}){SparseHint(graph, v)}");
        }
        foreach (var name in tensors.Keys)
        {
            if (bindable.Any(v => v.Name == name)) continue;
            string why = graph.TryGetValue(name, out var other)
                ? $"'{name}' is a {(other.Kind == ValueKind.Constant ? "constant" : "computed value")} of the graph and cannot be bound"
                : "the graph has no input or parameter of that name";
            string binds = bindable.Length == 0 ? "the graph binds nothing" : $"the graph binds: {string.Join(", ", bindable.Select(v => v.Name))}";
            problems.Add($"'{source}' holds tensor '{name}', which is not an input or parameter of the graph ({why}; {binds})");
        }
        if (problems.Count == 1)
            throw new CliException(problems[0]);
        if (problems.Count > 1)
            throw new CliException($"{problems.Count} problems with the inputs: {string.Join("; ", problems)}");
    }

    private static string Kind(ValueInfo v) => v.Kind == ValueKind.Parameter ? "parameter" : "input";

    // A sparse operand's shape comes from its layout; saying so turns "shape differs" into something fixable.
    private static string SparseHint(Graph graph, ValueInfo v)
    {
        foreach (var node in graph.Nodes)
        {
            var layout = node.Op switch
            {
                BlockSparseMatMulOp { Mode: SparseMode.Dsd } m when node.Inputs[0] == v.Id => m.Layout,
                BlockSparseMatMulOp { Mode: SparseMode.Dds } m when node.Inputs[1] == v.Id => m.Layout,
                BlockSparseSoftmaxOp s when node.Inputs[0] == v.Id => s.Layout,
                BlockSparseSoftmaxGradOp g when node.Inputs.Contains(v.Id) => g.Layout,
                _ => null,
            };
            if (layout is not null)
                return $"; it is the sparse operand of node {node.Index} ({node.Op.Name}), whose layout stores " +
                       $"{layout.NnzBlocks} blocks of {layout.BlockSize}x{layout.BlockSize} ({layout.Rows}x{layout.Cols} padded), " +
                       $"so it must be [..., {layout.NnzBlocks}, {layout.BlockSize}, {layout.BlockSize}] with blocks in block-CSR order";
        }
        return "";
    }
}
