using Pixelfly.Ir;

namespace Pixelfly.Nn.Layers;

/// <summary>
/// fc2(GELU(fc1(x))): the transformer/Mixer MLP. The linear layers come from a factory, so the same MLP is dense
/// or Pixelfly (the paper sparsifies exactly these two layers, §4).
/// </summary>
public sealed class Mlp : Module
{
    /// <summary>An MLP in → hidden → out with layers named "fc1" and "fc2".</summary>
    public Mlp(string name, int inFeatures, int hidden, int outFeatures, LinearFactory linear) : base(name)
    {
        ArgumentNullException.ThrowIfNull(linear);
        Fc1 = AddLinear(linear(Qualify("fc1"), inFeatures, hidden), inFeatures, hidden);
        Fc2 = AddLinear(linear(Qualify("fc2"), hidden, outFeatures), hidden, outFeatures);
    }

    /// <summary>The first layer.</summary>
    public ILinearLayer Fc1 { get; }

    /// <summary>The second layer.</summary>
    public ILinearLayer Fc2 { get; }

    /// <summary>fc2(gelu(fc1(x))).</summary>
    public Value Forward(GraphScope scope, Value x)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return Fc2.Forward(scope, scope.Builder.Gelu(Fc1.Forward(scope, x)));
    }

    /// <summary>
    /// The MLP applied along the second-to-last axis of x [..., in, d] (<see cref="Linear.ForwardAlongRows"/>): the
    /// same as transposing the last two axes, <see cref="Forward"/> and transposing back. Dense layers only.
    /// </summary>
    public Value ForwardAlongRows(GraphScope scope, Value x)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (Fc1 is not Linear fc1 || Fc2 is not Linear fc2)
            throw new InvalidOperationException($"MLP '{Name}' runs along rows only with dense linear layers");
        return fc2.ForwardAlongRows(scope, scope.Builder.Gelu(fc1.ForwardAlongRows(scope, x)));
    }

    private ILinearLayer AddLinear(Module module, int inFeatures, int outFeatures)
    {
        if (module is not ILinearLayer layer)
            throw new ArgumentException($"the linear factory made a {module.GetType().Name}, which is not a linear layer");
        if (layer.InFeatures != inFeatures || layer.OutFeatures != outFeatures)
            throw new ArgumentException($"the linear factory made '{module.Name}' {layer.InFeatures}->{layer.OutFeatures}, expected {inFeatures}->{outFeatures}");
        AddModule(module);
        return layer;
    }
}
