using Pixelfly.Ir;

namespace Pixelfly.Nn;

/// <summary>
/// The graph a model is being built into, with each parameter bound once (a module used twice, or a weight tied
/// between two modules, reads the same graph parameter).
/// </summary>
public sealed class GraphScope(GraphBuilder builder)
{
    private readonly Dictionary<Parameter, Value> _bound = new(ReferenceEqualityComparer.Instance);

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
}
