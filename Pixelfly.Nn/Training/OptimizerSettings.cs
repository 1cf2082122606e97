using Pixelfly.Autodiff;
using Pixelfly.Ir.Ops;

namespace Pixelfly.Nn.Training;

/// <summary>Which optimizer.</summary>
public enum OptimizerKind
{
    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,

    /// <summary>SGD with momentum.</summary>
    Sgd,
}

/// <summary>
/// The optimizer and its settings. Weight decay applies only to parameters marked for it (weights, not biases,
/// norms, class tokens or position embeddings).
/// </summary>
public sealed record OptimizerSettings(
    OptimizerKind Kind = OptimizerKind.AdamW, double WeightDecay = 0.05, double Beta1 = 0.9, double Beta2 = 0.999,
    double Epsilon = 1e-8, double Momentum = 0.9, double? ClipNorm = 1.0)
{
    /// <summary>The graph update rule for a model whose parameters decay as <paramref name="decays"/> says.</summary>
    public IUpdateRule Rule(Func<string, bool> decays) => Kind switch
    {
        OptimizerKind.AdamW => new AdamWRule(new AdamWOp(Beta1, Beta2, Epsilon, WeightDecay), decays),
        OptimizerKind.Sgd => new SgdRule(Momentum, WeightDecay, decays),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "unknown optimizer"),
    };
}
