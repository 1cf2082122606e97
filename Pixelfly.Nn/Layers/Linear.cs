using Pixelfly.Ir;
using Pixelfly.Nn.Init;

namespace Pixelfly.Nn.Layers;

/// <summary>
/// y = x·Wᵀ + b with W [out, in]. PyTorch's default init: W and b uniform(±1/√in) (kaiming_uniform with a = √5).
/// </summary>
public sealed class Linear : Module, ILinearLayer
{
    /// <summary>A dense layer; <paramref name="weightInit"/> overrides the default weight init (e.g. Xavier).</summary>
    public Linear(string name, int inFeatures, int outFeatures, bool bias = true, Initializer? weightInit = null, Initializer? biasInit = null)
        : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        (InFeatures, OutFeatures) = (inFeatures, outFeatures);
        Weight = AddParameter("weight", weightInit ?? Initializer.KaimingUniform(inFeatures), weightDecay: true, outFeatures, inFeatures);
        Bias = bias ? AddParameter("bias", biasInit ?? Initializer.KaimingUniform(inFeatures), weightDecay: false, outFeatures) : null;
    }

    /// <inheritdoc/>
    public int InFeatures { get; }

    /// <inheritdoc/>
    public int OutFeatures { get; }

    /// <summary>W [out, in].</summary>
    public Parameter Weight { get; }

    /// <summary>b [out], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public double Density => 1.0;

    /// <inheritdoc/>
    public long MultiplyAddsPerToken => (long)InFeatures * OutFeatures;

    /// <inheritdoc/>
    public Value Forward(GraphScope scope, Value x)
    {
        ArgumentNullException.ThrowIfNull(scope);
        Shapes.RequireFeatures(x, InFeatures, $"linear '{Name}'");
        var y = scope.Builder.MatMul(x, scope.Use(Weight), transB: true);
        return Bias is null ? y : y + scope.Use(Bias);
    }
}
