using Pixelfly.Ir;
using Pixelfly.Ir.Ops;

namespace Pixelfly.Autodiff;

/// <summary>
/// An optimizer as graph-building code: the per-parameter state it keeps and the update it applies, so the whole
/// step (forward, backward, clipping, update) is one graph (<see cref="TrainingStep"/>).
/// </summary>
public interface IUpdateRule
{
    /// <summary>State prefixes per parameter; state s of parameter p is the input "s/p" (zeros at the start).</summary>
    IReadOnlyList<string> StateNames { get; }

    /// <summary>
    /// The updated parameter followed by the updated states (in <see cref="StateNames"/> order), from the parameter,
    /// its gradient, its states, the learning rate and the 1-based step (both f32 scalars).
    /// </summary>
    IReadOnlyList<Value> Apply(GraphBuilder b, string parameter, Value param, Value grad, IReadOnlyList<Value> state, Value lr, Value step);
}

/// <summary>
/// AdamW through the fused adamw op, with weight decay only for the parameters <paramref name="decays"/> selects
/// (biases and norms are usually excluded). States "adam.m" and "adam.v".
/// </summary>
public sealed class AdamWRule(AdamWOp settings, Func<string, bool>? decays = null) : IUpdateRule
{
    private readonly AdamWOp _noDecay = settings with { WeightDecay = 0 };

    /// <summary>The settings for decayed parameters.</summary>
    public AdamWOp Settings { get; } = settings ?? throw new ArgumentNullException(nameof(settings));

    /// <inheritdoc/>
    public IReadOnlyList<string> StateNames { get; } = ["adam.m", "adam.v"];

    /// <inheritdoc/>
    public IReadOnlyList<Value> Apply(GraphBuilder b, string parameter, Value param, Value grad, IReadOnlyList<Value> state, Value lr, Value step)
    {
        ArgumentNullException.ThrowIfNull(b);
        var op = decays is null || decays(parameter) ? Settings : _noDecay;
        var (p, m, v) = b.AdamW(param, grad, state[0], state[1], lr, step, op);
        return [p, m, v];
    }
}

/// <summary>
/// SGD with (heavy-ball) momentum and decoupled weight decay: buf ← μ·buf + g; p ← p − lr·(buf + λ·p) for the
/// parameters <paramref name="decays"/> selects (PyTorch's SGD with weight_decay folded into the gradient).
/// State "sgd.momentum" (kept even at μ = 0, so checkpoints have one shape).
/// </summary>
public sealed class SgdRule(double momentum = 0.9, double weightDecay = 0, Func<string, bool>? decays = null) : IUpdateRule
{
    /// <inheritdoc/>
    public IReadOnlyList<string> StateNames { get; } = ["sgd.momentum"];

    /// <inheritdoc/>
    public IReadOnlyList<Value> Apply(GraphBuilder b, string parameter, Value param, Value grad, IReadOnlyList<Value> state, Value lr, Value step)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (!(momentum is >= 0 and < 1) || !(weightDecay >= 0))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"invalid SGD settings momentum={momentum} weight decay={weightDecay}");
        var dtype = param.Type.DType;
        var g = weightDecay > 0 && (decays is null || decays(parameter)) ? grad + param * b.Scalar(weightDecay, dtype) : grad;
        var buffer = momentum > 0 ? state[0] * b.Scalar(momentum, dtype) + g : g;
        var rate = lr.Type.DType == dtype ? lr : b.Cast(lr, dtype);
        return [param - rate * buffer, buffer];
    }
}
