using Pixelfly.Tensors;

namespace Pixelfly.Ir;

/// <summary>Where a value comes from.</summary>
public enum ValueKind
{
    /// <summary>Bound at run time; data (activations, labels, scalars such as lr).</summary>
    Input,

    /// <summary>Bound at run time; trainable state (weights).</summary>
    Parameter,

    /// <summary>Data stored in the graph.</summary>
    Constant,

    /// <summary>Produced by a node.</summary>
    Node,
}

/// <summary>An SSA value: unique id and name, static type, and where it is defined.</summary>
public sealed record ValueInfo(int Id, string Name, TensorType Type, ValueKind Kind, int Producer, int OutputIndex);

/// <summary>One operation application: value ids in, value ids out.</summary>
public sealed record Node(int Index, Op Op, IReadOnlyList<int> Inputs, IReadOnlyList<int> Outputs);

/// <summary>A named graph output. Donates names an input or parameter whose buffer the output reuses (in-place update).</summary>
public sealed record GraphOutput(string Name, int Value, string? Donates = null);

/// <summary>
/// A validated, immutable, static-shape SSA program. Build with <see cref="GraphBuilder"/> or load with
/// <see cref="Json.GraphJson"/>; nodes are in topological order.
/// </summary>
public sealed class Graph
{
    private readonly Dictionary<string, ValueInfo> _byName;

    internal Graph(
        IReadOnlyList<ValueInfo> values,
        IReadOnlyList<Node> nodes,
        IReadOnlyList<GraphOutput> outputs,
        IReadOnlyDictionary<int, HostTensor> constants)
    {
        Values = values;
        Nodes = nodes;
        Outputs = outputs;
        Constants = constants;
        _byName = values.ToDictionary(v => v.Name);
        Inputs = values.Where(v => v.Kind == ValueKind.Input).ToArray();
        Parameters = values.Where(v => v.Kind == ValueKind.Parameter).ToArray();
    }

    /// <summary>Every value, indexed by id.</summary>
    public IReadOnlyList<ValueInfo> Values { get; }

    /// <summary>Nodes in topological order.</summary>
    public IReadOnlyList<Node> Nodes { get; }

    /// <summary>Named outputs.</summary>
    public IReadOnlyList<GraphOutput> Outputs { get; }

    /// <summary>Constant data by value id.</summary>
    public IReadOnlyDictionary<int, HostTensor> Constants { get; }

    /// <summary>Run-time data inputs.</summary>
    public IReadOnlyList<ValueInfo> Inputs { get; }

    /// <summary>Run-time trainable inputs.</summary>
    public IReadOnlyList<ValueInfo> Parameters { get; }

    /// <summary>Inputs and parameters: everything a run must bind.</summary>
    public IEnumerable<ValueInfo> Bindable => Values.Where(v => v.Kind is ValueKind.Input or ValueKind.Parameter);

    /// <summary>The value with this name; throws <see cref="KeyNotFoundException"/> listing nothing else.</summary>
    public ValueInfo Value(string name) =>
        _byName.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"the graph has no value named '{name}'");

    /// <summary>The value with this name, if any.</summary>
    public bool TryGetValue(string name, out ValueInfo value) => _byName.TryGetValue(name, out value!);

    /// <summary>The output with this name.</summary>
    public GraphOutput Output(string name) =>
        Outputs.FirstOrDefault(o => o.Name == name) ?? throw new KeyNotFoundException($"the graph has no output named '{name}'");

    /// <summary>The type of output <paramref name="name"/>.</summary>
    public TensorType OutputType(string name) => Values[Output(name).Value].Type;
}
