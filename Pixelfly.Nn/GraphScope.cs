using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Nn;

/// <summary>
/// The graph a model is being built into, with each parameter bound once (a module used twice, or a weight tied
/// between two modules, reads the same graph parameter).
/// </summary>
public sealed class GraphScope(GraphBuilder builder)
{
    private readonly Dictionary<Parameter, Value> _bound = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, Value> _constants = new(StringComparer.Ordinal);

    /// <summary>The builder.</summary>
    public GraphBuilder Builder { get; } = builder ?? throw new ArgumentNullException(nameof(builder));

    /// <summary>The parameters bound so far, in binding order.</summary>
    public IEnumerable<Parameter> BoundParameters => _bound.Keys;

    /// <summary>The graph value of a parameter (declared as a graph parameter on first use).</summary>
    public Value Use(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!_bound.TryGetValue(parameter, out var value))
        {
            value = Builder.Parameter(parameter.Name, parameter.Type.DType, parameter.Shape.ToArray());
            _bound[parameter] = value;
        }
        return value;
    }

    /// <summary>
    /// Constant data a module needs (an index table, say), declared on first use under <paramref name="name"/>; a
    /// module used twice in one graph reads the same constant. <paramref name="make"/> runs only on first use.
    /// </summary>
    public Value Constant(string name, Func<HostTensor> make)
    {
        ArgumentNullException.ThrowIfNull(make);
        if (!_constants.TryGetValue(name, out var value))
        {
            value = Builder.Constant(name, make());
            _constants[name] = value;
        }
        return value;
    }
}
