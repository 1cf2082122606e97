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

    /// <summary>
    /// The layer applied along the second-to-last axis of x [..., in, d]: y[..., o, :] = Σ_i W[o, i]·x[..., i, :] + b[o],
    /// the same as transposing the last two axes, <see cref="Forward"/> and transposing back, without the two copies
    /// (one product with W shared across the batch). The Mixer's token MLPs run this way.
    /// </summary>
    public Value ForwardAlongRows(GraphScope scope, Value x)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (x.Shape.Rank < 2 || x.Shape[-2] != InFeatures)
            throw new ArgumentException($"linear '{Name}' along rows expects [..., {InFeatures}, d], got {x.Shape}");
        var b = scope.Builder;
        var y = b.MatMul(scope.Use(Weight), x);
        return Bias is null ? y : y + b.Reshape(scope.Use(Bias), OutFeatures, 1);
    }
}
