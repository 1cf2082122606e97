using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Devices;

/// <summary>
/// How a compiled graph numbers the tensors a run binds: inputs and parameters first (in <see cref="Graph.Bindable"/>
/// order), then one slot per output. A donating output writes its input's slot; its own slot still holds the tensor,
/// so a run's slots are complete (a key for cached recordings).
/// </summary>
public sealed class BindingSlots
{
    private readonly Graph _graph;
    private readonly Dictionary<string, int> _inputSlot = [];
    private readonly int[] _outputSlot;
    private readonly TensorType[] _types;

    /// <summary>Numbers <paramref name="graph"/>'s bindings.</summary>
    public BindingSlots(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        _graph = graph;
        var types = new List<TensorType>();
        foreach (var v in graph.Bindable)
        {
            _inputSlot[v.Name] = types.Count;
            types.Add(v.Type);
        }
        _outputSlot = new int[graph.Outputs.Count];
        for (int o = 0; o < graph.Outputs.Count; o++)
        {
            var output = graph.Outputs[o];
            _outputSlot[o] = output.Donates is { } d ? _inputSlot[d] : types.Count;
            types.Add(graph.Values[output.Value].Type);
        }
        _types = types.ToArray();
    }

    /// <summary>Slot of each input/parameter by name.</summary>
    public IReadOnlyDictionary<string, int> InputSlot => _inputSlot;

    /// <summary>Slot each output writes, in output order (a donating output's is its input's).</summary>
    public int[] OutputSlot => _outputSlot;

    /// <summary>Type of the tensor bound to each slot.</summary>
    public IReadOnlyList<TensorType> Types => _types;

    /// <summary>How many slots a run binds.</summary>
    public int Count => _types.Length;

    /// <summary>
    /// The run's tensors by slot, each turned into what the backend keeps by <paramref name="own"/> (which checks the
    /// tensor belongs to the device; its second argument names the binding for errors). Call after
    /// <see cref="BindingCheck.Validate"/>.
    /// </summary>
    public T[] Bind<T>(IReadOnlyDictionary<string, IDeviceTensor> inputs, IReadOnlyDictionary<string, IDeviceTensor> outputs, Func<IDeviceTensor, string, T> own)
    {
        var bound = new T[Count];
        foreach (var (name, slot) in _inputSlot) bound[slot] = own(inputs[name], $"input '{name}'");
        for (int o = 0; o < _graph.Outputs.Count; o++)
        {
            var output = _graph.Outputs[o];
            var t = own(outputs[output.Name], $"output '{output.Name}'");
            bound[_outputSlot[o]] = t;
            bound[_inputSlot.Count + o] = t;
        }
        return bound;
    }
}
