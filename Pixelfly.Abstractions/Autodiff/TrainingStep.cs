using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Autodiff;

/// <summary>
/// Builds ONE graph for a whole training step: forward, loss, backward and a fused AdamW update of every
/// trainable parameter. Compile it once and replay it; updated parameters and optimizer state are outputs that
/// donate the buffers of their inputs, so they update in place on the device.
/// </summary>
public static class TrainingStep
{
    /// <summary>Name of the learning-rate input (f32 scalar).</summary>
    public const string LearningRate = "lr";

    /// <summary>Name of the 1-based step-count input (f32 scalar).</summary>
    public const string Step = "step";

    /// <summary>Name of the loss output.</summary>
    public const string Loss = "loss";

    /// <summary>Input name of the first-moment state of a parameter.</summary>
    public static string FirstMoment(string parameter) => "adam.m/" + parameter;

    /// <summary>Input name of the second-moment state of a parameter.</summary>
    public static string SecondMoment(string parameter) => "adam.v/" + parameter;

    /// <summary>Output name of the updated value of an input (parameter or optimizer state).</summary>
    public static string Updated(string name) => "updated/" + name;

    /// <summary>
    /// Forward + loss + backward + AdamW for every parameter of <paramref name="model"/> (or the given subset).
    /// Adds inputs "lr", "step" and per parameter p "adam.m/p", "adam.v/p" (zeros at the start). Outputs: "loss",
    /// the model's other outputs, and per parameter "updated/p", "updated/adam.m/p", "updated/adam.v/p", each
    /// donating its input.
    /// </summary>
    public static Graph Build(Graph model, string loss, AdamWOp optimizer, IReadOnlyList<string>? trainable = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return Build(model, loss, new AdamWRule(optimizer), trainable);
    }

    /// <summary>Name of the gradient-norm output (f32 scalar, before clipping) of a step built with clipping.</summary>
    public const string GradientNorm = "grad_norm";

    /// <summary>
    /// Forward + loss + backward + <paramref name="rule"/>'s update for every parameter (or the given subset). Adds
    /// inputs "lr", "step" and per parameter p and state s of the rule "s/p" (zeros at the start). With
    /// <paramref name="clipNorm"/>, all gradients are scaled together by min(1, clip / (‖g‖₂ + 1e-6)) over the
    /// global norm, which is also output as "grad_norm". Outputs: "loss", the model's other outputs, and
    /// "updated/p", "updated/s/p", each donating its input.
    /// </summary>
    public static Graph Build(Graph model, string loss, IUpdateRule rule, IReadOnlyList<string>? trainable = null, double? clipNorm = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rule);
        if (clipNorm is { } clip && !(clip > 0))
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "the gradient clipping norm must be positive");
        var parameters = trainable ?? model.Parameters.Select(p => p.Name).ToArray();
        if (parameters.Count == 0)
            throw new GraphValidationException("the model has no parameters to train");
        foreach (var p in parameters)
            if (!model.TryGetValue(p, out var v) || v.Kind != ValueKind.Parameter)
                throw new GraphValidationException($"'{p}' is not a parameter of the model");
        foreach (var reserved in new[] { LearningRate, Step, GradientNorm })
            if (model.TryGetValue(reserved, out _))
                throw new GraphValidationException($"the model already has a value named '{reserved}', which a training step reserves");

        var b = new GraphBuilder();
        var map = Gradients.Replay(b, model);
        var lr = b.Input(LearningRate, DType.F32);
        var step = b.Input(Step, DType.F32);
        var grads = Gradients.Backward(b, model, map, loss, parameters);

        b.Output(Loss, map[model.Output(loss).Value]);
        foreach (var o in model.Outputs)
            if (o.Name != loss)
                b.Output(o.Name, map[o.Value], o.Donates);
        if (clipNorm is { } maxNorm)
            grads = ClipByGlobalNorm(b, grads, parameters, maxNorm);
        foreach (var p in parameters)
        {
            var param = map[model.Value(p).Id];
            var state = rule.StateNames.Select(s => b.Input($"{s}/{p}", param.Type)).ToArray();
            var updated = rule.Apply(b, p, param, grads[p], state, lr, step);
            if (updated.Count != state.Length + 1)
                throw new InvalidOperationException($"update rule {rule.GetType().Name} returned {updated.Count} values for '{p}', expected {state.Length + 1}");
            b.Output(Updated(p), updated[0], donates: p);
            for (int s = 0; s < state.Length; s++)
                b.Output(Updated($"{rule.StateNames[s]}/{p}"), updated[s + 1], donates: $"{rule.StateNames[s]}/{p}");
        }
        return b.Build();
    }

    // g ← g · min(1, clip / (‖g‖ + 1e-6)) with ‖g‖ over every parameter's gradient; ‖g‖ is output.
    private static Dictionary<string, Value> ClipByGlobalNorm(GraphBuilder b, IReadOnlyDictionary<string, Value> grads, IReadOnlyList<string> parameters, double maxNorm)
    {
        Value? total = null;
        foreach (var p in parameters)
        {
            var g = grads[p];
            var squares = g.Shape.Rank == 0 ? g * g : b.ReduceSum(g * g, Enumerable.Range(0, g.Shape.Rank).ToArray());
            total = total is null ? squares : total.Value + squares;
        }
        var norm = b.Sqrt(total!.Value);
        b.Output(GradientNorm, norm);
        var dtype = norm.Type.DType;
        var scale = b.Minimum(b.Scalar(1, dtype), b.Scalar(maxNorm, dtype) / (norm + b.Scalar(1e-6, dtype)));
        return parameters.ToDictionary(p => p, p => grads[p] * scale);
    }
}
