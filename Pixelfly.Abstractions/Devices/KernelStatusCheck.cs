using Pixelfly.Ir;

namespace Pixelfly.Devices;

/// <summary>
/// The status words a GPU backend's kernels set on bad data — [tag = node index + 1, bad value, limit, position] — turned
/// into an <see cref="ExecutionException"/> worded as the CPU backend words the same errors.
/// </summary>
public static class KernelStatusCheck
{
    /// <summary>Throws when <paramref name="status"/>'s tag is set; <paramref name="reporter"/> names what set an unknown one ("a kernel").</summary>
    public static void ThrowIfBad(Graph graph, ReadOnlySpan<int> status, string reporter)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var s = status;
        if (s[0] == 0) return;
        int nodeIndex = s[0] - 1;
        if (nodeIndex < 0 || nodeIndex >= graph.Nodes.Count)
            throw new ExecutionException($"{reporter} reported bad data with an unknown tag {s[0]} (value {s[1]}, limit {s[2]}, position {s[3]})");
        var node = graph.Nodes[nodeIndex];
        string name = node.Op.Name;
        string what = name switch
        {
            "gather" => $"gather: index {s[1]} at position {s[3]} is outside [0, {s[2]}) (the table's first dimension)",
            "scatter_add" => $"scatter_add: index {s[1]} at position {s[3]} is outside [0, {s[2]}) (the output rows)",
            "cross_entropy" => $"cross_entropy: row {s[3]} has label {s[1]}, outside [0, {s[2]})",
            "adamw" => $"adamw: step must be >= 1 (steps count from 1; step 0 divides by a zero bias correction), got {BitConverter.Int32BitsToSingle(s[1])}",
            _ => $"{name}: value {s[1]} at position {s[3]} is outside [0, {s[2]})",
        };
        throw new ExecutionException($"{what} (node {nodeIndex}, output '{graph.Values[node.Outputs[0]].Name}')");
    }
}
