using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Devices;

/// <summary>The compile-time check a GPU backend makes before planning a graph, worded the same on every backend.</summary>
public static class GraphSupportCheck
{
    /// <summary>
    /// Throws <see cref="UnsupportedOpException"/> when an input, parameter or constant is f64 (saying
    /// <paramref name="f64Reason"/>) or a node's op is not supported by <paramref name="supports"/> on
    /// <paramref name="device"/>.
    /// </summary>
    public static void Validate(Graph graph, IDevice device, string f64Reason, Func<Op, IReadOnlyList<TensorType>, Support> supports)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(supports);
        foreach (var v in graph.Values)
            if (v.Kind != ValueKind.Node && v.Type.DType == DType.F64)
                throw new UnsupportedOpException($"{v.Kind.ToString().ToLowerInvariant()} '{v.Name}' is {v.Type}: {f64Reason}");
        foreach (var node in graph.Nodes)
        {
            var support = supports(node.Op, node.Inputs.Select(i => graph.Values[i].Type).ToArray());
            if (!support.IsSupported)
                throw new UnsupportedOpException($"node {node.Index} ({node.Op.Name}, output '{graph.Values[node.Outputs[0]].Name}') on {device.Info.Id}: {support.Reason}");
        }
    }
}
