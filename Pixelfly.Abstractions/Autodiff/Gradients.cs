using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Autodiff;

/// <summary>
/// Reverse-mode differentiation of a graph. The result is another IR graph: the forward nodes replayed, then
/// one backward rule per node (<see cref="GradientRules"/>), written in IR ops so every backend runs it.
/// </summary>
public static class Gradients
{
    /// <summary>Prefix of the gradient outputs: "grad/&lt;name&gt;".</summary>
    public const string OutputPrefix = "grad/";

    /// <summary>
    /// Returns a graph with the same inputs, parameters and constants, every original output, and one output
    /// "grad/&lt;name&gt;" per name in <paramref name="wrt"/> (float inputs or parameters). <paramref name="loss"/>
    /// names a graph output holding a float scalar.
    /// </summary>
    public static Graph Build(Graph graph, string loss, IReadOnlyList<string> wrt)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(wrt);
        var b = new GraphBuilder();
        var map = Replay(b, graph);
        var grads = Backward(b, graph, map, loss, wrt);
        foreach (var o in graph.Outputs)
            b.Output(o.Name, map[o.Value], o.Donates);
        foreach (var name in wrt)
        {
            string outName = OutputPrefix + name;
            if (graph.Outputs.Any(o => o.Name == outName))
                throw new GraphValidationException($"the graph already has an output named '{outName}'");
            b.Output(outName, grads[name]);
        }
        return b.Build();
    }

    /// <summary>Copies a graph's declarations and nodes into a builder, keeping names; returns old id → new value.</summary>
    public static Value[] Replay(GraphBuilder b, Graph graph)
    {
        var map = new Value[graph.Values.Count];
        foreach (var v in graph.Values)
        {
            switch (v.Kind)
            {
                case ValueKind.Input: map[v.Id] = b.Input(v.Name, v.Type); break;
                case ValueKind.Parameter: map[v.Id] = b.Parameter(v.Name, v.Type); break;
                case ValueKind.Constant: map[v.Id] = b.Constant(v.Name, graph.Constants[v.Id]); break;
            }
        }
        foreach (var n in graph.Nodes)
        {
            var outs = b.Apply(n.Op, n.Inputs.Select(i => map[i]).ToArray(), n.Outputs.Select(o => graph.Values[o].Name).ToArray());
            for (int i = 0; i < outs.Length; i++) map[n.Outputs[i]] = outs[i];
        }
        return map;
    }

    /// <summary>
    /// Appends the backward pass of a replayed graph to <paramref name="b"/>; returns the gradient of the loss
    /// with respect to each name in <paramref name="wrt"/> (zeros where the loss does not depend on it).
    /// </summary>
    public static Dictionary<string, Value> Backward(GraphBuilder b, Graph graph, Value[] map, string loss, IReadOnlyList<string> wrt)
    {
        var lossOut = graph.Outputs.FirstOrDefault(o => o.Name == loss)
            ?? throw new GraphValidationException($"loss '{loss}' is not an output of the graph (outputs: {string.Join(", ", graph.Outputs.Select(o => o.Name))})");
        var lossType = graph.Values[lossOut.Value].Type;
        if (!lossType.DType.IsFloat() || lossType.Shape.Rank != 0)
            throw new GraphValidationException($"loss '{loss}' must be a float scalar, got {lossType}");

        var wrtIds = new List<int>();
        foreach (var name in wrt)
        {
            if (!graph.TryGetValue(name, out var v) || v.Kind is not (ValueKind.Input or ValueKind.Parameter))
                throw new GraphValidationException($"cannot differentiate with respect to '{name}': it is not an input or parameter of the graph");
            if (!v.Type.DType.IsFloat())
                throw new GraphValidationException($"cannot differentiate with respect to '{name}' {v.Type}: it is not floating point");
            if (wrtIds.Contains(v.Id))
                throw new GraphValidationException($"'{name}' is listed twice in wrt");
            wrtIds.Add(v.Id);
        }

        // Forward: which values depend on a wrt value. Backward: which of those reach the loss.
        var dependsOnWrt = new bool[graph.Values.Count];
        foreach (int id in wrtIds) dependsOnWrt[id] = true;
        foreach (var n in graph.Nodes)
            if (n.Inputs.Any(i => dependsOnWrt[i]))
                foreach (int o in n.Outputs) dependsOnWrt[o] = true;

        var adjoint = new Value?[graph.Values.Count];
        adjoint[lossOut.Value] = b.Full(1.0, lossType.DType);
        // Gradients through slices wait until every reader of the sliced value is done (its producer's turn).
        var slices = new SliceGradients();
        Value? Collect(int id) =>
            slices.Take(b, id, graph.Values[id].Type) is not { } s ? adjoint[id] : adjoint[id] = adjoint[id] is { } acc ? b.Add(acc, s) : s;
        for (int k = graph.Nodes.Count - 1; k >= 0; k--)
        {
            var n = graph.Nodes[k];
            var outGrads = n.Outputs.Select(Collect).ToArray();
            if (outGrads.All(g => g is null)) continue;
            var need = n.Inputs.Select(i => dependsOnWrt[i] && graph.Values[i].Type.DType.IsFloat()).ToArray();
            if (!need.Any(x => x)) continue;
            if (n.Op is SliceOp slice)
            {
                slices.Add(n.Inputs[0], slice, outGrads[0]!.Value);
                continue;
            }
            var inputs = n.Inputs.Select(i => map[i]).ToArray();
            var outputs = n.Outputs.Select(o => map[o]).ToArray();
            Value?[] inGrads;
            try
            {
                inGrads = GradientRules.Backward(b, n.Op, inputs, outputs, outGrads, need);
            }
            catch (NotSupportedException e)
            {
                throw new GraphValidationException($"node {n.Index} ({n.Op.Name}): {e.Message}", e);
            }
            for (int i = 0; i < n.Inputs.Count; i++)
            {
                if (!need[i] || inGrads[i] is not { } g) continue;
                int id = n.Inputs[i];
                adjoint[id] = adjoint[id] is { } acc ? b.Add(acc, g) : g;
            }
        }

        var result = new Dictionary<string, Value>();
        foreach (var (name, id) in wrt.Zip(wrtIds))
        {
            var t = graph.Values[id].Type;
            result[name] = Collect(id) ?? b.Full(0.0, t.DType, t.Shape.ToArray());
        }
        return result;
    }
}
