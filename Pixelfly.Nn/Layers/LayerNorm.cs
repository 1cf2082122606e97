using Pixelfly.Ir;
using Pixelfly.Nn.Init;

namespace Pixelfly.Nn.Layers;

/// <summary>Layer normalisation over the last dimension with learned scale (ones) and shift (zeros); no weight decay.</summary>
public sealed class LayerNorm : Module
{
    /// <summary>A layer norm over <paramref name="features"/>.</summary>
    public LayerNorm(string name, int features, double epsilon = 1e-5) : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive");
        (Features, Epsilon) = (features, epsilon);
        Scale = AddParameter("weight", Initializer.Ones, weightDecay: false, features);
        Shift = AddParameter("bias", Initializer.Zeros, weightDecay: false, features);
    }

    /// <summary>Normalised features.</summary>
    public int Features { get; }

    /// <summary>Variance epsilon.</summary>
    public double Epsilon { get; }

    /// <summary>γ [features].</summary>
    public Parameter Scale { get; }

    /// <summary>β [features].</summary>
    public Parameter Shift { get; }

    /// <summary>LayerNorm(x) for x [..., features].</summary>
    public Value Forward(GraphScope scope, Value x)
    {
        ArgumentNullException.ThrowIfNull(scope);
        Shapes.RequireFeatures(x, Features, $"layer norm '{Name}'");
        return scope.Builder.LayerNorm(x, scope.Use(Scale), scope.Use(Shift), Epsilon);
    }
}
