using Pixelfly.Tensors;

namespace Pixelfly.Ir;

/// <summary>
/// Builds a <see cref="Graph"/>. Every node is type-checked as it is added; a mistake throws
/// <see cref="GraphValidationException"/> naming the node, the operand and the shapes involved.
/// </summary>
public sealed partial class GraphBuilder
{
    private readonly List<ValueInfo> _values = [];
    private readonly List<Node> _nodes = [];
    private readonly List<GraphOutput> _outputs = [];
    private readonly Dictionary<int, HostTensor> _constants = [];
    private readonly Dictionary<string, int> _names = [];
    private bool _built;

    /// <summary>Declares a run-time input.</summary>
    public Value Input(string name, TensorType type) => Declare(name, type, ValueKind.Input);

    /// <summary>Declares a run-time input.</summary>
    public Value Input(string name, DType dtype, params int[] dims) => Input(name, new TensorType(dtype, dims));

    /// <summary>Declares a trainable parameter (bound at run time).</summary>
    public Value Parameter(string name, TensorType type) => Declare(name, type, ValueKind.Parameter);

    /// <summary>Declares a trainable parameter (bound at run time).</summary>
    public Value Parameter(string name, DType dtype, params int[] dims) => Parameter(name, new TensorType(dtype, dims));

    /// <summary>Adds constant data to the graph.</summary>
    public Value Constant(string name, HostTensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var v = Declare(name, data.Type, ValueKind.Constant);
        _constants[v.Id] = data.Clone();
        return v;
    }

    /// <summary>Applies an op; returns its outputs. Output names are generated unless given.</summary>
    public Value[] Apply(Op op, IReadOnlyList<Value> inputs, IReadOnlyList<string>? outputNames = null)
    {
        ArgumentNullException.ThrowIfNull(op);
        EnsureOpen();
        foreach (var v in inputs)
            if (!ReferenceEquals(v.Builder, this))
                throw new GraphValidationException($"node {_nodes.Count} ({op.Name}): an input belongs to another graph builder");
        var types = inputs.Select(v => _values[v.Id].Type).ToArray();
        TensorType[] outTypes;
        try
        {
            outTypes = op.InferTypes(types);
        }
        catch (OpTypeException e)
        {
            string where = e.Operand >= 0 && e.Operand < inputs.Count
                ? $"operand {e.Operand} '{_values[inputs[e.Operand].Id].Name}' {types[e.Operand]}"
                : "attributes";
            string all = string.Join(", ", inputs.Select(v => $"{_values[v.Id].Name}: {_values[v.Id].Type}"));
            throw new GraphValidationException($"node {_nodes.Count} ({op.Name}): {where}: {e.Message} [inputs: {all}]", e);
        }
        if (outputNames is not null && outputNames.Count != outTypes.Length)
            throw new GraphValidationException($"node {_nodes.Count} ({op.Name}) has {outTypes.Length} outputs but {outputNames.Count} names were given");
        int index = _nodes.Count;
        var outs = new Value[outTypes.Length];
        for (int i = 0; i < outTypes.Length; i++)
        {
            string name = outputNames?[i] ?? $"%{_values.Count}";
            outs[i] = AddValue(name, outTypes[i], ValueKind.Node, index, i);
        }
        _nodes.Add(new Node(index, op, inputs.Select(v => v.Id).ToArray(), outs.Select(v => v.Id).ToArray()));
        return outs;
    }

    /// <summary>Applies a single-output op.</summary>
    public Value Apply1(Op op, params Value[] inputs) => Apply(op, inputs)[0];

    /// <summary>Marks a value as a named graph output; <paramref name="donates"/> names the input it overwrites.</summary>
    public void Output(string name, Value value, string? donates = null)
    {
        EnsureOpen();
        if (string.IsNullOrWhiteSpace(name))
            throw new GraphValidationException("an output name must not be empty");
        if (_outputs.Any(o => o.Name == name))
            throw new GraphValidationException($"output '{name}' is declared twice");
        if (donates is not null)
        {
            if (!_names.TryGetValue(donates, out int target) || _values[target].Kind is not (ValueKind.Input or ValueKind.Parameter))
                throw new GraphValidationException($"output '{name}' donates '{donates}', which is not an input or parameter");
            if (_values[target].Type != _values[value.Id].Type)
                throw new GraphValidationException($"output '{name}' {_values[value.Id].Type} cannot reuse the buffer of '{donates}' {_values[target].Type}");
            if (_outputs.Any(o => o.Donates == donates))
                throw new GraphValidationException($"input '{donates}' is donated to two outputs");
        }
        _outputs.Add(new GraphOutput(name, value.Id, donates));
    }

    /// <summary>Finishes the graph. The builder cannot be used afterwards.</summary>
    public Graph Build()
    {
        EnsureOpen();
        if (_outputs.Count == 0)
            throw new GraphValidationException("the graph has no outputs");
        _built = true;
        return new Graph(_values.ToArray(), _nodes.ToArray(), _outputs.ToArray(), new Dictionary<int, HostTensor>(_constants));
    }

    /// <summary>The type of a value of this builder.</summary>
    public TensorType TypeOf(Value v) => _values[v.Id].Type;

    /// <summary>The name of a value of this builder.</summary>
    public string NameOf(Value v) => _values[v.Id].Name;

    /// <summary>A value by name.</summary>
    public Value this[string name] =>
        _names.TryGetValue(name, out int id) ? new Value(this, id) : throw new KeyNotFoundException($"no value named '{name}'");

    /// <summary>True when a value has this name.</summary>
    public bool Contains(string name) => _names.ContainsKey(name);

    private Value Declare(string name, TensorType type, ValueKind kind)
    {
        EnsureOpen();
        ArgumentNullException.ThrowIfNull(type);
        if (string.IsNullOrWhiteSpace(name) || name.StartsWith('%'))
            throw new GraphValidationException($"'{name}' is not a valid {kind.ToString().ToLowerInvariant()} name (empty, or starts with '%', which is reserved)");
        return AddValue(name, type, kind, -1, 0);
    }

    private Value AddValue(string name, TensorType type, ValueKind kind, int producer, int outputIndex)
    {
        if (_names.ContainsKey(name))
            throw new GraphValidationException($"value name '{name}' is used twice");
        int id = _values.Count;
        _values.Add(new ValueInfo(id, name, type, kind, producer, outputIndex));
        _names[name] = id;
        return new Value(this, id);
    }

    private void EnsureOpen()
    {
        if (_built) throw new InvalidOperationException("this GraphBuilder has already built its graph");
    }
}
