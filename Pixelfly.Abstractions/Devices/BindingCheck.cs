using Pixelfly.Ir;

namespace Pixelfly.Devices;

/// <summary>Checks run bindings against a graph; every backend calls it first so errors read the same everywhere.</summary>
public static class BindingCheck
{
    /// <summary>
    /// Throws <see cref="BindingException"/> on a missing, extra or mistyped binding, a broken donation, two outputs
    /// bound to one tensor, or a donated tensor also bound to another input (it would be overwritten under it).
    /// </summary>
    public static void Validate(Graph graph, IReadOnlyDictionary<string, IDeviceTensor> inputs, IReadOnlyDictionary<string, IDeviceTensor> outputs)
    {
        foreach (var v in graph.Bindable)
        {
            if (!inputs.TryGetValue(v.Name, out var t))
                throw new BindingException($"{v.Kind.ToString().ToLowerInvariant()} '{v.Name}' {v.Type} is not bound");
            if (t.Type != v.Type)
                throw new BindingException($"'{v.Name}' is declared {v.Type} but bound to a tensor of type {t.Type}");
        }
        foreach (var name in inputs.Keys)
            if (!graph.TryGetValue(name, out var v) || v.Kind is not (ValueKind.Input or ValueKind.Parameter))
                throw new BindingException($"'{name}' is bound but the graph has no input or parameter of that name");
        foreach (var o in graph.Outputs)
        {
            if (!outputs.TryGetValue(o.Name, out var t))
                throw new BindingException($"output '{o.Name}' is not bound");
            var type = graph.Values[o.Value].Type;
            if (t.Type != type)
                throw new BindingException($"output '{o.Name}' is {type} but bound to a tensor of type {t.Type}");
            if (o.Donates is not null && !ReferenceEquals(t, inputs[o.Donates]))
                throw new BindingException($"output '{o.Name}' donates '{o.Donates}' and must be bound to the same tensor");
            if (o.Donates is null && inputs.Values.Any(i => ReferenceEquals(i, t)))
                throw new BindingException($"output '{o.Name}' is bound to an input tensor but does not donate it");
        }
        foreach (var name in outputs.Keys)
            if (graph.Outputs.All(o => o.Name != name))
                throw new BindingException($"'{name}' is bound as an output but the graph has no output of that name");
        ValidateAliasing(graph, inputs, outputs);
    }

    /// <summary>
    /// <paramref name="tensor"/> as the backend's <typeparamref name="T"/>; throws <see cref="BindingException"/>
    /// (naming the binding, <paramref name="role"/>) when it is another kind of tensor, one of another device, or disposed.
    /// </summary>
    public static T OwnedTensor<T>(IDeviceTensor tensor, IDevice device, string role, Func<T, IDevice> deviceOf, Func<T, bool> isDisposed)
        where T : class, IDeviceTensor
    {
        if (tensor is not T t || !ReferenceEquals(deviceOf(t), device))
            throw new BindingException($"{role} is bound to a {tensor.GetType().Name}{(tensor is T o ? $" of {deviceOf(o).Info.Id}" : "")}, not a tensor allocated by {device.Info.Id}");
        if (isDisposed(t)) throw new BindingException($"{role} is bound to a disposed tensor");
        return t;
    }

    private static void ValidateAliasing(Graph graph, IReadOnlyDictionary<string, IDeviceTensor> inputs, IReadOnlyDictionary<string, IDeviceTensor> outputs)
    {
        var seen = new Dictionary<IDeviceTensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, t) in outputs)
            if (!seen.TryAdd(t, name))
                throw new BindingException($"outputs '{seen[t]}' and '{name}' are bound to the same tensor");
        foreach (var o in graph.Outputs.Where(o => o.Donates is not null))
        {
            var donated = inputs[o.Donates!];
            foreach (var (name, t) in inputs)
                if (name != o.Donates && ReferenceEquals(t, donated))
                    throw new BindingException($"'{o.Donates}' is donated to output '{o.Name}' but its tensor is also bound to '{name}', which would be overwritten");
        }
    }
}
