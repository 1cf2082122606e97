using System.Text;
using Pixelfly.Backends.Reference.Kernels;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Reference;

/// <summary>
/// A graph interpreted node by node in double. Inputs are widened from their dtype; a node's f16/bf16/i32
/// results are rounded to that dtype (f32 results stay in double: the oracle computes in f64); outputs are
/// converted to their dtype once, after every node ran, so donated buffers need no special ordering.
/// </summary>
public sealed class ReferenceExecutable : IExecutable, IDeviceBound
{
    private readonly ReferenceDevice _device;
    private readonly int[] _lastUse;
    private bool _disposed;

    internal ReferenceExecutable(ReferenceDevice device, Graph graph)
    {
        _device = device;
        Graph = graph;
        _lastUse = LastUses(graph);
    }

    /// <inheritdoc/>
    public Graph Graph { get; }

    /// <inheritdoc/>
    public IDevice Device => _device;

    /// <inheritdoc/>
    public void Run(IReadOnlyDictionary<string, IDeviceTensor> inputs, IReadOnlyDictionary<string, IDeviceTensor> outputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        BindingCheck.Validate(Graph, inputs, outputs);

        var values = new double[]?[Graph.Values.Count];
        foreach (var v in Graph.Bindable)
            values[v.Id] = inputs[v.Name].Download().ToDoubles();
        foreach (var (id, data) in Graph.Constants)
            values[id] = data.ToDoubles();

        for (int n = 0; n < Graph.Nodes.Count; n++)
        {
            var node = Graph.Nodes[n];
            var operands = node.Inputs.Select(id => new Operand(Graph.Values[id].Type, Live(values, id))).ToArray();
            var types = node.Outputs.Select(id => Graph.Values[id].Type).ToArray();
            double[][] results;
            try
            {
                results = OpEvaluator.Evaluate(node.Op, operands, types);
            }
            catch (ExecutionException e)
            {
                string produced = string.Join(", ", node.Outputs.Select(id => $"'{Graph.Values[id].Name}'"));
                throw new ExecutionException($"node {node.Index} ({node.Op.Name} -> {produced}): {e.Message}", e);
            }
            for (int i = 0; i < results.Length; i++)
            {
                if (results[i].Length != types[i].Shape.ElementCount)
                    throw new InvalidOperationException($"reference kernel bug: node {node.Index} ({node.Op.Name}) output {i} has {results[i].Length} elements, its type {types[i]} needs {types[i].Shape.ElementCount}");
                RoundToStorage(types[i].DType, results[i]);
                values[node.Outputs[i]] = results[i];
            }
            foreach (int id in node.Inputs)
                if (_lastUse[id] == n) values[id] = null;
        }

        foreach (var o in Graph.Outputs)
        {
            var type = Graph.Values[o.Value].Type;
            outputs[o.Name].Upload(HostTensor.FromDoubles(type, Live(values, o.Value)).Data);
        }
    }

    /// <inheritdoc/>
    public string Describe()
    {
        var sb = new StringBuilder();
        sb.Append($"reference (float64 interpreter): {Graph.Nodes.Count} nodes, {Graph.Values.Count} values, {Graph.Outputs.Count} outputs\n");
        foreach (var node in Graph.Nodes)
        {
            string ins = string.Join(", ", node.Inputs.Select(id => Graph.Values[id].Name));
            string outs = string.Join(", ", node.Outputs.Select(id => $"{Graph.Values[id].Name}: {Graph.Values[id].Type}"));
            sb.Append($"  #{node.Index} {node.Op.Name}({ins}) -> {outs}\n");
        }
        return sb.ToString();
    }

    /// <inheritdoc/>
    public void Dispose() => _disposed = true;

    private double[] Live(double[]?[] values, int id) =>
        values[id] ?? throw new InvalidOperationException($"reference interpreter bug: value '{Graph.Values[id].Name}' was read after it was released or before it was computed");

    /// <summary>Narrow dtypes are stored narrow: a bf16 matmul output or an i32 cast holds what the dtype can.</summary>
    private static void RoundToStorage(DType dtype, double[] data)
    {
        if (dtype is not (DType.F16 or DType.BF16 or DType.I32)) return;
        for (int i = 0; i < data.Length; i++) data[i] = dtype.Round(data[i]);
    }

    /// <summary>The index of the last node reading each value; graph outputs are kept to the end.</summary>
    private static int[] LastUses(Graph graph)
    {
        var last = new int[graph.Values.Count];
        Array.Fill(last, -1);
        for (int n = 0; n < graph.Nodes.Count; n++)
            foreach (int id in graph.Nodes[n].Inputs) last[id] = n;
        foreach (var o in graph.Outputs) last[o.Value] = int.MaxValue;
        return last;
    }
}
